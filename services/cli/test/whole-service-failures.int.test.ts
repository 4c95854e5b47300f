import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic } from '@hazardwatch/contracts';
import {
  createTestDatabase,
  providedServices,
  startTcpProxy,
  waitFor,
  type TcpProxy,
  type TestDatabase,
} from '@hazardwatch/testkit';
import { DutyScreen, restCall } from './duty-screen.js';
import {
  freePort,
  hasBinary,
  portOpen,
  runToEnd,
  startProcess,
  stopProcess,
  type StartedProcess,
} from './process-support.js';
import { giveToMosquitto, MOSQUITTO } from './mosquitto-support.js';
import { endIngestSessions } from './leased-support.js';
import { REPO } from './systemd-files.js';

/**
 * The whole service's failures that no other test shows (issue #23, docs/operations.md §5.1
 * "Whole-service failure table"): real processes from this checkout's build, the shared
 * PostgreSQL and Mosquitto, and peers of the test's own (a private redis-server, a TCP proxy in
 * front of the database) which are the ones stopped or cut — never the machine's services.
 */
const { postgresAdminUrl, mqttUrl } = providedServices();
const CLI = `${REPO}services/cli/dist/main.js`;
const EXAMPLE = `${REPO}services/core/examples/site.example.yaml`;
const SECRET = randomBytes(24).toString('hex');
const PASSWORD = `duty-${randomBytes(9).toString('hex')}`;
const noRedis = !hasBinary('redis-server', '--version');

const code = () => `91320623W${randomBytes(4).toString('hex').toUpperCase()}`.slice(0, 18);

type Json = Record<string, unknown>;

/** `/readyz` of a health port: status and body (null when nothing answers). */
async function readyz(port: number): Promise<{ status: number; body: Json } | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    return { status: res.status, body: (await res.json()) as Json };
  } catch {
    return null;
  }
}

/** One sample of a Prometheus family without labels, from a health port. */
async function metric(port: number, name: string): Promise<number | undefined> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/** A private redis-server on `port`, as compose's (nothing on disk). */
function startRedis(port: number): StartedProcess {
  return startProcess('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
}

/** Readings of `tag` (GW01) beyond `value` for longer than the example site's on-delays (source time). */
async function beyondLimit(pub: MqttClient, enterprise: string, tag: string, value: number): Promise<void> {
  const now = Date.now();
  for (const ts of [now - 90_000, now - 45_000, now - 1000])
    await pub.publishAsync(
      telemetryTopic({ enterprise, gateway: 'GW01' }),
      JSON.stringify({ readings: [{ tag, ts, value }] }),
      { qos: 1 },
    );
}

function siteWith(dir: string, e1: string, e2: string): string {
  const site = readFileSync(EXAMPLE, 'utf8')
    .replaceAll('91320623MA1W000001', e1)
    .replaceAll('91320623MA1W000002', e2);
  const path = join(dir, 'site.yaml');
  writeFileSync(path, site);
  return path;
}

async function ready(what: string, proc: StartedProcess, healthPort: number): Promise<void> {
  await waitFor(
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`${what} exited:\n${proc.output()}`);
      return readyz(healthPort);
    },
    (r) => r !== null && r.body['ready'] === true && r.body['siteVersion'] !== null,
    `${what} ready`,
    90_000,
  );
}

