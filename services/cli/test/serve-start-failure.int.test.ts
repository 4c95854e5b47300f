import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createTestDatabase, providedServices, type TestDatabase } from '@hazardwatch/testkit';
import { loadRuntimeConfig, startIngestService } from 'hazardwatch';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../core/examples/site.example.yaml', import.meta.url));
/** Start-up on a busy 2-core machine. */
const START_BOUND_MS = 120_000;

interface ServeProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

/** A port free on 127.0.0.1 right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Issue 17 item 11: a second `serve` that cannot bind its ports must store nothing. Before, it
 * stored its site file at start (a new version, NOTIFY), then failed on the port; the running
 * serve had already put the failed process's site in force.
 */
describe('hazardwatch serve: a start that fails stores nothing', () => {
  const { postgresAdminUrl, mqttUrl } = providedServices();
  const started: ServeProcess[] = [];
  const clientIds: string[] = [];
  let db: TestDatabase;
  let dir: string;
  let enterprise: string;
  let siteA: string;
  let siteB: string;

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl);
    dir = mkdtempSync(join(tmpdir(), 'hw-serve-fail-'));
    enterprise = `91320623F${randomBytes(4).toString('hex').toUpperCase()}`.slice(0, 18);
    const a = readFileSync(EXAMPLE, 'utf8').replaceAll('91320623MA1W000001', enterprise);
    // Site B differs in behaviour: TT-1101 is disabled (its readings refused, point_disabled).
    const b = a.replace(
      '    name: 液氯储罐V-1101温度\n',
      '    name: 液氯储罐V-1101温度\n    enabled: false\n',
    );
    expect(b).not.toBe(a);
    siteA = join(dir, 'site-a.yaml');
    siteB = join(dir, 'site-b.yaml');
    writeFileSync(siteA, a);
    writeFileSync(siteB, b);
  });

  afterEach(async () => {
    for (const s of started.splice(0)) {
      if (s.child.exitCode === null && s.child.signalCode === null) {
        process.kill(-s.child.pid!, 'SIGTERM');
        const timer = setTimeout(() => process.kill(-s.child.pid!, 'SIGKILL'), 20_000);
        await s.exited;
        clearTimeout(timer);
      }
    }
    // The ingest's persistent sessions on the shared broker are ended (nothing queued for them).
    for (const clientId of clientIds.splice(0))
      await (await mqtt.connectAsync(mqttUrl, { clientId, clean: true })).endAsync();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  function serve(env: Record<string, string>): ServeProcess {
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !k.startsWith('HW_') && !['DATABASE_URL', 'MQTT_URL', 'LOG_LEVEL'].includes(k),
      ),
    );
    const child = spawn(process.execPath, [MAIN, 'serve'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...inherited,
        DATABASE_URL: db.url,
        MQTT_URL: mqttUrl,
        HW_DATA_DIR: dir,
        HW_INGEST_ENTERPRISES: enterprise,
        HW_JWT_SECRET: 'a-test-secret-that-is-at-least-32-chars',
        ...env,
      },
    });
    if (env['HW_INGEST_CLIENT_ID']) clientIds.push(env['HW_INGEST_CLIENT_ID']);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const s = { child, exited, stdout: () => out, stderr: () => err };
    started.push(s);
    return s;
  }

  async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async function readyz(healthPort: number): Promise<{ siteVersion: number | null }> {
    return (await (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).json()) as {
      siteVersion: number | null;
    };
  }

  const cases = [
    { name: 'on the same API port', same: 'api' },
    { name: 'on the same health port', same: 'health' },
    // Ports free, but a setting only the ingest checks is wrong: refused before storing too.
    { name: 'with an invalid alarm policy', same: 'policy' },
  ] as const;

  it('the ingest service binds its health port before it stores the site file', async () => {
    // Without serve's port check in front (ingest, a library caller, or a port taken between the
    // check and the bind): the service itself must fail before storing.
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const config = loadRuntimeConfig({
        DATABASE_URL: db.url,
        MQTT_URL: mqttUrl,
        HW_SITE_FILE: siteA,
        HW_HEALTH_PORT: String(port),
        HW_INGEST_ENTERPRISES: enterprise,
      });
      await expect(startIngestService(config, pino({ level: 'silent' }))).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
      // Not even the schema: the port is bound before migrations.
      const [table] = await sql<{ name: string | null }>(
        `SELECT to_regclass('site_documents')::text AS name`,
      );
      if (table?.name) expect(await sql('SELECT version FROM site_documents')).toEqual([]);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  for (const c of cases)
    it(`a second serve ${c.name} exits non-zero, says so, and the first keeps site A`, async () => {
      const apiPort = await freePort();
      const healthPort = await freePort();
      const first = serve({
        HW_SITE_FILE: siteA,
        HW_API_PORT: String(apiPort),
        HW_HEALTH_PORT: String(healthPort),
        HW_INGEST_CLIENT_ID: `hw-fail-a-${randomBytes(3).toString('hex')}`,
      });
      await waitFor(
        async () => {
          if (first.child.exitCode !== null) throw new Error(`first serve exited:\n${first.stderr()}`);
          return (await fetch(`http://127.0.0.1:${apiPort}/healthz`).catch(() => undefined))?.status === 200;
        },
        START_BOUND_MS,
        'first serve ready',
      );
      await waitFor(async () => (await readyz(healthPort)).siteVersion === 1, 20_000, 'site A in force');

      const busy = c.same === 'api' ? apiPort : healthPort;
      const badConfig = join(dir, 'bad-policy.yaml');
      writeFileSync(badConfig, 'alarms:\n  policy:\n    reAlarmAfterSex: 600\n');
      const second = serve({
        HW_SITE_FILE: siteB,
        HW_API_PORT: String(c.same === 'api' ? apiPort : await freePort()),
        HW_HEALTH_PORT: String(c.same === 'health' ? healthPort : await freePort()),
        HW_INGEST_CLIENT_ID: `hw-fail-b-${randomBytes(3).toString('hex')}`,
        ...(c.same === 'policy' ? { HW_CONFIG_FILE: badConfig } : {}),
      });
      const code = await second.exited;
      expect(code).not.toBe(0);
      // A configuration error is logged (pino, stdout) and exits 2.
      if (c.same === 'policy') expect(second.stdout()).toContain('unknown key alarms.policy.reAlarmAfterSex');
      else {
        expect(second.stderr()).toContain(`port ${busy} is already in use`);
        expect(second.stderr()).toContain('nothing was started or stored [HW_CLI_PORT_IN_USE]');
      }

      // Nothing of B stored, and the first never saw a new version.
      const versions = await sql<{ version: string }>('SELECT version FROM site_documents ORDER BY version');
      expect(versions.map((v) => Number(v.version))).toEqual([1]);
      expect((await readyz(healthPort)).siteVersion).toBe(1);

      // Its behaviour is site A's: TT-1101 is enabled, so its reading is stored, not refused.
      const pub = await mqtt.connectAsync(mqttUrl, {
        clientId: `hw-fail-pub-${randomBytes(3).toString('hex')}`,
      });
      const ts = Date.now();
      try {
        await pub.publishAsync(
          `hw/v1/${enterprise}/GW01/telemetry`,
          JSON.stringify({ readings: [{ tag: 'TT-1101', ts, value: 21.5 }] }),
          { qos: 1 },
        );
      } finally {
        await pub.endAsync();
      }
      await waitFor(
        async () =>
          (
            await sql(
              `SELECT 1 FROM readings r JOIN point_ids p ON p.id = r.point_id
                WHERE p.enterprise_code = $1 AND p.tag = 'TT-1101' AND r.ts = to_timestamp($2 / 1000.0)`,
              [enterprise, ts],
            )
          ).length === 1,
        20_000,
        'the TT-1101 reading stored',
      );
      expect(await sql(`SELECT reason FROM dead_letters WHERE tag = 'TT-1101'`)).toEqual([]);
    });
});
