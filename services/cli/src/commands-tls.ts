import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { parseCommandArgs } from './command-args.js';
import { InputError, UsageError } from './errors.js';

export interface TlsCommandContext {
  readonly stdout: NodeJS.WritableStream;
}

export interface DevCaOptions {
  /** Directory for the files; created (0700) when absent. */
  readonly outDir: string;
  /** Extra server names (DNS names or IP addresses) besides localhost and 127.0.0.1. */
  readonly names: readonly string[];
  /** Common name of a client certificate to make as well (require_certificate). */
  readonly client?: string;
  /** Replace files already there. @default false */
  readonly force?: boolean;
  /** Validity of the certificates, days. @default 825 (CA), 397 (server, client) */
  readonly caDays?: number;
  readonly leafDays?: number;
}

export interface DevCaFiles {
  readonly caCert: string;
  readonly caKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert?: string;
  readonly clientKey?: string;
}

const DNS_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9*]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const CLIENT_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * `hazardwatch tls dev-ca --out DIR [--name HOST]… [--client NAME] [--force]`: a development CA,
 * a broker server certificate for localhost, 127.0.0.1 and the given names, and optionally a client
 * certificate, made with the `openssl` binary (docs/broker.md). Private keys are written 0600;
 * for production use certificates from your own PKI.
 */
export function tlsCommand(sub: string | undefined, args: readonly string[], ctx: TlsCommandContext): number {
  if (sub !== 'dev-ca') throw new UsageError('tls takes a sub-command: dev-ca');
  const { values } = parseCommandArgs({
    args: [...args],
    options: {
      out: { type: 'string' },
      name: { type: 'string', multiple: true, default: [] },
      client: { type: 'string' },
      force: { type: 'boolean', default: false },
      'log-level': { type: 'string' },
    },
    strict: true,
  });
  if (values.out === undefined) throw new UsageError('tls dev-ca needs --out DIR');
  const files = makeDevCa({
    outDir: values.out,
    names: values.name,
    ...(values.client !== undefined ? { client: values.client } : {}),
    force: values.force,
  });
  const lines = [
    `development CA and broker certificate written to ${resolve(values.out)}:`,
    `  CA certificate       ${files.caCert}   (give it to gateways and to MQTT_URL clients)`,
    `  CA private key       ${files.caKey}   (0600; keep it off the broker, or delete it)`,
    `  server certificate   ${files.serverCert}`,
    `  server private key   ${files.serverKey}   (0600; readable by the broker's user only)`,
    ...(files.clientCert
      ? [`  client certificate   ${files.clientCert}`, `  client private key   ${files.clientKey}   (0600)`]
      : []),
    '',
    'next steps (docs/broker.md):',
    '  1. copy ca.crt, server.crt and server.key to deploy/mosquitto/certs/ (the compose mount);',
    '     in the container the broker runs as uid 1883: chown 1883 server.key there',
    '  2. gateways connect to mqtts://<broker>:8883 trusting ca.crt, with the credential the API issued',
    '  3. platform processes reaching the broker over TLS: NODE_EXTRA_CA_CERTS=<path>/ca.crt',
    ...(files.clientCert
      ? ['  4. with require_certificate true in mosquitto.conf, clients present client.crt and client.key']
      : []),
    'this CA is for development and trials: production certificates come from your own PKI',
  ];
  ctx.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** Writes the CA, server and optional client files; throws InputError naming what is wrong. */
export function makeDevCa(options: DevCaOptions): DevCaFiles {
  for (const name of options.names)
    if (isIP(name) === 0 && !DNS_NAME.test(name))
      throw new UsageError(`--name ${name} is neither a host name nor an IP address`);
  if (options.client !== undefined && !CLIENT_NAME.test(options.client))
    throw new UsageError(`--client ${options.client} must match ${CLIENT_NAME.source}`);
  const dir = resolve(options.outDir);
  const path = (file: string): string => join(dir, file);
  const files: DevCaFiles = {
    caCert: path('ca.crt'),
    caKey: path('ca.key'),
    serverCert: path('server.crt'),
    serverKey: path('server.key'),
    ...(options.client !== undefined
      ? { clientCert: path('client.crt'), clientKey: path('client.key') }
      : {}),
  };
  const existing = [
    files.caCert,
    files.caKey,
    files.serverCert,
    files.serverKey,
    files.clientCert,
    files.clientKey,
  ].filter((f): f is string => f !== undefined && existsSync(f));
  if (existing.length > 0 && !options.force)
    throw new InputError(`${existing.join(', ')} already exist: pass --force to replace them`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caDays = String(options.caDays ?? 825);
  const leafDays = String(options.leafDays ?? 397);
  const work = path(`.dev-ca-${randomBytes(4).toString('hex')}`);
  mkdirSync(work, { mode: 0o700 });
  try {
    openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      caDays,
      '-keyout',
      files.caKey,
      '-out',
      files.caCert,
      '-subj',
      '/O=HazardWatch/CN=HazardWatch development CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE,pathlen:0',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-addext',
      'subjectKeyIdentifier=hash',
    ]);
    const names = [...new Set(['localhost', '127.0.0.1', ...options.names])];
    const san = names.map((n) => (isIP(n) === 0 ? `DNS:${n}` : `IP:${n}`)).join(',');
    leaf(work, files, files.serverKey, files.serverCert, names[0]!, leafDays, [
      `subjectAltName=${san}`,
      'extendedKeyUsage=serverAuth',
    ]);
    if (options.client !== undefined && files.clientKey && files.clientCert)
      leaf(work, files, files.clientKey, files.clientCert, options.client, leafDays, [
        'extendedKeyUsage=clientAuth',
      ]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  for (const key of [files.caKey, files.serverKey, files.clientKey]) if (key) chmodSync(key, 0o600);
  for (const cert of [files.caCert, files.serverCert, files.clientCert]) if (cert) chmodSync(cert, 0o644);
  return files;
}

function leaf(
  work: string,
  files: DevCaFiles,
  keyFile: string,
  certFile: string,
  commonName: string,
  days: string,
  extensions: readonly string[],
): void {
  const csr = join(work, 'leaf.csr');
  const ext = join(work, 'leaf.ext');
  writeFileSync(
    ext,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'authorityKeyIdentifier=keyid',
      ...extensions,
      '',
    ].join('\n'),
  );
  openssl([
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-sha256',
    '-keyout',
    keyFile,
    '-out',
    csr,
    '-subj',
    `/O=HazardWatch/CN=${commonName}`,
  ]);
  openssl([
    'x509',
    '-req',
    '-sha256',
    '-in',
    csr,
    '-CA',
    files.caCert,
    '-CAkey',
    files.caKey,
    '-set_serial',
    `0x${randomBytes(16)
      .toString('hex')
      .replace(/^[89a-f]/, '1')}`,
    '-days',
    days,
    '-out',
    certFile,
    '-extfile',
    ext,
  ]);
}

function openssl(args: readonly string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT')
      throw new InputError(
        'the openssl binary is not installed (apt-get install openssl); it makes the certificates',
      );
    throw new InputError(`openssl ${args[0]} failed: ${e.stderr?.toString('utf8').trim() ?? e.message}`);
  }
}