describe.skipIf(noRedis)(
  `Redis stopped under one ingest and two API instances${noRedis ? ' (skipped: no redis-server)' : ''}`,
  () => {
    const E1 = code();
    let dir: string;
    let db: TestDatabase;
    let redisPort: number;
    let redis: StartedProcess;
    let ingest: StartedProcess;
    let ingestHealth: number;
    const apis: StartedProcess[] = [];
    const apiPorts: number[] = [];
    const apiHealth: number[] = [];
    let pub: MqttClient;
    let token: string;
    const screens: DutyScreen[] = [];
    const clientId = `hw-wsf-${randomBytes(3).toString('hex')}`;

    const env = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
      PATH: process.env['PATH'],
      DATABASE_URL: db.url,
      HW_JWT_SECRET: SECRET,
      LOG_LEVEL: 'info',
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      ...extra,
    });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'hw-wsf-'));
      db = await createTestDatabase(postgresAdminUrl, 'hw_wsf');
      redisPort = await freePort();
      redis = startRedis(redisPort);
      await portOpen(redisPort, 20_000);
      const site = siteWith(dir, E1, code());
      ingestHealth = await freePort();
      ingest = startProcess(process.execPath, [CLI, 'ingest'], {
        env: env({
          MQTT_URL: mqttUrl,
          HW_SITE_FILE: site,
          HW_INGEST_CLIENT_ID: clientId,
          HW_HEALTH_PORT: String(ingestHealth),
        }),
        cwd: REPO,
      });
      await ready('ingest', ingest, ingestHealth);
      const created = await runToEnd(
        process.execPath,
        [CLI, 'user', 'create', '--role', 'admin', '--username', 'duty'],
        { env: env({}), cwd: REPO, input: `${PASSWORD}\n`, timeoutMs: 60_000 },
      );
      expect(created, created.out).toMatchObject({ code: 0 });
      for (const i of [0, 1]) {
        const [port, health] = [await freePort(), await freePort()];
        apiPorts.push(port);
        apiHealth.push(health);
        const proc = startProcess(process.execPath, [CLI, 'api'], {
          env: env({ HW_API_PORT: String(port), HW_HEALTH_PORT: String(health) }),
          cwd: REPO,
        });
        apis.push(proc);
        await ready(`api ${i}`, proc, health);
      }
      pub = await mqtt.connectAsync(mqttUrl, { clientId: `hw-wsf-pub-${randomBytes(3).toString('hex')}` });
      const login = await restCall(apiPorts[0]!, 'POST', '/auth/login', {
        body: { username: 'duty', password: PASSWORD },
      });
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      token = login.body['accessToken'] as string;
    }, 240_000);

    afterAll(async () => {
      for (const s of screens.splice(0)) s.close();
      await pub?.endAsync();
      for (const p of apis) await stopProcess(p.child, 10_000);
      if (ingest) await stopProcess(ingest.child, 20_000);
      // The default ingest is leased: its 64 partitions' sessions too.
      await endIngestSessions(mqttUrl, clientId);
      if (redis) await stopProcess(redis.child, 10_000);
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    const screenOn = async (i: number): Promise<DutyScreen> => {
      const s = new DutyScreen({
        port: apiPorts[i]!,
        token,
        scopes: [{ type: 'enterprise', code: E1 }],
        transports: ['websocket'],
        enterprise: E1,
      });
      screens.push(s);
      await waitFor(
        () => Promise.resolve(s.snapshots),
        (n) => n > 0,
        `a screen on api ${i} subscribed and loaded`,
      );
      return s;
    };

    const activeHh = async (port: number, tag: string): Promise<string> => {
      const points = await restCall(port, 'GET', `/points?enterprise=${E1}&limit=500`, { token });
      const pointId = (points.body['items'] as Array<{ id: number; tag: string }>).find(
        (p) => p.tag === tag,
      )!.id;
      const found = await waitFor(
        () => restCall(port, 'GET', `/alarms/active?enterprise=${E1}`, { token }),
        (r) =>
          (r.body['items'] as Array<{ pointId: number; condition: string }> | undefined)?.some(
            (a) => a.pointId === pointId && a.condition === 'HH',
          ) ?? false,
        `the HH alarm of ${tag} over REST on port ${port}`,
        30_000,
      );
      return (found.body['items'] as Array<{ id: string; pointId: number; condition: string }>).find(
        (a) => a.pointId === pointId && a.condition === 'HH',
      )!.id;
    };

    it('live push stops on every screen while Redis is away, and every screen and /readyz says so within 5 s (REST and acknowledgements unaffected, still 200); the events of the outage arrive once it is back, each once, and the screens are told live again', async () => {
      const ws = [await screenOn(0), await screenOn(1)];
      // What each screen is told of live push (live-status), with the time it heard it.
      const told = ws.map(() => [] as Array<{ live: boolean; at: number }>);
      ws.forEach((s, i) =>
        s.socket.on('live-status', (st) => told[i]!.push({ live: st.live, at: Date.now() })),
      );
      // Before: an ingest alarm reaches both instances' screens through Redis.
      await beyondLimit(pub, E1, 'LT-1101', 90);
      const before = await activeHh(apiPorts[0]!, 'LT-1101');
      await waitFor(
        () => Promise.resolve(ws.map((s) => s.eventsOf(before, 'UNACK').length)),
        (n) => n.every((c) => c === 1),
        'the first alarm on both screens',
      );

      await stopProcess(redis.child, 10_000);
      const stoppedAt = Date.now();
      await beyondLimit(pub, E1, 'PT-1101', 1.35);
      // REST on both instances has it, and an acknowledgement through instance 0 is stored.
      const during = await activeHh(apiPorts[1]!, 'PT-1101');
      await activeHh(apiPorts[0]!, 'PT-1101');
      const ack = await restCall(apiPorts[0]!, 'POST', `/alarms/${during}/ack`, { token });
      expect(ack.status, JSON.stringify(ack.body)).toBe(200);
      // Held 5 s: no screen hears of the alarm, but every screen is told live push is interrupted
      // (still connected: the dashboard then reloads its snapshot every 10 s), and every /readyz
      // says degraded while staying 200 (REST works; a balancer must not drop every instance).
      await new Promise((r) => setTimeout(r, 5000));
      const [ingestReadyz, api0Readyz, api1Readyz] = [
        await readyz(ingestHealth),
        await readyz(apiHealth[0]!),
        await readyz(apiHealth[1]!),
      ];
      const outage = {
        shown: ws.map((s) => s.shown.has(during)),
        connected: ws.map((s) => s.socket.connected),
        troubles: ws.map((s) => s.troubles),
        told: told.map((t) => t.map((x) => x.live)),
        toldWithinMs: told.map((t) => (t[0] === undefined ? null : t[0].at - stoppedAt < 5000)),
        ingestReady: [ingestReadyz?.status, ingestReadyz?.body['live'], ingestReadyz?.body['status']],
        apiReady: [api0Readyz, api1Readyz].map((r) => [r?.status, r?.body['live'], r?.body['status']]),
        // The API port's own /readyz too: what a balancer that checks the API port sees.
        apiPortReady: await Promise.all(
          apiPorts.map(async (p) => {
            const r = await readyz(p);
            return [r?.status, r?.body['live'], r?.body['status']];
          }),
        ),
        apiGauge: [
          await metric(apiHealth[0]!, 'hw_api_live_redis_connected'),
          await metric(apiHealth[1]!, 'hw_api_live_redis_connected'),
        ],
        ingestGauge: await metric(ingestHealth, 'hw_ingest_live_redis_connected'),
        ingestAlive: ingest.child.exitCode,
        apisAlive: apis.map((a) => a.child.exitCode),
      };
      expect(outage).toEqual({
        shown: [false, false],
        connected: [true, true],
        troubles: [[], []],
        told: [[false], [false]],
        toldWithinMs: [true, true],
        ingestReady: [200, 'degraded', 'degraded'],
        apiReady: [
          [200, 'degraded', 'degraded'],
          [200, 'degraded', 'degraded'],
        ],
        apiPortReady: [
          [200, 'degraded', 'degraded'],
          [200, 'degraded', 'degraded'],
        ],
        apiGauge: [0, 0],
        ingestGauge: 0,
        ingestAlive: null,
        apisAlive: [null, null],
      });

      // Redis back on the same port, empty (nothing on disk, as compose's).
      redis = startRedis(redisPort);
      await portOpen(redisPort, 20_000);
      const backAt = Date.now();
      // What was published during the outage was held by each process's Redis client and goes out
      // at its reconnection: the raise and the acknowledgement reach both screens, once each.
      await waitFor(
        () => Promise.resolve(ws.map((s) => s.shown.get(during)?.state ?? null)),
        (states) => states.every((st) => st === 'ACKED'),
        'the alarm raised and acknowledged during the outage on both screens',
        30_000,
      );
      const lateMs = Date.now() - backAt;
      // Told live again, once each way; /readyz and the gauges back to ok.
      await waitFor(
        () => Promise.resolve(told.map((t) => t.map((x) => x.live))),
        (t) => t.every((x) => x.length === 2 && x[1] === true),
        'both screens told live again',
        30_000,
      );
      await waitFor(
        async () => [
          (await readyz(ingestHealth))?.body['live'],
          (await readyz(apiHealth[0]!))?.body['live'],
          (await readyz(apiHealth[1]!))?.body['live'],
          await metric(apiHealth[0]!, 'hw_api_live_redis_connected'),
          await metric(apiHealth[1]!, 'hw_api_live_redis_connected'),
          await metric(ingestHealth, 'hw_ingest_live_redis_connected'),
          (await readyz(apiPorts[0]!))?.body['live'],
          (await readyz(apiPorts[1]!))?.body['status'],
        ],
        (r) => JSON.stringify(r) === JSON.stringify(['ok', 'ok', 'ok', 1, 1, 1, 'ok', 'ok']),
        'readiness and gauges back to ok',
        30_000,
      );
      for (const s of ws) {
        expect(s.eventsOf(during, 'UNACK')).toHaveLength(1);
        expect(s.eventsOf(during, 'ACKED')).toHaveLength(1);
      }
      // And live push goes on as before.
      await beyondLimit(pub, E1, 'TT-1101', 50);
      const after = await activeHh(apiPorts[1]!, 'TT-1101');
      await waitFor(
        () => Promise.resolve(ws.map((s) => s.eventsOf(after, 'UNACK').length)),
        (n) => n.every((c) => c === 1),
        'an alarm after Redis returned on both screens',
      );
      for (const s of ws) expect(s.troubles).toEqual([]);
      expect(lateMs, `stopped at ${stoppedAt}, back at ${backAt}`).toBeLessThan(30_000);
    }, 120_000);
  },
);

