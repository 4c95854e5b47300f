import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify as stringifyYaml } from 'yaml';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startPlantOpcuaServer, type PlantOpcuaServer } from '@hazardwatch/simulators/opcua';
import { providedServices } from '@hazardwatch/testkit';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

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
});
