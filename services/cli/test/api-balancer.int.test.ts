import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic } from '@hazardwatch/contracts';
import { createTestDatabase, providedServices, waitFor, type TestDatabase } from '@hazardwatch/testkit';
import { DutyScreen, restCall, type LiveTransport } from './duty-screen.js';
import {
  freePort,
  hasBinary,
  portOpen,
  runToEnd,
  startProcess,
  stopProcess,
  type StartedProcess,
} from './process-support.js';
import { endIngestSessions } from './leased-support.js';
import { REPO } from './systemd-files.js';
import { startTcpBalancer, type TcpBalancer } from './tcp-balancer.js';

/**
 * Two `hazardwatch api` instances behind a layer-4 balancer, as a duty centre uses them (issue #23:
 * "Live push and REST stay stateless behind the Redis adapter; … test two API instances behind a
 * local TCP balancer"). Real processes from this checkout's build: one `hazardwatch ingest`
 * worker, two `hazardwatch api` with the same database, HW_JWT_SECRET and REDIS_URL (a private
 * redis-server), the real PostgreSQL and Mosquitto; tcp-balancer.ts in front of the two API
 * instances, round-robin per connection or source-hash. docs/operations.md §5 ("Load balancer")
 * gives the settings this proves.
 */
const { postgresAdminUrl, mqttUrl } = providedServices();
const CLI = `${REPO}services/cli/dist/main.js`;
const EXAMPLE = `${REPO}services/core/examples/site.example.yaml`;
const PASSWORD = `duty-${randomBytes(9).toString('hex')}`;
const SECRET = randomBytes(24).toString('hex');
/** The transports of dashboards/control-room/src/live/live-client.ts (checked below). */
const DASHBOARD_TRANSPORTS: readonly LiveTransport[] = ['websocket'];
const missing = !hasBinary('redis-server', '--version')
  ? 'redis-server is not installed on this machine'
  : undefined;

const code = () => `91320623S${randomBytes(4).toString('hex').toUpperCase()}`.slice(0, 18);

