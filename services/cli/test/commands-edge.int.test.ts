import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stringify as stringifyYaml } from 'yaml';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { OpcuaSource, rejectedCertificates } from '@hazardwatch/edge';
import { startPlantOpcuaServer, type PlantOpcuaServer } from '@hazardwatch/simulators/opcua';
import { providedServices } from '@hazardwatch/testkit';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const run = promisify(execFile);

/** Runs the built command line; its exit code and output, never a throw. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [MAIN, ...args]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

/** Polls `check` every 50 ms for at most `ms`. */
async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * `hazardwatch edge` as a process, built as a user runs it (`npm test` builds first), against a
 * plant OPC-UA server and the broker.
 */
describe('hazardwatch edge (the process)', () => {
  const { mqttUrl } = providedServices();
  let server: PlantOpcuaServer | undefined;
  let child: ChildProcess | undefined;
  let dir = '';

  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child!.once('exit', resolve));
    }
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
    child = undefined;
    server = undefined;
  });

  it('writes only JSON lines to stdout, node-opcua’s own warnings included', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hw-edge-proc-'));
    server = await startPlantOpcuaServer({
      tags: [{ site: 'HW', unit: 'U1', tag: 'PT-1' }],
      logger: pino({ level: 'silent' }),
      pkiDir: join(dir, 'server-pki'),
    });
    const enterprise = `E${Date.now().toString(36)}`;
    const config = join(dir, 'edge.yaml');
    writeFileSync(
      config,
      stringifyYaml({
        gateway: { enterprise, code: 'GW1' },
        uplink: { url: mqttUrl, clientId: `hw-edge-proc-${enterprise}` },
        spool: { dir: join(dir, 'spool'), fsync: 'none' },
        healthPort: 0,
        // A fresh PKI folder: node-opcua creates the client certificate and says so.
        sources: [
          {
            kind: 'opcua',
            name: 'dcs',
            endpointUrl: server.endpointUrl,
            pkiDir: join(dir, 'client-pki'),
            tags: [{ nodeId: server.nodeIdOf('PT-1')!, tag: 'PT-1' }],
          },
        ],
      }),
    );
    const proc = spawn(process.execPath, [MAIN, 'edge', '--config', config], {
      env: { ...process.env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let stdout = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    await waitFor(() => stdout.includes('"msg":"opcua connected"'), 30_000, 'the source connected');
    await waitFor(() => stdout.includes('Creating default certificate'), 10_000, 'node-opcua’s warning');
    proc.kill('SIGTERM');
    await new Promise((resolve) => proc.once('exit', resolve));

    const lines = stdout.split('\n').filter((l) => l.trim() !== '');
    const notJson = lines.filter((l) => {
      try {
        return typeof JSON.parse(l) !== 'object';
      } catch {
        return true;
      }
    });
    expect(notJson).toEqual([]);
    const fromOpcua = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['component'] === 'node-opcua');
    expect(fromOpcua).toContainEqual(
      expect.objectContaining({ level: 40, msg: expect.stringContaining('Creating default certificate') }),
    );
  });

  it('edge trust-server moves the refused server certificate into the trust list', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hw-edge-trust-'));
    server = await startPlantOpcuaServer({
      tags: [{ site: 'HW', unit: 'U1', tag: 'PT-1' }],
      logger: pino({ level: 'silent' }),
      pkiDir: join(dir, 'server-pki'),
    });
    const pkiDir = join(dir, 'client-pki');
    const opcua = {
      kind: 'opcua',
      name: 'dcs',
      endpointUrl: server.endpointUrl,
      securityMode: 'SignAndEncrypt',
      securityPolicy: 'Basic256Sha256',
      pkiDir,
      tags: [{ nodeId: server.nodeIdOf('PT-1')!, tag: 'PT-1' }],
    } as const;
    // A secure connect attempt refuses the unknown server and files its certificate as rejected.
    const source = new OpcuaSource({ ...opcua, reconnectInitialMs: 100 });
    await source.start(() => undefined);
    await waitFor(() => rejectedCertificates(pkiDir).length === 1, 15_000, 'the certificate rejected');
    await source.stop();
    const [rejected] = rejectedCertificates(pkiDir);
    const config = join(dir, 'edge.yaml');
    writeFileSync(
      config,
      stringifyYaml({
        gateway: { enterprise: 'E1', code: 'GW1' },
        uplink: { url: mqttUrl },
        spool: { dir: join(dir, 'spool') },
        sources: [
          opcua,
          {
            ...opcua,
            name: 'other',
            pkiDir: join(dir, 'other-pki'),
            tags: [{ nodeId: 'ns=1;s=X', tag: 'PT-2' }],
          },
        ],
      }),
    );
    // Two OPC-UA sources: which one must be said.
    const ambiguous = await cli('edge', 'trust-server', '--config', config);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stdout + ambiguous.stderr).toContain('several OPC-UA sources');
    const trusted = await cli('edge', 'trust-server', '--config', config, '--source', 'dcs');
    expect(trusted, trusted.stdout + trusted.stderr).toMatchObject({ code: 0 });
    const lines = trusted.stdout.trim().split('\n');
    // Its log is JSON lines too, whatever node-opcua says while it handles the certificate.
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    expect(lines.map((l) => JSON.parse(l) as unknown)).toContainEqual(
      expect.objectContaining({
        msg: 'server certificate trusted',
        certificate: rejected!.file,
      }),
    );
    expect(readdirSync(join(pkiDir, 'trusted', 'certs'))).toEqual([rejected!.file]);
    expect(readdirSync(join(pkiDir, 'rejected'))).toEqual([]);
    // Nothing left to trust: said so, exit 1.
    expect((await cli('edge', 'trust-server', '--config', config, '--source', 'dcs')).code).toBe(1);
  });
});
