import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { telemetryTopic } from '@hazardwatch/contracts';
import { PARTITION_COUNT, partitionOf } from '@hazardwatch/ingest';
import { createTestDatabase, providedServices, waitFor, type TestDatabase } from '@hazardwatch/testkit';
import { endIngestSessions, enterpriseCodes, tankFarmSite } from './leased-support.js';
import {
  freePort,
  hasBinary,
  portOpen,
  runToEnd,
  startProcess,
  stopProcess,
  type StartedProcess,
} from './process-support.js';
import {
  ENV_EXAMPLE,
  ENV_FILE,
  REPO,
  SYSTEMD_DIR,
  one,
  parseEnvFile,
  parseUnit,
  unitProcess,
} from './systemd-files.js';

/**
 * A leased fleet installed as docs/install-debian.md §6 ("A leased fleet of workers") says, as
 * processes: /etc/hazardwatch/hazardwatch.env made from the env example as systemd-install.int
 * makes it (a scratch database, the test broker without the plugin), plus a private Redis; then
 * each unit's ExecStart with the environment systemd would give it (unitProcess: EnvironmentFile=,
 * UnsetEnvironment=, the env(1) prefix, %i and %H expanded) — hazardwatch-migrate storing the site
 * (again only when the file changed), one hazardwatch-api, hazardwatch-worker@ three times
 * (instances named by free ports), each start after a run of migrate as Requires= makes systemd do.
 * Production lease timing (the unit sets none).
 */
const { postgresAdminUrl, mqttUrl } = providedServices();
const migrateUnit = parseUnit(`${SYSTEMD_DIR}hazardwatch-migrate.service`);
const apiUnit = parseUnit(`${SYSTEMD_DIR}hazardwatch-api.service`);
const workerUnit = parseUnit(`${SYSTEMD_DIR}hazardwatch-worker@.service`);
const STOP_LIMIT_MS = Number(one(workerUnit, 'Service', 'TimeoutStopSec')) * 1000;
const HOST = hostname();
const PASSWORD = `fleet-${randomBytes(9).toString('hex')}`;
/** The brief's bound from kill -9 to the survivor's alarm (lease 4 s + heartbeat 1 s + takeover). */
const FAILOVER_LIMIT_MS = 15_000;
const missing = !hasBinary('redis-server', '--version')
  ? 'redis-server is not installed on this machine'
  : undefined;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** What systemd's service manager passes besides the unit's own variables (nothing of the test's). */
function inherited(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] =>
        e[1] !== undefined &&
        !e[0].startsWith('HW_') &&
        !['DATABASE_URL', 'MQTT_URL', 'REDIS_URL', 'LOG_LEVEL', 'NODE_OPTIONS'].includes(e[0]),
    ),
  );
}

interface Worker {
  readonly instance: string;
  readonly proc: StartedProcess;
}

/** /readyz of a leased worker: the readiness detail is flattened into the answer (health-server.ts). */
interface Readyz {
  readonly ready?: boolean;
  readonly siteVersion?: number | null;
  readonly partitions?: number[];
}

async function readyz(port: number | string): Promise<Readyz | null> {
  return fetch(`http://127.0.0.1:${port}/readyz`).then(
    async (r) => (r.ok ? ((await r.json()) as Readyz) : null),
    () => null,
  );
}