describe.skipIf(noRedis)(
  `an api and an ingest started while Redis is down${noRedis ? ' (skipped: no redis-server)' : ''}`,
  () => {
    const E1 = code();
    let dir: string;
    let db: TestDatabase;
    /** Nothing listens on it until the test starts the private redis-server there. */
    let redisPort: number;
    let redis: StartedProcess | undefined;
    let ingest: StartedProcess;
    let ingestHealth: number;
    let api: StartedProcess;
    let apiPort: number;
    let apiHealth: number;
    let pub: MqttClient;
    let token: string;
    let screen: DutyScreen | undefined;
    /** What the screen is told of live push (live-status), in order. */
    const told: boolean[] = [];
    const clientId = `hw-wsl-${randomBytes(3).toString('hex')}`;

    const env = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
      PATH: process.env['PATH'],
      DATABASE_URL: db.url,
      HW_JWT_SECRET: SECRET,
      LOG_LEVEL: 'info',
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      ...extra,
    });
    /** The live events of one alarm in one state the screen received live (not replayed). */
    const liveEvents = (alarmId: string, to: string) =>
      (screen?.eventsOf(alarmId, to) ?? []).filter((e) => !e.replayed);
    const activeHh = async (tag: string): Promise<string> => {
      const points = await restCall(apiPort, 'GET', `/points?enterprise=${E1}&limit=500`, { token });
      const pointId = (points.body['items'] as Array<{ id: number; tag: string }>).find(
        (p) => p.tag === tag,
      )!.id;
      const found = await waitFor(
        () => restCall(apiPort, 'GET', `/alarms/active?enterprise=${E1}`, { token }),
        (r) =>
          (r.body['items'] as Array<{ pointId: number; condition: string }> | undefined)?.some(
            (a) => a.pointId === pointId && a.condition === 'HH',
          ) ?? false,
        `the HH alarm of ${tag} over REST`,
        30_000,
      );
      return (found.body['items'] as Array<{ id: string; pointId: number; condition: string }>).find(
        (a) => a.pointId === pointId && a.condition === 'HH',
      )!.id;
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'hw-wsl-'));
      db = await createTestDatabase(postgresAdminUrl, 'hw_wsl');
      redisPort = await freePort();
      ingestHealth = await freePort();
      ingest = startProcess(process.execPath, [CLI, 'ingest'], {
        env: env({
          MQTT_URL: mqttUrl,
          HW_SITE_FILE: siteWith(dir, E1, code()),
          HW_INGEST_CLIENT_ID: clientId,
          HW_HEALTH_PORT: String(ingestHealth),
        }),
        cwd: REPO,
      });
      await ready('ingest', ingest, ingestHealth);
      const created = await runToEnd(
        process.execPath,
        [CLI, 'user', 'create', '--role', 'admin', '--username', 'duty'],
        { env: env({}), cwd: REPO, input: `${PASSWORD}\n`, timeoutMs: 60_000 },
      );
      expect(created, created.out).toMatchObject({ code: 0 });
      [apiPort, apiHealth] = [await freePort(), await freePort()];
      api = startProcess(process.execPath, [CLI, 'api'], {
        env: env({ HW_API_PORT: String(apiPort), HW_HEALTH_PORT: String(apiHealth) }),
        cwd: REPO,
      });
      const apiReadyz = async (): Promise<number> =>
        fetch(`http://127.0.0.1:${apiPort}/readyz`).then(
          (r) => r.status,
          () => 0,
        );
      await waitFor(apiReadyz, (st) => st === 200, 'the API port answering /readyz', 60_000);
      const login = await restCall(apiPort, 'POST', '/auth/login', {
        body: { username: 'duty', password: PASSWORD },
      });
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      token = login.body['accessToken'] as string;
      pub = await mqtt.connectAsync(mqttUrl, { clientId: `hw-wsl-pub-${randomBytes(3).toString('hex')}` });
    }, 240_000);

    afterAll(async () => {
      screen?.close();
      await pub?.endAsync();
      if (api) await stopProcess(api.child, 10_000);
      if (ingest) await stopProcess(ingest.child, 20_000);
      // The default ingest is leased: its 64 partitions' sessions too.
      await endIngestSessions(mqttUrl, clientId);
      if (redis) await stopProcess(redis.child, 10_000);
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it('the api starts at once: its health port says ready with live degraded, socket.io answers, a screen that connects is told live:false; the ingest likewise', async () => {
      const portAt = Date.now();
      // The start does not wait for Redis: the health port follows the API port within seconds.
      const health = await waitFor(
        async () => {
          if (api.child.exitCode !== null) throw new Error(`api exited:\n${api.output()}`);
          return readyz(apiHealth);
        },
        (r) => r !== null,
        'the health port of the api started while Redis is down',
        10_000,
      );
      expect(Date.now() - portAt).toBeLessThan(10_000);
      screen = new DutyScreen({
        port: apiPort,
        token,
        scopes: [{ type: 'enterprise', code: E1 }],
        transports: ['websocket'],
        enterprise: E1,
      });
      screen.socket.on('live-status', (st) => told.push(st.live));
      await waitFor(
        () => Promise.resolve({ snapshots: screen!.snapshots, told: [...told] }),
        (s) => s.snapshots > 0 && s.told.length > 0,
        'the screen subscribed, loaded and told of live push',
        10_000,
      );
      const ingestReadyz = await readyz(ingestHealth);
      expect({
        health: [health?.status, health?.body['ready'], health?.body['live'], health?.body['status']],
        apiGauge: await metric(apiHealth, 'hw_api_live_redis_connected'),
        ingest: [ingestReadyz?.status, ingestReadyz?.body['live'], ingestReadyz?.body['status']],
        ingestGauge: await metric(ingestHealth, 'hw_ingest_live_redis_connected'),
        told,
        troubles: screen.troubles,
        alive: [api.child.exitCode, ingest.child.exitCode],
      }).toEqual({
        health: [200, true, 'degraded', 'degraded'],
        apiGauge: 0,
        ingest: [200, 'degraded', 'degraded'],
        ingestGauge: 0,
        told: [false],
        troubles: [],
        alive: [null, null],
      });
    }, 120_000);

    it("an alarm the ingest stored before Redis answered is pushed once it does: in the gateways' stream and live on the screen, which is told live:true", async () => {
      await beyondLimit(pub, E1, 'LT-1101', 90);
      const before = await activeHh('LT-1101');
      // Held a few Redis reconnection rounds: nothing live yet.
      await new Promise((r) => setTimeout(r, 2000));
      expect(liveEvents(before, 'UNACK')).toEqual([]);

      redis = startRedis(redisPort);
      await portOpen(redisPort, 20_000);
      // The ingest's publisher wrote it to the stream every api instance reads (whatever screen).
      await waitFor(
        () => {
          const xrange = spawnSync(
            'redis-cli',
            ['-p', String(redisPort), 'XRANGE', 'hazardwatch:live', '-', '+'],
            {
              encoding: 'utf8',
            },
          );
          return Promise.resolve(xrange.stdout.includes(before));
        },
        Boolean,
        'the alarm stored before Redis answered in the live stream',
        20_000,
      );
      await waitFor(
        () => Promise.resolve({ told: [...told], live: liveEvents(before, 'UNACK').length }),
        (s) => s.told.at(-1) === true && s.live === 1,
        'the screen told live:true and given the alarm live',
        30_000,
      );
      await waitFor(
        async () => [
          (await readyz(apiHealth))?.body['live'],
          (await readyz(ingestHealth))?.body['live'],
          await metric(apiHealth, 'hw_api_live_redis_connected'),
          await metric(ingestHealth, 'hw_ingest_live_redis_connected'),
        ],
        (r) => JSON.stringify(r) === JSON.stringify(['ok', 'ok', 1, 1]),
        'readiness and gauges ok once Redis answers',
        30_000,
      );
      expect(told).toEqual([false, true]);
    }, 120_000);

    it('from then on live push works: an alarm raised afterwards reaches the screen live, once', async () => {
      await beyondLimit(pub, E1, 'PT-1101', 1.35);
      const after = await activeHh('PT-1101');
      await waitFor(
        () => Promise.resolve(liveEvents(after, 'UNACK').length),
        (n) => n === 1,
        'the alarm raised after Redis came up on the screen',
        30_000,
      );
      expect(screen!.troubles).toEqual([]);
      expect([api.child.exitCode, ingest.child.exitCode]).toEqual([null, null]);
    }, 60_000);
  },
);