describe.skipIf(missing !== undefined)(
  `two API instances behind a TCP balancer${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    const E1 = code();
    const E2 = code();
    let dir: string;
    let db: TestDatabase;
    let redis: StartedProcess;
    let ingest: StartedProcess;
    const apis: StartedProcess[] = [];
    const apiPorts: number[] = [];
    const apiEnv: NodeJS.ProcessEnv[] = [];
    let balancer: TcpBalancer;
    let pub: MqttClient;
    let token: string;
    const screens: DutyScreen[] = [];
    const ingestClientId = `hw-lb-${randomBytes(3).toString('hex')}`;

    const env = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
      PATH: process.env['PATH'],
      DATABASE_URL: db.url,
      HW_JWT_SECRET: SECRET,
      LOG_LEVEL: 'info',
      ...extra,
    });
    const ready = async (what: string, proc: StartedProcess, healthPort: number): Promise<void> => {
      await waitFor(
        async () => {
          if (proc.child.exitCode !== null) throw new Error(`${what} exited:\n${proc.output()}`);
          return fetch(`http://127.0.0.1:${healthPort}/readyz`).then(
            async (r) => (r.ok ? ((await r.json()) as Record<string, unknown>) : null),
            () => null,
          );
        },
        (r) => r !== null && r['ready'] === true && r['siteVersion'] !== null,
        `${what} ready`,
        90_000,
      );
    };

    /** `hazardwatch api` number `i` on its own ports; resolves when ready. */
    const startApi = async (i: number): Promise<void> => {
      const proc = startProcess(process.execPath, [CLI, 'api'], { env: apiEnv[i], cwd: REPO });
      apis[i] = proc;
      await ready(`api ${i}`, proc, Number(apiEnv[i]!['HW_HEALTH_PORT']));
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'hw-lb-'));
      db = await createTestDatabase(postgresAdminUrl, 'hw_lb');
      const redisPort = await freePort();
      redis = startProcess('redis-server', [
        '--port',
        String(redisPort),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
      ]);
      await portOpen(redisPort, 20_000);
      const redisUrl = `redis://127.0.0.1:${redisPort}`;
      const site = readFileSync(EXAMPLE, 'utf8')
        .replaceAll('91320623MA1W000001', E1)
        .replaceAll('91320623MA1W000002', E2);
      writeFileSync(join(dir, 'site.yaml'), site);

      const ingestHealth = await freePort();
      ingest = startProcess(process.execPath, [CLI, 'ingest'], {
        env: env({
          MQTT_URL: mqttUrl,
          HW_SITE_FILE: join(dir, 'site.yaml'),
          HW_INGEST_CLIENT_ID: ingestClientId,
          HW_HEALTH_PORT: String(ingestHealth),
          REDIS_URL: redisUrl,
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
        apiEnv.push(env({ HW_API_PORT: String(port), HW_HEALTH_PORT: String(health), REDIS_URL: redisUrl }));
        apiPorts.push(port);
        await startApi(i);
      }
      balancer = await startTcpBalancer(
        apiPorts.map((port) => ({ host: '127.0.0.1', port })),
        'round-robin',
      );
      pub = await mqtt.connectAsync(mqttUrl, { clientId: `hw-lb-pub-${randomBytes(3).toString('hex')}` });
      const login = await restCall(balancer.port, 'POST', '/auth/login', {
        body: { username: 'duty', password: PASSWORD },
      });
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      token = login.body['accessToken'] as string;
    }, 240_000);

    afterAll(async () => {
      for (const s of screens.splice(0)) s.close();
      await pub?.endAsync();
      await balancer?.close();
      for (const p of apis) await stopProcess(p.child, 10_000);
      if (ingest) await stopProcess(ingest.child, 20_000);
      // The ingest's persistent session on the shared broker.
      // The default ingest is leased: its 64 partitions' sessions too.
      await endIngestSessions(mqttUrl, ingestClientId);
      if (redis) await stopProcess(redis.child, 10_000);
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    // A failed test's screens must not hold connections into the next test's count of open ones
    // (CI at ed10f05: "the connections of earlier tests closed: [2,2]" after one test failed).
    afterEach(() => {
      for (const s of screens.splice(0)) s.close();
    });

    /** The backend the balancer gave the request it routed last. */
    const lastBackend = (): number => balancer.routed[balancer.routed.length - 1]!;

    const screen = async (
      transports: readonly LiveTransport[],
      localAddress?: string,
    ): Promise<DutyScreen> => {
      const s = new DutyScreen({
        port: balancer.port,
        token,
        scopes: [{ type: 'enterprise', code: E1 }],
        transports,
        enterprise: E1,
        ...(localAddress !== undefined ? { localAddress } : {}),
      });
      screens.push(s);
      await waitFor(
        () => Promise.resolve(s.snapshots),
        (n) => n > 0,
        'the screen subscribed and loaded',
        20_000,
      );
      return s;
    };

    /** Readings of `tag` (GW01 of E1) above its HH limit for longer than its on-delay, in source time. */
    const overHh = async (tag: string, value: number): Promise<void> => {
      const now = Date.now();
      // 90 s: longer than the longest on-delay of the example site (TT-1101, 60 s).
      for (const ts of [now - 90_000, now - 45_000, now - 1000])
        await pub.publishAsync(
          telemetryTopic({ enterprise: E1, gateway: 'GW01' }),
          JSON.stringify({ readings: [{ tag, ts, value }] }),
          { qos: 1 },
        );
    };
    const activeHh = async (port: number, pointTag: string): Promise<{ id: string; state: string }> => {
      const points = await restCall(port, 'GET', `/points?enterprise=${E1}&limit=500`, { token });
      const pointId = (points.body['items'] as Array<{ id: number; tag: string }>).find(
        (p) => p.tag === pointTag,
      )!.id;
      const active = await waitFor(
        () => restCall(port, 'GET', `/alarms/active?enterprise=${E1}`, { token }),
        (r) =>
          (r.body['items'] as Array<{ pointId: number; condition: string }> | undefined)?.some(
            (a) => a.pointId === pointId && a.condition === 'HH',
          ) ?? false,
        `the HH alarm of ${pointTag}`,
        30_000,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}\ningest:\n${ingest.output().split('\n').slice(-30).join('\n')}`);
      });
      return (
        active.body['items'] as Array<{ id: string; pointId: number; condition: string; state: string }>
      ).find((a) => a.pointId === pointId && a.condition === 'HH')!;
    };

    /** TCP connections open through the balancer to each instance now. */
    const openNow = (): Promise<number[]> => Promise.resolve([balancer.open(0), balancer.open(1)]);

    /**
     * Dashboard screens through round-robin, `perInstance` on each instance. Where a screen landed
     * is read from the connections the balancer holds open (its websocket is the only lasting one):
     * a late request of an earlier test's screen may shift the balancer's turn.
     */
    const screensOnBoth = async (perInstance: number): Promise<[DutyScreen[], DutyScreen[]]> => {
      balancer.mode = 'round-robin';
      // A closed polling screen's held long-poll ends with the server's next ping (every 25 s).
      await waitFor(
        openNow,
        (c) => c.every((x) => x === 0),
        'the connections of earlier tests closed',
        40_000,
      );
      const on: [DutyScreen[], DutyScreen[]] = [[], []];
      for (let tries = 0; on.some((b) => b.length < perInstance); tries++) {
        expect(tries, 'screens never landed on both instances').toBeLessThan(6 * perInstance);
        const wanted = on[0].length <= on[1].length ? 0 : 1;
        // Each screen takes two connections (its websocket, its snapshot): a request in between
        // when needed puts the next websocket on the wanted instance.
        if (balancer.nextRoundRobin !== wanted) await restCall(balancer.port, 'GET', '/auth/me', { token });
        const s = await screen(DASHBOARD_TRANSPORTS);
        const total = on[0].length + on[1].length + 1;
        const counts = await waitFor(openNow, (c) => c[0]! + c[1]! === total, 'the screen counted');
        on[counts[0]! > on[0].length ? 0 : 1].push(s);
      }
      return on;
    };

    it('one login holds on both instances: REST with the same token lands on each, the refresh on either', async () => {
      const served = new Map<number, number[]>();
      for (let i = 0; i < 4; i++) {
        const res = await restCall(balancer.port, 'GET', '/auth/me', { token });
        served.set(lastBackend(), [...(served.get(lastBackend()) ?? []), res.status]);
      }
      expect(Object.fromEntries(served)).toEqual({ 0: [200, 200], 1: [200, 200] });
      const again = await restCall(balancer.port, 'POST', '/auth/login', {
        body: { username: 'duty', password: PASSWORD },
      });
      const loggedInOn = lastBackend();
      const refreshed = await restCall(balancer.port, 'POST', '/auth/refresh', {
        body: { refreshToken: again.body['refreshToken'] },
      });
      expect(lastBackend()).not.toBe(loggedInOn);
      expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    });

    it('the dashboard connects websocket-only, the transport these screens use (docs/operations.md §5, "Load balancer")', () => {
      const source = readFileSync(`${REPO}dashboards/control-room/src/live/live-client.ts`, 'utf8');
      const transports = /transports:\s*(\[[^\]]*\])/.exec(source)?.[1];
      expect(transports && (JSON.parse(transports.replaceAll("'", '"')) as string[])).toEqual(
        DASHBOARD_TRANSPORTS,
      );
      // What operators are told: WebSocket only, so no stickiness unless polling is allowed.
      const docs = readFileSync(`${REPO}docs/operations.md`, 'utf8');
      expect(docs).toContain("The dashboard's live connection is WebSocket only");
      expect(docs).toContain("`transports: ['websocket']`");
    });

    it('websocket behind round-robin: an ingest alarm reaches every screen once; an ack on instance A reaches the screens on B', async () => {
      const ws = (await screensOnBoth(2)).flat();

      await overHh('LT-1101', 90);
      const alarm = await activeHh(apiPorts[0]!, 'LT-1101');
      await waitFor(
        () => Promise.resolve(ws.map((s) => s.eventsOf(alarm.id, 'UNACK').length)),
        (n) => n.every((c) => c >= 1),
        'the alarm on every screen',
      );
      const ack = await restCall(apiPorts[0]!, 'POST', `/alarms/${alarm.id}/ack`, { token });
      expect(ack.status, JSON.stringify(ack.body)).toBe(200);
      await waitFor(
        () => Promise.resolve(ws.map((s) => s.shown.get(alarm.id)?.state)),
        (states) => states.every((st) => st === 'ACKED'),
        'the ack on every screen',
      );
      for (const s of ws) {
        expect(s.eventsOf(alarm.id, 'UNACK')).toHaveLength(1);
        expect(s.eventsOf(alarm.id, 'ACKED')).toHaveLength(1);
        expect(s.troubles).toEqual([]);
      }
      for (const s of ws) s.close();
    });

    it('HTTP long-polling needs stickiness: through round-robin it never holds, through source-hash it works on both instances', async () => {
      // What round-robin does to a polling client: its handshake and its next requests are
      // separate connections, so they reach different instances, and an instance that did not
      // open the session answers 400 "Session ID unknown".
      balancer.mode = 'round-robin';
      const lost = new DutyScreen({
        port: balancer.port,
        token,
        scopes: [{ type: 'enterprise', code: E1 }],
        transports: ['polling'],
        enterprise: E1,
      });
      screens.push(lost);
      await waitFor(
        () => Promise.resolve(lost.troubles.length),
        (n) => n >= 4,
        'the polling client failing through round-robin',
      );
      lost.close();
      expect(lost.troubles.join('\n')).toMatch(
        /connect_error: xhr (post|poll) error|disconnect: transport error/,
      );
      // Recorded on this machine: connect_error "xhr post error", then "transport error", again
      // and again; never subscribed.
      expect(lost.subscribed, JSON.stringify(lost.troubles)).toBe(0);

      // Source-hash: every request of one client address reaches one instance.
      balancer.mode = 'source-hash';
      const addresses: string[] = [];
      for (let host = 2; addresses.length < 4 && host < 250; host++) {
        const address = `127.0.0.${host}`;
        const taken = addresses.filter((a) => balancer.backendFor(a) === balancer.backendFor(address));
        if (taken.length < 2) addresses.push(address);
      }
      const polled: DutyScreen[] = [];
      for (const address of addresses) polled.push(await screen(['polling'], address));
      expect(addresses.map((a) => balancer.backendFor(a)).sort()).toEqual([0, 0, 1, 1]);

      await overHh('PT-1101', 1.35);
      const alarm = await activeHh(apiPorts[1]!, 'PT-1101');
      await waitFor(
        () => Promise.resolve(polled.map((s) => s.eventsOf(alarm.id, 'UNACK').length)),
        (n) => n.every((c) => c >= 1),
        `the alarm on every polling screen (instances ${addresses.map((a) => balancer.backendFor(a)).join()})`,
      );
      const ack = await restCall(apiPorts[1]!, 'POST', `/alarms/${alarm.id}/ack`, { token });
      expect(ack.status, JSON.stringify(ack.body)).toBe(200);
      await waitFor(
        () => Promise.resolve(polled.map((s) => s.shown.get(alarm.id)?.state)),
        (states) => states.every((st) => st === 'ACKED'),
        'the ack on every polling screen',
      );
      for (const s of polled) {
        expect(s.eventsOf(alarm.id, 'UNACK')).toHaveLength(1);
        expect(s.eventsOf(alarm.id, 'ACKED')).toHaveLength(1);
        expect(s.troubles).toEqual([]);
        s.close();
      }
    });

    it('an instance killed: its screens come back through the balancer to the survivor, with the snapshot and the alarm raised in the gap', async () => {
      const [onA, onB] = await screensOnBoth(2);
      const ws = [...onA, ...onB];
      // Every screen has seen an alarm event, so a reconnect asks for a replay from it.
      await overHh('TT-1101', 50);
      const seen = await activeHh(apiPorts[0]!, 'TT-1101');
      await waitFor(
        () => Promise.resolve(ws.map((s) => s.eventsOf(seen.id, 'UNACK').length)),
        (n) => n.every((c) => c === 1),
        'the alarm before the kill on every screen',
      );

      // The balancer has no healthy target for a moment (its health check has not yet taken B
      // out): no screen can come back before the alarm is raised.
      balancer.hold();
      const killed = apis[1]!;
      const killedAt = Date.now();
      killed.child.kill('SIGKILL');
      await killed.exited;
      await waitFor(
        () => Promise.resolve(onB.map((s) => s.socket.connected)),
        (c) => c.every((x) => !x),
        'the screens of the killed instance dropped',
      );
      await overHh('AT-1101', 2.5);
      const gap = await activeHh(apiPorts[0]!, 'AT-1101');
      balancer.resume();

      await waitFor(
        () => Promise.resolve(ws.map((s) => s.shown.get(gap.id)?.state ?? null)),
        (states) => states.every((st) => st === 'UNACK'),
        'the alarm raised in the gap on every screen',
      );
      await waitFor(
        () => Promise.resolve(onB.map((s) => s.snapshots)),
        (n) => n.every((x) => x >= 2),
        'the reconnected screens reloaded their snapshot',
      );
      expect(balancer.open(1)).toBe(0);
      // What the screens show is the survivor's current list: the snapshot, nothing missed.
      const now = await restCall(apiPorts[0]!, 'GET', `/alarms/active?enterprise=${E1}`, { token });
      const open = (now.body['items'] as Array<{ id: string }>).map((a) => a.id).sort();
      expect(open).toContain(seen.id);
      for (const [i, s] of ws.entries()) {
        const why = JSON.stringify({
          screen: i,
          killedAt,
          troubles: s.troubles,
          survivor: apis[0]!
            .output()
            .split('\n')
            .filter((l) => /"level":(40|50|60)/.test(l))
            .slice(-5),
        });
        // Live on A, once. On B's screens by the replay from their last event id and the snapshot
        // after the reconnect: shown, never twice.
        if (onB.includes(s)) expect(s.eventsOf(gap.id, 'UNACK').length, why).toBeLessThanOrEqual(1);
        else expect(s.eventsOf(gap.id, 'UNACK'), why).toHaveLength(1);
        expect([...s.shown.keys()].sort(), why).toEqual(open);
      }
      // The survivor's screens never noticed.
      for (const s of onA) expect(s.troubles).toEqual([]);
      for (const s of ws) s.close();
    });
  },
);