describe.skipIf(missing !== undefined)(
  `a leased fleet under systemd (hazardwatch-worker@)${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    it('migrate stores the site, three workers share the partitions, kill -9 is taken over, a worker restarted with its migrate keeps the edit made through the API, SIGTERM exits 0', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hw-fleet-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const db: TestDatabase = await createTestDatabase(postgresAdminUrl, 'hw_fleet');
      cleanups.push(() => db.drop());
      const check = new pg.Client({ connectionString: db.url });
      await check.connect();
      cleanups.push(() => check.end());

      const redisPort = await freePort();
      const redis = startProcess('redis-server', [
        '--port',
        String(redisPort),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
      ]);
      cleanups.push(async () => void (await stopProcess(redis.child, 5_000)));
      await portOpen(redisPort, 20_000);

      // The site file of the install: enterprises in distinct partitions, PT-1 H 1.0, HH 1.2.
      const codes = enterpriseCodes(6);
      const sitePath = join(dir, 'site.json');
      writeFileSync(sitePath, JSON.stringify(tankFarmSite(codes)));

      // /etc/hazardwatch/hazardwatch.env: the example, adapted as systemd-install.int adapts it.
      const prefix = `hw-fleet-${randomBytes(3).toString('hex')}`;
      const apiPort = await freePort();
      const apiHealth = await freePort();
      const envFile: Record<string, string> = {
        ...parseEnvFile(ENV_EXAMPLE),
        DATABASE_URL: db.url,
        MQTT_URL: mqttUrl,
        HW_SITE_FILE: sitePath,
        HW_DATA_DIR: dir,
        HW_API_PORT: String(apiPort),
        HW_HEALTH_PORT: String(apiHealth),
        HW_JWT_SECRET: `fleet-test-secret-${randomBytes(16).toString('hex')}`,
        // The partitions' sessions on the shared test broker: this test's own.
        HW_INGEST_CLIENT_ID: prefix,
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        LOG_LEVEL: 'warn',
      };
      // The test broker is anonymous and has no dynamic-security plugin (as systemd-install.int).
      for (const key of [
        'HW_DYNSEC_URL',
        'HW_DYNSEC_USERNAME',
        'HW_DYNSEC_PASSWORD',
        'HW_MQTT_SERVICE_USERNAME',
        'HW_MQTT_SERVICE_PASSWORD',
      ])
        delete envFile[key];
      const envPath = join(dir, 'hazardwatch.env');
      writeFileSync(
        envPath,
        Object.entries(envFile)
          .map(([k, v]) => `${k}=${v}\n`)
          .join(''),
      );
      const files = { [ENV_FILE]: envPath };
      // This fleet's sessions on the shared broker end with the test: the 64 partitions' and the
      // single session the fleet checks for (and deletes) at its start.
      cleanups.push(() => endIngestSessions(mqttUrl, prefix));

      // hazardwatch-migrate: the schema and the site. It runs before every start of a unit that
      // requires it (Requires=, systemd's automatic restart included): each run is a process here.
      const runMigrate = async (): Promise<{ site?: { version: number } }> => {
        const migrate = unitProcess(migrateUnit, { host: HOST }, files);
        const migrated = await runToEnd(migrate.node, migrate.args, {
          env: { ...inherited(), ...migrate.env },
          cwd: REPO,
          timeoutMs: 120_000,
        });
        expect(migrated, migrated.out).toMatchObject({ code: 0 });
        return JSON.parse(migrated.out.trim().split('\n').pop()!) as { site?: { version: number } };
      };
      expect(await runMigrate()).toMatchObject({ site: { version: 1 } });
      // HW_SITE_FILE stays in the env file: each later migrate (every unit's start) finds the file
      // unchanged since it was stored and keeps what was edited through the API (migration 24).

      // The first admin, by hand with the env file (docs/install-debian.md §4's hw()).
      const created = await runToEnd(
        process.execPath,
        [`${REPO}services/cli/dist/main.js`, 'user', 'create', '--role', 'admin', '--username', 'admin'],
        {
          env: { ...inherited(), ...parseEnvFile(envPath) },
          cwd: REPO,
          input: `${PASSWORD}\n`,
          timeoutMs: 60_000,
        },
      );
      expect(created, created.out).toMatchObject({ code: 0 });

      const procs: StartedProcess[] = [];
      cleanups.push(async () => {
        for (const p of procs) await stopProcess(p.child, 5_000);
      });
      const start = (unit: typeof apiUnit, instance?: string): StartedProcess => {
        const spawned = unitProcess(unit, { host: HOST, ...(instance ? { instance } : {}) }, files);
        const proc = startProcess(spawned.node, spawned.args, {
          env: { ...inherited(), ...spawned.env },
          cwd: REPO,
        });
        procs.push(proc);
        return proc;
      };
      /** Ready, with a site in force (`siteVersion`: that one). */
      const ready = (what: string, proc: StartedProcess, port: number | string, siteVersion?: number) =>
        waitFor(
          async () => {
            if (proc.child.exitCode !== null) throw new Error(`${what} exited:\n${proc.output()}`);
            return readyz(port);
          },
          (r) =>
            r?.ready === true &&
            (siteVersion === undefined ? typeof r.siteVersion === 'number' : r.siteVersion === siteVersion),
          `${what} ready with site version ${siteVersion ?? '(any)'}`,
          60_000,
        );

      // hazardwatch-api, then hazardwatch-worker@ three times (the unit orders it after the API),
      // each after its migrate.
      await runMigrate();
      const api = start(apiUnit);
      await waitFor(
        async () => {
          if (api.child.exitCode !== null) throw new Error(`api exited:\n${api.output()}`);
          return fetch(`http://127.0.0.1:${apiHealth}/readyz`).then(
            async (r) => (r.ok ? ((await r.json()) as Record<string, unknown>) : null),
            () => null,
          );
        },
        (r) => r?.['ready'] === true && r['siteVersion'] === 1,
        'api ready with the stored site',
        60_000,
      );
      const instances = [String(await freePort()), String(await freePort()), String(await freePort())];
      const workers: Worker[] = instances.map((instance) => ({
        instance,
        proc: start(workerUnit, instance),
      }));
      await Promise.all(workers.map((w) => ready(`worker@${w.instance}`, w.proc, w.instance, 1)));
      expect((await check.query('SELECT 1 FROM site_documents')).rowCount).toBe(1);

      /** Live lease owners by instance (owner `{host}-{instance}-{random}`): docs §6's SELECT as is. */
      const shares = async (): Promise<Map<string, number>> => {
        const { rows } = await check.query<{ owner: string | null; count: string }>(
          'SELECT owner, count(*) FROM partition_leases WHERE expires_at > now() GROUP BY owner',
        );
        return new Map(
          rows.map((r) => [
            instances.find((i) => r.owner?.startsWith(`${HOST}-${i}-`)) ?? `other:${r.owner}`,
            Number(r.count),
          ]),
        );
      };
      const holder = async (enterprise: string): Promise<{ instance: string; epoch: number } | undefined> => {
        const { rows } = await check.query<{ owner: string; epoch: string }>(
          `SELECT owner, epoch::text FROM partition_leases
            WHERE partition = $1 AND owner IS NOT NULL AND expires_at > now()`,
          [partitionOf(enterprise)],
        );
        const row = rows[0];
        const instance = row && instances.find((i) => row.owner.startsWith(`${HOST}-${i}-`));
        return row && instance ? { instance, epoch: Number(row.epoch) } : undefined;
      };

      // Three live owners, 21 or 22 partitions each (docs: the SELECT of §6 and /readyz).
      const balanced = await waitFor(
        shares,
        (s) =>
          s.size === 3 &&
          instances.every((i) => [21, 22].includes(s.get(i) ?? 0)) &&
          [...s.values()].reduce((a, b) => a + b, 0) === PARTITION_COUNT,
        'the 64 partitions shared 21/22 by the three worker@ instances',
        30_000,
      );
      expect([...balanced.keys()].sort()).toEqual([...instances].sort());
      // Each worker's /readyz lists what it holds once taken (restored, session open): all 64.
      await waitFor(
        async () =>
          (await Promise.all(instances.map(async (i) => (await readyz(i))?.partitions ?? []))).flat(),
        (held) => held.length === PARTITION_COUNT && new Set(held).size === PARTITION_COUNT,
        "the 64 partitions listed once by the workers' /readyz",
        15_000,
      );

      const call = async (method: string, path: string, token?: string, body?: unknown) => {
        const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1${path}`, {
          method,
          headers: {
            ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      const login = await call('POST', '/auth/login', undefined, { username: 'admin', password: PASSWORD });
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      const token = login.body['accessToken'] as string;
      const active = async (enterprise: string) =>
        ((await call('GET', `/alarms/active?enterprise=${enterprise}`, token)).body['items'] ?? []) as Array<{
          condition: string;
        }>;

      const pub: MqttClient = await mqtt.connectAsync(mqttUrl, { clientId: `${prefix}-pub`, clean: true });
      cleanups.push(() => pub.endAsync());
      const [e] = codes as [string];
      const publish = (value: number) =>
        pub.publishAsync(
          telemetryTopic({ enterprise: e, gateway: 'GW01' }),
          JSON.stringify({ readings: [{ tag: 'PT-1', ts: Date.now(), value }] }),
          { qos: 1 },
        );
      const points = await call('GET', `/points?enterprise=${e}&limit=50`, token);
      const pt = (points.body['items'] as Array<{ id: number; tag: string }>).find((p) => p.tag === 'PT-1')!;

      // A reading above H, published to the broker: stored, and its alarm shown by the API.
      await publish(1.1);
      await waitFor(
        () => call('GET', `/points/${pt.id}/latest`, token),
        (r) => (r.body['items'] as Array<{ value: number }> | undefined)?.[0]?.value === 1.1,
        'the reading stored (REST latest)',
        15_000,
      );
      await waitFor(
        () => active(e),
        (a) => a.some((x) => x.condition === 'H'),
        'H shown by the API',
        15_000,
      );

      // A site edit through the API: HH lowered to 1.15 (the file says 1.2), in force everywhere.
      const edited = await call('PATCH', `/points/${pt.id}`, token, { limits: { h: 1.0, hh: 1.15 } });
      expect(edited.status, JSON.stringify(edited.body)).toBe(200);
      expect(edited.body['siteVersion']).toBe(2);
      await Promise.all(workers.map((w) => ready(`worker@${w.instance}`, w.proc, w.instance, 2)));

      // kill -9 of the worker holding E's partition; 1.18 (HH only under the edit) published at once.
      const before = (await holder(e))!;
      const victim = workers.find((w) => w.instance === before.instance)!;
      const killedAt = Date.now();
      victim.proc.child.kill('SIGKILL');
      await victim.proc.exited;
      await publish(1.18);
      await waitFor(
        () => active(e),
        (a) => a.some((x) => x.condition === 'HH'),
        'HH raised by a survivor and shown by the API',
        FAILOVER_LIMIT_MS,
      );
      expect(Date.now() - killedAt).toBeLessThan(FAILOVER_LIMIT_MS);
      const after = (await holder(e))!;
      expect(after.instance).not.toBe(before.instance);
      expect(after.epoch).toBeGreaterThan(before.epoch);

      // systemd restarts it (Restart=on-failure; migrate first): it joins again, the edit stays.
      await runMigrate();
      const restarted: Worker = { instance: victim.instance, proc: start(workerUnit, victim.instance) };
      const back = await ready(`restarted worker@${restarted.instance}`, restarted.proc, restarted.instance);
      expect(back?.siteVersion, 'the file stored again over the edit').toBe(2);
      const point = await call('GET', `/points/${pt.id}`, token);
      expect(point.body, JSON.stringify(point.body)).toMatchObject({ limits: { h: 1.0, hh: 1.15 } });
      await waitFor(
        shares,
        (s) => s.size === 3 && [...s.values()].every((n) => n === 21 || n === 22),
        'the restarted worker holding its share again',
        30_000,
      );

      // HW_SITE_FILE stays in hazardwatch.env: migrate (before any unit's start) stores the file
      // only when it changed since it was last stored, so the edit stays; an edited file is stored.
      expect(await runMigrate()).toMatchObject({ site: { version: 2 } });
      writeFileSync(sitePath, readFileSync(sitePath, 'utf8').replace('"name":"储罐区"', '"name":"储罐区一"'));
      expect(await runMigrate()).toMatchObject({ site: { version: 3 } });

      // SIGTERM (systemctl stop): every worker and the API exit 0 within TimeoutStopSec.
      const live = [...workers.filter((w) => w !== victim).map((w) => w.proc), restarted.proc, api];
      const ends = await Promise.all(live.map((p) => stopProcess(p.child, STOP_LIMIT_MS)));
      expect(ends, live.map((p) => p.output().slice(-2000)).join('\n---\n')).toEqual(
        live.map(() => ({ code: 0, signal: null })),
      );
    }, 120_000);
  },
);
