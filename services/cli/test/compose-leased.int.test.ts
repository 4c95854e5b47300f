import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic } from '@hazardwatch/contracts';
import { PARTITION_COUNT, partitionOf } from '@hazardwatch/ingest';
import { createTestDatabase, providedServices, waitFor, type TestDatabase } from '@hazardwatch/testkit';
import { LEASED_FILE, loadCompose } from './compose-files.js';
import { ComposeProcesses, composeStackMissing, dotenvFromExample } from './compose-processes.js';
import { restCall } from './duty-screen.js';
import { devCa } from './mosquitto-support.js';
import { freePort } from './process-support.js';

/**
 * docker-compose.leased.yml — the stack with failover (issue #23) — as processes, the way
 * compose-stack.int.test.ts runs docker-compose.yml: every service in compose's order with the
 * environment compose gives it, `ingest` in its three replicas (`deploy.replicas`), each a leased
 * worker. migrate stores the site file; the workers run without it.
 *
 * Then as a user: the first admin, a gateway and two points through the `api`, the gateway's
 * credential; a reading above HH over TLS is stored and alarms. The worker holding the
 * enterprise's partition is killed with SIGKILL (`docker kill`): a survivor takes the partition
 * over and raises the second point's HH published after the kill, the first point's is not raised
 * again, nothing the broker acknowledged is lost; compose's restart policy brings the worker back
 * and it gets its share again. SIGTERM ends every process with exit 0.
 */
const { postgresAdminUrl } = providedServices();
const E1 = '91320623MA1W000001';
const ADMIN_PASSWORD = `admin-${randomBytes(9).toString('hex')}`;
const WORKERS = ['ingest-1', 'ingest-2', 'ingest-3'];
const missing = composeStackMissing();

