import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from 'hazardwatch';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await runCommand(argv.slice(0, 2), argv, {
    env: {},
    logger: pino({ level: 'silent' }),
    stdout,
    stderr,
    stopSignal: new Promise(() => undefined),
  });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

describe('hazardwatch tls dev-ca', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  const tempDir = async (): Promise<string> => {
    const d = await mkdtemp(join(tmpdir(), 'hw-dev-ca-'));
    dirs.push(d);
    return d;
  };

  it('makes a CA, a server certificate for localhost, 127.0.0.1 and the given names, and a client certificate', async () => {
    const out = join(await tempDir(), 'certs');
    const result = await run([
      'tls',
      'dev-ca',
      '--out',
      out,
      '--name',
      'mosquitto',
      '--name',
      '10.1.2.3',
      '--client',
      'gw-1',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('next steps');
    expect(result.stdout).toContain('NODE_EXTRA_CA_CERTS');

    const ca = new X509Certificate(await readFile(join(out, 'ca.crt')));
    const server = new X509Certificate(await readFile(join(out, 'server.crt')));
    const client = new X509Certificate(await readFile(join(out, 'client.crt')));
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkHost('mosquitto')).toBe('mosquitto');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkIP('10.1.2.3')).toBe('10.1.2.3');
    expect(server.checkHost('elsewhere.example')).toBeUndefined();
    expect(server.keyUsage).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
    expect(server.checkPrivateKey(createPrivateKey(await readFile(join(out, 'server.key'))))).toBe(true);
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(client.subject).toContain('CN=gw-1');
    expect(client.keyUsage).toContain('1.3.6.1.5.5.7.3.2'); // clientAuth

    for (const key of ['ca.key', 'server.key', 'client.key'])
      expect((await stat(join(out, key))).mode & 0o777, key).toBe(0o600);
    expect((await stat(out)).mode & 0o077).toBe(0);
  });

  it('refuses to overwrite files without --force, and refuses a bad name', async () => {
    const out = await tempDir();
    expect((await run(['tls', 'dev-ca', '--out', out])).code).toBe(0);
    const first = await readFile(join(out, 'ca.crt'), 'utf8');
    const again = await run(['tls', 'dev-ca', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
    expect(await readFile(join(out, 'ca.crt'), 'utf8')).toBe(first);
    expect((await run(['tls', 'dev-ca', '--out', out, '--force'])).code).toBe(0);
    expect(await readFile(join(out, 'ca.crt'), 'utf8')).not.toBe(first);

    const bad = await run(['tls', 'dev-ca', '--out', out, '--force', '--name', 'no spaces']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--name no spaces');
    expect((await run(['tls', 'dev-ca'])).stderr).toContain('--out DIR');
  });
});
