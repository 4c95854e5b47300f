import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, providedServices, type TestDatabase } from '@hazardwatch/testkit';
import {
  ENV_EXAMPLE,
  REPO,
  SYSTEMD_DIR,
  localCommand,
  one,
  parseEnvFile,
  parseUnit,
} from './systemd-files.js';
import { freePort, runToEnd } from './process-support.js';

/**
 * docs/install-debian.md's steps that can run here (issue #20 item 4), as processes: the migrate
 * unit's command, then the serve unit's with the example env file's variables, stopped with the
 * SIGTERM systemd sends; then a pg_dump / pg_restore of the database into a second one.
 */
const { postgresAdminUrl, mqttUrl } = providedServices();
const serveUnit = parseUnit(`${SYSTEMD_DIR}hazardwatch.service`);
const migrateUnit = parseUnit(`${SYSTEMD_DIR}hazardwatch-migrate.service`);
const STOP_LIMIT_MS = Number(one(serveUnit, 'Service', 'TimeoutStopSec')) * 1000;

const databases: TestDatabase[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  for (const db of databases.splice(0)) await db.drop();
});

/** A command run to its end, at most timeoutMs; its exit code and output. */
function run(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number | null; out: string }> {
  return runToEnd(file, args, { env, cwd: REPO, timeoutMs });
}

/** The environment systemd gives the unit: the env file's variables and nothing of the test's HW_*. */
async function installEnv(databaseUrl: string): Promise<NodeJS.ProcessEnv> {
  const example = parseEnvFile(ENV_EXAMPLE);
  const dataDir = mkdtempSync(join(tmpdir(), 'hw-systemd-data-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const env: Record<string, string> = {
    ...example,
    DATABASE_URL: databaseUrl,
    MQTT_URL: mqttUrl,
    HW_SITE_FILE: `${REPO}deploy/site.yaml`,
    HW_DATA_DIR: dataDir,
    HW_API_PORT: String(await freePort()),
    HW_HEALTH_PORT: String(await freePort()),
    HW_JWT_SECRET: 'systemd-install-test-secret-0123456789abcdef',
    // Its own session on the shared test broker.
    HW_INGEST_CLIENT_ID: `hw-systemd-test-${process.pid}`,
    LOG_LEVEL: 'warn',
  };
  // The test broker is anonymous and has no dynamic-security plugin: without these the same serve
  // runs without managing broker accounts (tested against the plugin in mosquitto-dynsec.int).
  for (const key of [
    'HW_DYNSEC_URL',
    'HW_DYNSEC_USERNAME',
    'HW_DYNSEC_PASSWORD',
    'HW_MQTT_SERVICE_USERNAME',
    'HW_MQTT_SERVICE_PASSWORD',
  ])
    delete env[key];
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('HW_') && !['DATABASE_URL', 'MQTT_URL', 'LOG_LEVEL', 'NODE_OPTIONS'].includes(k),
    ),
  );
  return { ...inherited, ...env };
}

async function migrations(url: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>('SELECT * FROM hw_schema_migrations ORDER BY 1'))
      .rows;
  } finally {
    await client.end();
  }
}

describe('install on a Debian-family server (docs/install-debian.md)', () => {
  it('migrate, then serve until ready, and SIGTERM stops it with exit 0 within TimeoutStopSec', async () => {
    const db = await createTestDatabase(postgresAdminUrl, 'hw_sysd');
    databases.push(db);
    const env = await installEnv(db.url);

    const migrate = localCommand(one(migrateUnit, 'Service', 'ExecStart'));
    const migrated = await run(migrate.node, migrate.args, env, 120_000);
    expect(migrated, migrated.out).toMatchObject({ code: 0 });
    expect((await migrations(db.url)).length).toBeGreaterThan(0);
    // Idempotent: the upgrade procedure runs it again before every start.
    expect((await run(migrate.node, migrate.args, env, 120_000)).code).toBe(0);

    const serve = localCommand(one(serveUnit, 'Service', 'ExecStart'));
    const child = spawn(serve.node, serve.args, {
      env,
      cwd: REPO,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>(
      (resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
    );
    cleanups.push(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    });

    const deadline = Date.now() + 90_000;
    for (;;) {
      const status = await fetch(`http://127.0.0.1:${env['HW_HEALTH_PORT']}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`serve never ready (${status}):\n${out}`);
      await new Promise((r) => setTimeout(r, 250));
    }

    const sentAt = Date.now();
    child.kill('SIGTERM');
    const end = await Promise.race([
      exited,
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), STOP_LIMIT_MS)),
    ]);
    expect(end, out).not.toBe('timeout');
    const { code, signal, at } = end as Awaited<typeof exited>;
    expect({ code, signal }, out).toEqual({ code: 0, signal: null });
    expect(at - sentAt).toBeLessThan(STOP_LIMIT_MS);
  }, 240_000);

  const pgDump = spawnSync('pg_dump', ['--version'], { encoding: 'utf8' });
  const pgRestore = spawnSync('pg_restore', ['--version'], { encoding: 'utf8' });
  const missing =
    pgDump.error || pgRestore.error ? 'pg_dump/pg_restore are not installed on this machine' : undefined;
  it.skipIf(missing !== undefined)(
    `pg_dump, then pg_restore into a new database, keeps the schema version${missing ? ` (skipped: ${missing})` : ''}`,
    async () => {
      const source = await createTestDatabase(postgresAdminUrl, 'hw_sysd');
      databases.push(source);
      const target = await createTestDatabase(postgresAdminUrl, 'hw_sysd');
      databases.push(target);
      const env = await installEnv(source.url);
      const migrate = localCommand(one(migrateUnit, 'Service', 'ExecStart'));
      expect((await run(migrate.node, migrate.args, env, 120_000)).code).toBe(0);

      // pg_dump must be at least the server's major version (it refuses an older server's newer).
      const client = new pg.Client({ connectionString: source.url });
      await client.connect();
      const serverMajor = Math.floor(
        Number(
          (await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]!.v,
        ) / 10000,
      );
      await client.end();
      const dumpMajor = Number(/(\d+)\.\d+/.exec(pgDump.stdout)![1]);
      expect(
        dumpMajor,
        `pg_dump ${pgDump.stdout.trim()} for a PostgreSQL ${serverMajor} server`,
      ).toBeGreaterThanOrEqual(serverMajor);

      const dir = mkdtempSync(join(tmpdir(), 'hw-systemd-dump-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const file = join(dir, 'hazardwatch.dump');
      const dumped = await run(
        'pg_dump',
        ['--format=custom', `--file=${file}`, source.url],
        process.env,
        120_000,
      );
      expect(dumped, dumped.out).toMatchObject({ code: 0 });
      const restored = await run(
        'pg_restore',
        ['--no-owner', '--exit-on-error', `--dbname=${target.url}`, file],
        process.env,
        120_000,
      );
      expect(restored, restored.out).toMatchObject({ code: 0 });

      const before = await migrations(source.url);
      expect(before.length).toBeGreaterThan(0);
      expect(await migrations(target.url)).toEqual(before);
    },
    240_000,
  );
});