describe.skipIf(missing !== undefined)(
  `the leased compose stack as processes${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let dir: string | undefined;
    let db: TestDatabase | undefined;
    let check: pg.Client | undefined;
    let stack: ComposeProcesses;
    let token = '';
    const ids: Record<string, number> = {};
    const clients: MqttClient[] = [];
    let device: MqttClient;
    /** Readings the broker acknowledged (PUBACK), by point tag. */
    const acked: { tag: string; ts: number }[] = [];
    const port = (service: string, containerPort: number) => stack.port(service, containerPort);

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'hw-compose-leased-'));
      chmodSync(dir, 0o755);
      const project = loadCompose([LEASED_FILE], dotenvFromExample());
      db = await createTestDatabase(postgresAdminUrl, 'hw_cmpl');
      const free = async (...containerPorts: number[]) =>
        new Map(await Promise.all(containerPorts.map(async (p) => [p, await freePort()] as const)));
      stack = new ComposeProcesses({
        project,
        dir,
        database: { service: 'timescaledb', url: db.url },
        ports: new Map([
          ['timescaledb', new Map([[5432, Number(new URL(db.url).port || 5432)]])],
          ['mosquitto', await free(1883, 8883)],
          ['redis', await free(6379)],
          ['api', await free(8080, 9464)],
          ...(await Promise.all(WORKERS.map(async (w) => [w, await free(9464)] as const))),
        ]),
        binds: { './deploy/mosquitto/certs': join(dir, 'certs') },
      });
      devCa(stack.cliMain, join(dir, 'certs'));
      await stack.startAll();
      check = new pg.Client({ connectionString: db.url });
      await check.connect();
    }, 600_000);

    afterAll(async () => {
      for (const c of clients.splice(0)) await c.endAsync(true).catch(() => undefined);
      await stack?.stopAll(20_000);
      await check?.end();
      await db?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 120_000);

    const call = (method: 'GET' | 'POST', path: string, body?: unknown) =>
      restCall(port('api', 8080), method, path, { ...(token ? { token } : {}), body });
    /** Partitions each live owner holds (database clock). */
    const shares = async (): Promise<number[]> =>
      (
        await check!.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM partition_leases
            WHERE owner IS NOT NULL AND expires_at > now() GROUP BY owner ORDER BY 1`,
        )
      ).rows.map((r) => r.n);
    /** The worker instance whose /readyz lists the partition. */
    const holder = async (partition: number): Promise<string | undefined> => {
      for (const w of WORKERS) {
        const ready = await fetch(`http://127.0.0.1:${port(w, 9464)}/readyz`)
          .then((r) => r.json() as Promise<{ partitions?: number[] }>)
          .catch(() => undefined);
        if (ready?.partitions?.includes(partition)) return w;
      }
      return undefined;
    };
    const publish = async (tag: string, ts: number, value: number) => {
      await device.publishAsync(
        telemetryTopic({ enterprise: E1, gateway: 'GW09' }),
        JSON.stringify({ readings: [{ tag, ts, value }] }),
        { qos: 1 },
      );
      acked.push({ tag, ts });
    };
    const hhAlarms = async (tag: string) =>
      (
        (await call('GET', `/alarms/active?enterprise=${E1}`)).body['items'] as
          Array<{ pointId?: number; condition: string }> | undefined
      )?.filter((a) => a.pointId === ids[tag] && a.condition === 'HH') ?? [];
    /** Raises of HH for the point (from NORM or RTNUN to UNACK). */
    const raises = async (tag: string): Promise<number> =>
      (
        await check!.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM alarm_events
            WHERE source_key = 'point:' || $1 AND condition = 'HH' AND to_state = 'UNACK'
              AND from_state IN ('NORM', 'RTNUN')`,
          [ids[tag]],
        )
      ).rows[0]!.n;

    it('migrate stores the site, every service starts and passes its health check, three workers share the 64 partitions', async () => {
      expect(stack.completed.get('mosquitto-init')).toMatchObject({ code: 0 });
      const migrate = stack.completed.get('migrate');
      expect(migrate).toMatchObject({ code: 0 });
      const summary = JSON.parse(migrate!.out.split('\n').find((l) => l.startsWith('{"dialect"'))!) as {
        site?: { points: number };
      };
      expect(summary.site?.points).toBeGreaterThan(0);
      // The workers run without the file: they use what migrate stored.
      for (const w of WORKERS) expect(stack.processEnv(w)['HW_SITE_FILE']).toBeUndefined();
      for (const name of ['mosquitto', 'redis', 'api', ...WORKERS]) {
        const result = await stack.healthcheck(name);
        expect(result.code, `${name}: ${result.out}`).toBe(0);
      }
      const even = await waitFor(
        shares,
        (s) => s.length === 3 && s.every((n) => n === 21 || n === 22),
        'three even shares',
        30_000,
      );
      expect(even.reduce((a, b) => a + b, 0)).toBe(PARTITION_COUNT);
    });

    it('a reading above HH over TLS alarms; SIGKILL of the worker holding its enterprise: a survivor takes over, raises the next HH, nothing lost, nothing raised twice', async () => {
      const created = await stack.run(
        'migrate',
        ['user', 'create', '--role', 'admin', '--username', 'admin'],
        `${ADMIN_PASSWORD}\n`,
      );
      expect(created, created.out).toMatchObject({ code: 0 });
      const session = await call('POST', '/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
      expect(session.status).toBe(200);
      token = session.body['accessToken'] as string;
      const gateway = await call('POST', `/enterprises/${E1}/gateways`, {
        code: 'GW09',
        name: '液氯储罐区新网关',
      });
      expect(gateway.status, JSON.stringify(gateway.body)).toBe(201);
      for (const tag of ['PT-1909', 'PT-1910']) {
        const point = await call('POST', `/enterprises/${E1}/points`, {
          tag,
          hazard: 'CL-TF01',
          gateway: 'GW09',
          name: `液氯储罐压力 ${tag}`,
          kind: 'pressure',
          unit: 'MPa',
          range: { min: 0, max: 2.5 },
          limits: { h: 1.0, hh: 1.2 },
        });
        expect(point.status, JSON.stringify(point.body)).toBe(201);
      }
      const points = await call('GET', `/points?enterprise=${E1}&limit=500`);
      for (const p of points.body['items'] as Array<{ id: number; tag: string }>) ids[p.tag] = p.id;
      const issued = await waitFor(
        () => call('POST', `/enterprises/${E1}/gateways/GW09/credentials`),
        (r) => r.status === 201,
        'the credential',
        30_000,
      );
      const { username, secret } = issued.body as { username: string; secret: string };
      device = await mqtt.connectAsync(`mqtts://127.0.0.1:${port('mosquitto', 8883)}`, {
        clientId: `gw09-${randomBytes(3).toString('hex')}`,
        ca: readFileSync(join(dir!, 'certs', 'ca.crt')),
        username,
        password: secret,
        reconnectPeriod: 0,
        connectTimeout: 10_000,
      });
      clients.push(device);

      // PT-1909 above HH (1.2 MPa) for longer than the site's 5 s on-delay.
      const t0 = Date.now();
      for (const ts of [t0 - 20_000, t0 - 10_000, t0 - 1_000]) await publish('PT-1909', ts, 1.35);
      await waitFor(
        () => hhAlarms('PT-1909'),
        (a) => a.length === 1,
        'HH of PT-1909',
        30_000,
      );

      const partition = partitionOf(E1);
      const victim = await holder(partition);
      expect(victim, 'a worker holds the enterprise').toBeDefined();
      const before = (
        await check!.query<{ epoch: number }>(
          'SELECT epoch::int AS epoch FROM partition_leases WHERE partition = $1',
          [partition],
        )
      ).rows[0]!.epoch;
      const killed = await stack.kill(victim!, 'SIGKILL');
      expect(killed.signal).toBe('SIGKILL');
      const killedAt = Date.now();

      // Published while nobody holds the partition: the broker keeps it for the partition's session.
      for (const ts of [killedAt - 15_000, killedAt - 7_000, killedAt]) await publish('PT-1910', ts, 1.4);
      // PT-1909 still above HH: restored, never raised again.
      await publish('PT-1909', killedAt, 1.36);
      await waitFor(
        () => hhAlarms('PT-1910'),
        (a) => a.length === 1,
        'HH of PT-1910 after the kill',
        30_000,
      );
      const tookOverMs = Date.now() - killedAt;
      const after = await check!.query<{ owner: string; epoch: number }>(
        'SELECT owner, epoch::int AS epoch FROM partition_leases WHERE partition = $1 AND expires_at > now()',
        [partition],
      );
      expect(after.rows[0]!.epoch).toBeGreaterThan(before);
      const newHolder = await holder(partition);
      expect(newHolder).toBeDefined();
      expect(newHolder).not.toBe(victim);
      expect(tookOverMs).toBeLessThan(30_000);
      expect(await raises('PT-1909')).toBe(1);
      expect(await raises('PT-1910')).toBe(1);

      // Every reading the broker acknowledged is stored, once.
      for (const { tag, ts } of acked) {
        const { rows } = await check!.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM readings WHERE point_id = $1 AND (extract(epoch FROM ts) * 1000)::bigint = $2',
          [ids[tag], ts],
        );
        expect([tag, ts, rows[0]!.n]).toEqual([tag, ts, 1]);
      }

      // compose's restart policy brings the worker back; it gets its share again.
      await stack.restart(victim!);
      await waitFor(
        shares,
        (s) => s.length === 3 && s.every((n) => n === 21 || n === 22),
        'three even shares again',
        30_000,
      );
    });

    it('the dashboard and its login on the api port; /metrics on the internal health ports only', async () => {
      const page = await fetch(`http://127.0.0.1:${port('api', 8080)}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<html lang="zh-CN">');
      expect((await fetch(`http://127.0.0.1:${port('api', 8080)}/metrics`)).status).toBe(404);
      for (const w of WORKERS) {
        const metrics = await fetch(`http://127.0.0.1:${port(w, 9464)}/metrics`);
        expect(metrics.status).toBe(200);
        expect(await metrics.text()).toContain('hw_ingest_partitions_held');
      }
    });

    it('SIGTERM stops every long-running service with exit 0, dependants first', async () => {
      const exits = await stack.stopAll(30_000);
      const tails = Object.fromEntries(
        Object.keys(exits).map((name) => [name, stack.output(name).split('\n').slice(-15).join('\n')]),
      );
      expect(exits, JSON.stringify(tails, null, 1)).toEqual({
        'ingest-1': { code: 0, signal: null },
        'ingest-2': { code: 0, signal: null },
        'ingest-3': { code: 0, signal: null },
        api: { code: 0, signal: null },
        redis: { code: 0, signal: null },
        mosquitto: { code: 0, signal: null },
      });
    });
  },
);