/** A private Mosquitto with the persistence and queue settings of deploy/mosquitto/mosquitto.conf. */
function mosquittoConf(dir: string, port: number): string {
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${dir}/`,
      'autosave_interval 60',
      'max_queued_messages 1000000',
      'max_inflight_messages 0',
      '',
    ].join('\n'),
  );
  return conf;
}

describe.skipIf(!existsSync(MOSQUITTO))(
  'a single `hazardwatch ingest` and an API: the database away, the broker restarted',
  () => {
    const E1 = code();
    let dir: string;
    let db: TestDatabase;
    let proxy: TcpProxy;
    let brokerPort: number;
    let broker: StartedProcess;
    let brokerConf: string;
    let ingest: StartedProcess;
    let health: number;
    let api: StartedProcess;
    let apiPort: number;
    let apiHealth: number;
    let token: string;
    let pub: MqttClient;
    let check: pg.Client;
    const clientId = `hw-wsf-db-${randomBytes(3).toString('hex')}`;
    /** Small, so that the outage fills it and intake pauses. */
    const MAX_BUFFERED = 500;
    const KEEPALIVE_SEC = 5;
    let minute = 0;

    const startBroker = async (): Promise<void> => {
      broker = startProcess(MOSQUITTO, ['-c', brokerConf]);
      await portOpen(brokerPort, 15_000);
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'hw-wsf-db-'));
      db = await createTestDatabase(postgresAdminUrl, 'hw_wsf');
      const url = new URL(db.url);
      proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
      url.hostname = '127.0.0.1';
      url.port = String(proxy.port);
      brokerPort = await freePort();
      brokerConf = mosquittoConf(dir, brokerPort);
      giveToMosquitto(dir);
      await startBroker();
      const brokerUrl = `mqtt://127.0.0.1:${brokerPort}`;
      const site = siteWith(dir, E1, code());
      const config = join(dir, 'config.yaml');
      // A 5 s MQTT keepalive (default 30 s): a broker gone while intake is paused is noticed by
      // keepalive only (the paused socket's end is not read), after up to 1.5 keepalives.
      writeFileSync(
        config,
        `ingest:\n  batching:\n    maxBufferedRows: ${MAX_BUFFERED}\n  mqtt:\n    keepaliveSec: ${KEEPALIVE_SEC}\n`,
      );
      const env = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
        PATH: process.env['PATH'],
        DATABASE_URL: url.toString(),
        HW_JWT_SECRET: SECRET,
        LOG_LEVEL: 'info',
        ...extra,
      });
      health = await freePort();
      ingest = startProcess(process.execPath, [CLI, 'ingest'], {
        env: env({
          MQTT_URL: brokerUrl,
          HW_SITE_FILE: site,
          HW_CONFIG_FILE: config,
          HW_INGEST_CLIENT_ID: clientId,
          HW_HEALTH_PORT: String(health),
        }),
        cwd: REPO,
      });
      await ready('ingest', ingest, health);
      const created = await runToEnd(
        process.execPath,
        [CLI, 'user', 'create', '--role', 'admin', '--username', 'duty'],
        { env: env({}), cwd: REPO, input: `${PASSWORD}\n`, timeoutMs: 60_000 },
      );
      expect(created, created.out).toMatchObject({ code: 0 });
      [apiPort, apiHealth] = [await freePort(), await freePort()];
      api = startProcess(process.execPath, [CLI, 'api'], {
        env: env({ HW_API_PORT: String(apiPort), HW_HEALTH_PORT: String(apiHealth) }),
        cwd: REPO,
      });
      await ready('api', api, apiHealth);
      const login = await restCall(apiPort, 'POST', '/auth/login', {
        body: { username: 'duty', password: PASSWORD },
      });
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      token = login.body['accessToken'] as string;
      pub = await mqtt.connectAsync(brokerUrl, {
        clientId: `hw-wsf-pub-${randomBytes(3).toString('hex')}`,
        reconnectPeriod: 200,
      });
      check = new pg.Client({ connectionString: db.url });
      await check.connect();
    }, 180_000);

    afterAll(async () => {
      await pub?.endAsync();
      proxy?.restore();
      if (api) await stopProcess(api.child, 10_000);
      if (ingest) await stopProcess(ingest.child, 20_000);
      if (broker) await stopProcess(broker.child, 10_000);
      await check?.end();
      await proxy?.close();
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    const rows = async (): Promise<number> =>
      Number((await check.query('SELECT count(*) AS n FROM readings')).rows[0].n);

    /** 100 readings of LT-1101 (normal values) in one message, each message its own source times. */
    const batch = async (): Promise<void> => {
      const base = Date.now() - 3_600_000 + minute++ * 100;
      const readings = Array.from({ length: 100 }, (_, i) => ({ tag: 'LT-1101', ts: base + i, value: 50 }));
      await pub.publishAsync(
        telemetryTopic({ enterprise: E1, gateway: 'GW01' }),
        JSON.stringify({ readings }),
        {
          qos: 1,
        },
      );
    };

    const ingestState = async (): Promise<Json> => ({
      ready: await readyz(health),
      storageHealthy: await metric(health, 'hw_ingest_storage_healthy'),
      brokerConnected: await metric(health, 'hw_ingest_broker_connected'),
      buffered: await metric(health, 'hw_ingest_buffered_rows'),
      unacked: await metric(health, 'hw_ingest_unacknowledged_messages'),
      messages: await metric(health, 'hw_ingest_messages_total'),
      retries: await metric(health, 'hw_ingest_storage_retries_total'),
    });

    const noDuplicates = async (): Promise<void> => {
      const dup = await check.query(
        'SELECT count(*) AS n FROM (SELECT point_id, ts FROM readings GROUP BY 1, 2 HAVING count(*) > 1) d',
      );
      expect(dup.rows[0].n).toBe('0');
    };

    it('the database away: readings wait in the broker (intake paused at maxBufferedRows), /readyz and /metrics say so, the API is not ready and its REST answers 503; an alarm of the outage is raised once it is back, everything stored once', async () => {
      for (let m = 0; m < 3; m++) await batch();
      await waitFor(rows, (n) => n === 300, 'the first 300 rows');

      proxy.cut();
      // 3,000 readings while the database is away: six times what the ingest may buffer.
      for (let m = 0; m < 30; m++) await batch();
      await beyondLimit(pub, E1, 'PT-1101', 1.35);
      const seen = await waitFor(
        ingestState,
        (s) =>
          (s['ready'] as { status: number } | null)?.status === 503 &&
          s['storageHealthy'] === 0 &&
          ((s['retries'] as number | undefined) ?? 0) > 0,
        'the ingest reporting the database away',
      );
      // Give the intake time to take what it would.
      await new Promise((r) => setTimeout(r, 3000));
      const held = await ingestState();
      const active = await restCall(apiPort, 'GET', `/alarms/active?enterprise=${E1}`, { token });
      const apiSeen = { ready: (await readyz(apiHealth))?.status, active: active.status, body: active.body };
      expect((seen['ready'] as { body: Json }).body).toMatchObject({
        ready: false,
        storage: false,
        broker: true,
      });
      // Paused at the bound: of the 33 messages (3,300 readings) and the HH's 3, fewer than all were
      // taken; the rest wait in the broker's queue for the ingest's session.
      expect(held['buffered'] as number).toBeLessThanOrEqual(MAX_BUFFERED + 100);
      expect(held['messages'] as number).toBeLessThan(36);
      expect(ingest.child.exitCode).toBeNull();
      // The API: not ready; REST answers 503 (try again) with a code and nothing of the database's
      // error (500 HW_API_INTERNAL before).
      expect(apiSeen, JSON.stringify(apiSeen)).toMatchObject({ ready: 503, active: 503 });

      proxy.restore();
      await waitFor(rows, (n) => n === 3300 + 3, 'every reading stored after the database returned', 60_000);
      const after = await waitFor(
        ingestState,
        (s) =>
          (s['ready'] as { status: number } | null)?.status === 200 &&
          s['unacked'] === 0 &&
          s['buffered'] === 0,
        'the ingest ready, nothing unacknowledged',
      );
      expect((after['ready'] as { body: Json }).body).toMatchObject({ ready: true, storage: true });
      await noDuplicates();
      // The HH published during the outage is raised once its readings are judged, once.
      const alarms = await waitFor(
        async () => (await check.query<{ condition: string }>('SELECT condition FROM alarms')).rows,
        (a) => a.some((x) => x.condition === 'HH'),
        'the HH of the outage stored',
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}\ningest:\n${ingest.output().split('\n').slice(-40).join('\n')}`);
      });
      expect(alarms.filter((a) => a.condition === 'HH')).toHaveLength(1);
      await waitFor(
        async () => (await readyz(apiHealth))?.status,
        (st) => st === 200,
        'the API ready again',
      );
    }, 120_000);

    it('the broker restarted (clean stop) with messages queued for the ingest and its intake paused: noticed by keepalive, /readyz and /metrics say so, the API stays ready, the ingest reconnects to its session and stores every reading once', async () => {
      const before = await rows();
      // Readings the broker holds for the ingest's session (the database is away, so it takes a few
      // and cannot acknowledge them), then the broker stops and starts again.
      proxy.cut();
      for (let m = 0; m < 20; m++) await batch();
      await waitFor(ingestState, (s) => s['storageHealthy'] === 0, 'the ingest waiting for the database');
      await stopProcess(broker.child, 10_000);
      const stoppedAt = Date.now();
      // Both must say so: /readyz is read before the gauges, so a sample taken as the keepalive
      // fired could hold the gauge already at 0 and /readyz still connected (CI, once).
      const down = await waitFor(
        ingestState,
        (s) => s['brokerConnected'] === 0 && (s['ready'] as { body: Json } | null)?.body['broker'] === false,
        'the ingest reporting the broker away',
        KEEPALIVE_SEC * 1500 + 5000,
      );
      const noticedMs = Date.now() - stoppedAt;
      expect((down['ready'] as { status: number; body: Json }).status).toBe(503);
      expect((down['ready'] as { status: number; body: Json }).body).toMatchObject({ broker: false });
      proxy.restore();
      // The database back, the broker still away: the API (which does not use the broker for
      // REST) is ready and its snapshot answers.
      await waitFor(
        async () => ({
          ready: (await readyz(apiHealth))?.status,
          active: (await restCall(apiPort, 'GET', `/alarms/active?enterprise=${E1}`, { token })).status,
        }),
        (a) => a.ready === 200 && a.active === 200,
        'the API ready while the broker is away',
      );
      await startBroker();
      await waitFor(rows, (n) => n === before + 2000, 'every reading stored after the restart', 60_000);
      await waitFor(
        ingestState,
        (s) =>
          (s['ready'] as { status: number } | null)?.status === 200 &&
          s['brokerConnected'] === 1 &&
          s['unacked'] === 0,
        'the ingest connected and ready, nothing unacknowledged',
      );
      await noDuplicates();
      expect(ingest.child.exitCode).toBeNull();
      // Noticed by keepalive: within 1.5 keepalives (7.0 and 7.5 s measured with 5 s here).
      expect(noticedMs).toBeLessThan(KEEPALIVE_SEC * 1500 + 5000);
    }, 120_000);
  },
);

describe.skipIf(noRedis)(
  `serve started while Redis is down${noRedis ? ' (skipped: no redis-server)' : ''}`,
  () => {
    // `serve` (ingest, engine and API in one process) with REDIS_URL, as docker-compose.scale-out.yml
    // runs it, started while nothing answers on the Redis port: it must start at once, degraded,
    // and recover by itself, as `api` and `ingest` do above.
    const E1 = code();
    let dir: string;
    let db: TestDatabase;
    let redisPort: number;
    let redis: StartedProcess | undefined;
    let serve: StartedProcess;
    let apiPort: number;
    let health: number;
    const clientId = `hw-wss-${randomBytes(3).toString('hex')}`;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'hw-wss-'));
      db = await createTestDatabase(postgresAdminUrl, 'hw_wss');
      [redisPort, apiPort, health] = [await freePort(), await freePort(), await freePort()];
      serve = startProcess(process.execPath, [CLI, 'serve'], {
        env: {
          PATH: process.env['PATH'],
          DATABASE_URL: db.url,
          MQTT_URL: mqttUrl,
          HW_JWT_SECRET: SECRET,
          LOG_LEVEL: 'info',
          REDIS_URL: `redis://127.0.0.1:${redisPort}`,
          HW_SITE_FILE: siteWith(dir, E1, code()),
          HW_INGEST_CLIENT_ID: clientId,
          HW_API_PORT: String(apiPort),
          HW_HEALTH_PORT: String(health),
        },
        cwd: REPO,
      });
    }, 120_000);

    afterAll(async () => {
      if (serve) await stopProcess(serve.child, 20_000);
      await endIngestSessions(mqttUrl, clientId);
      if (redis) await stopProcess(redis.child, 10_000);
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it('starts at once with live push degraded on both ports, REST answering; live once Redis answers', async () => {
      const startedAt = Date.now();
      await ready('serve', serve, health);
      expect(Date.now() - startedAt).toBeLessThan(60_000);
      const created = await runToEnd(
        process.execPath,
        [CLI, 'user', 'create', '--role', 'admin', '--username', 'duty'],
        {
          env: { PATH: process.env['PATH'], DATABASE_URL: db.url, HW_JWT_SECRET: SECRET },
          cwd: REPO,
          input: `${PASSWORD}\n`,
          timeoutMs: 60_000,
        },
      );
      expect(created, created.out).toMatchObject({ code: 0 });
      const login = await restCall(apiPort, 'POST', '/auth/login', {
        body: { username: 'duty', password: PASSWORD },
      });
      const degraded = {
        health: await readyz(health),
        api: await readyz(apiPort),
        gauge: await metric(health, 'hw_api_live_redis_connected'),
      };
      expect({
        login: login.status,
        health: [degraded.health?.status, degraded.health?.body['live'], degraded.health?.body['status']],
        api: [degraded.api?.status, degraded.api?.body['live'], degraded.api?.body['status']],
        gauge: degraded.gauge,
        alive: serve.child.exitCode,
      }).toEqual({
        login: 200,
        health: [200, 'degraded', 'degraded'],
        api: [200, 'degraded', 'degraded'],
        gauge: 0,
        alive: null,
      });

      redis = startRedis(redisPort);
      const back = await waitFor(
        async () => ({ health: await readyz(health), api: await readyz(apiPort) }),
        (r) => r.health?.body['live'] === 'ok' && r.api?.body['live'] === 'ok',
        'serve live again once Redis answers',
        30_000,
      );
      expect([back.health?.body['status'], back.api?.body['status']]).toEqual(['ok', 'ok']);
      expect(await metric(health, 'hw_api_live_redis_connected')).toBe(1);
    }, 150_000);
  },
);
