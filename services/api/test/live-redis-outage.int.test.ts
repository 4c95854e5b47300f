import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import pino from 'pino';
import { io as connectClient } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  redisServerMissing,
  startPrivateRedis,
  stopPrivateRedis,
  tcpOpen,
  waitFor,
} from '@hazardwatch/testkit';
import type { LiveGateway } from '@hazardwatch/api';
import { buildTestApi, E1, type TestApi } from './support/api-fixture.js';
import {
  attachTo,
  client,
  connectAs,
  connected,
  next,
  record,
  storeAlarm,
  TestLiveSource,
  urlOf,
  type LiveClient,
} from './live-fixture.js';

/**
 * Live push while Redis is lost (services/cli/test/whole-service-failures.int.test.ts, the Redis
 * case): every socket of every instance is told `live-status` live:false within the detection
 * bound, and live:true when Redis is back. Against a PRIVATE redis-server on a free port, which is
 * the one stopped — never the machine's Redis.
 */
/** RedisLink: a closed connection is seen at once, an unanswered PING within 2 + 2 s. */
const BOUND_MS = 5000;

const listening = async (): Promise<Server> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
};
const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe.skipIf(redisServerMissing)('live push while Redis is lost (a private redis-server)', () => {
  let api: TestApi;
  let port: number;
  let redis: ChildProcess | undefined;
  const servers: Server[] = [];
  const gateways: LiveGateway[] = [];
  const clients: LiveClient[] = [];

  beforeAll(async () => {
    api = await buildTestApi();
  });
  afterAll(() => api.close());

  const redisUp = async (): Promise<void> => {
    redis = startPrivateRedis(port);
    await waitFor(() => tcpOpen('127.0.0.1', port), Boolean, 'the private redis-server listening', 20_000);
  };

  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    // Redis answers again before the gateways close (their clients QUIT through it).
    if (redis !== undefined && redis.signalCode === null && redis.exitCode === null) redis.kill('SIGCONT');
    else await redisUp();
    // A gateway closed while its connections still reconnect waits on them (a failed test).
    await waitFor(
      () => Promise.resolve(gateways.every((g) => g.liveStatus?.live === true)),
      Boolean,
      'the gateways reconnected to Redis',
      20_000,
    ).catch(() => undefined);
    for (const g of gateways.splice(0)) await g.close();
    for (const s of servers.splice(0)) await closeServer(s);
    await stopPrivateRedis(redis!);
    redis = undefined;
  });

  /** Two gateway instances on the private Redis, a subscribed screen on each. */
  async function twoInstances(): Promise<{
    a: LiveGateway;
    b: LiveGateway;
    source: TestLiveSource;
    httpB: Server;
    screens: LiveClient[];
  }> {
    port = await freePort();
    await redisUp();
    const redisUrl = `redis://127.0.0.1:${port}`;
    const streamName = `hw-live-outage-${randomUUID()}`;
    const source = new TestLiveSource();
    const [httpA, httpB] = [await listening(), await listening()];
    servers.push(httpA, httpB);
    const a = await attachTo(api, httpA, {
      source,
      redisUrl,
      redisStreamName: streamName,
      redisBlockMs: 200,
    });
    const b = await attachTo(api, httpB, { redisUrl, redisStreamName: streamName, redisBlockMs: 200 });
    gateways.push(a, b);
    const screens = [await connectAs(urlOf(httpA), api, 'opE1'), await connectAs(urlOf(httpB), api, 'opE1')];
    clients.push(...screens);
    for (const s of screens)
      expect(
        await s.timeout(5000).emitWithAck('subscribe', { scopes: [{ type: 'enterprise', code: E1 }] }),
      ).toMatchObject({ ok: true });
    // Live push works before: an alarm of A's source reaches both screens.
    await waitFor(
      async () => (await a.io.in(`enterprise:${E1}`).fetchSockets()).length,
      (n) => n === 2,
      'both screens seen by instance A',
      10_000,
    );
    const event = await storeAlarm(api, api.site.pointByKey(E1, 'LT-1101')!.id);
    const got = screens.map((s) => next(s, 'alarm', (e) => e.alarmId === event.alarmId));
    source.live.stored({ alarmEvents: [event], colourChanges: [], warningEvents: [] });
    await Promise.all(got);
    return { a, b, source, httpB, screens };
  }

  it('Redis stopped: every screen is told live:false within 5 s (and one connecting meanwhile at once), live:true when it is back; live push goes on', async () => {
    const { a, b, source, httpB, screens } = await twoInstances();
    expect([a.liveStatus, b.liveStatus]).toMatchObject([{ live: true }, { live: true }]);
    const statuses = screens.map((s) => record(s, 'live-status'));
    const down = screens.map((s) => next(s, 'live-status', (st) => !st.live, BOUND_MS));

    await stopPrivateRedis(redis!);
    const stoppedAt = Date.now();
    const told = await Promise.all(down);
    const tookMs = Date.now() - stoppedAt;
    expect(told).toMatchObject([
      { live: false, reason: 'redis' },
      { live: false, reason: 'redis' },
    ]);
    expect(tookMs).toBeLessThan(BOUND_MS);
    expect([a.liveStatus?.live, b.liveStatus?.live]).toEqual([false, false]);

    // A screen that connects while Redis is away hears it before its subscription is answered
    // (the listener is in place before the client's first packet can arrive).
    const late = client(urlOf(httpB), api.tokens.opE1);
    clients.push(late);
    const lateOrder: string[] = [];
    late.on('live-status', (st) => lateOrder.push(`live-status ${String(st.live)}`));
    await connected(late);
    const lateAck = await late
      .timeout(5000)
      .emitWithAck('subscribe', { scopes: [{ type: 'enterprise', code: E1 }] });
    lateOrder.push(`subscribed ${String(lateAck.ok)}`);
    expect(lateOrder).toEqual(['live-status false', 'subscribed true']);

    const up = screens.map((s) => next(s, 'live-status', (st) => st.live, 20_000));
    await redisUp();
    expect(await Promise.all(up)).toMatchObject([{ live: true }, { live: true }]);
    expect([a.liveStatus?.live, b.liveStatus?.live]).toEqual([true, true]);
    // Told once each way.
    expect(statuses.map((s) => s.map((st) => st.live))).toEqual([
      [false, true],
      [false, true],
    ]);

    const after = await storeAlarm(api, api.site.pointByKey(E1, 'PT-1101')!.id);
    const got = screens.map((s) => next(s, 'alarm', (e) => e.alarmId === after.alarmId, 10_000));
    source.live.stored({ alarmEvents: [after], colourChanges: [], warningEvents: [] });
    await Promise.all(got);
  }, 90_000);

  it('Redis that stops answering (process frozen, connections open): live:false within 5 s through the PING, live:true once it answers', async () => {
    const { a, screens } = await twoInstances();
    const down = screens.map((s) => next(s, 'live-status', (st) => !st.live, BOUND_MS + 1000));
    redis!.kill('SIGSTOP');
    const frozenAt = Date.now();
    expect(await Promise.all(down)).toMatchObject([
      { live: false, reason: 'redis' },
      { live: false, reason: 'redis' },
    ]);
    expect(Date.now() - frozenAt).toBeLessThan(BOUND_MS);
    expect(a.liveStatus?.live).toBe(false);

    const up = screens.map((s) => next(s, 'live-status', (st) => st.live, 10_000));
    redis!.kill('SIGCONT');
    expect(await Promise.all(up)).toMatchObject([{ live: true }, { live: true }]);
  }, 60_000);

  it('a gateway closed while Redis is away closes at once (QUIT would wait for Redis in the offline queue)', async () => {
    const { a, b, screens } = await twoInstances();
    const down = screens.map((s) => next(s, 'live-status', (st) => !st.live, BOUND_MS));
    await stopPrivateRedis(redis!);
    await Promise.all(down);
    const started = Date.now();
    const closed = await Promise.race([
      Promise.all([a.close(), b.close()]).then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => resolve('still closing after 5 s'), 5000)),
    ]);
    expect({ closed, withinMs: Date.now() - started < 5000 }).toEqual({ closed: 'closed', withinMs: true });
    gateways.splice(0);
  }, 60_000);

  it('a gateway started and closed while Redis answers says nothing of Redis being lost (its connections starting, its own QUIT)', async () => {
    port = await freePort();
    await redisUp();
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino(
      { level: 'debug' },
      { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) },
    );
    const http = await listening();
    servers.push(http);
    const gateway = await attachTo(api, http, {
      logger,
      redisUrl: `redis://127.0.0.1:${port}`,
      redisStreamName: `hw-live-close-${randomUUID()}`,
      redisBlockMs: 200,
    });
    await gateway.close();
    expect(lines.filter((l) => l.level >= 40).map((l) => l.msg)).toEqual([]);
    expect(lines.map((l) => l.msg)).toContain('live gateway closed');
  }, 30_000);

  /** `attach` resolved within BOUND_MS, or what it was still doing. */
  const within = <T>(attach: Promise<T>): Promise<T | 'still attaching after 5 s'> =>
    Promise.race([
      attach,
      new Promise<'still attaching after 5 s'>((resolve) =>
        setTimeout(() => resolve('still attaching after 5 s'), BOUND_MS),
      ),
    ]);

  it('gateways attached while Redis is down start at once: live:false, screens told so (one with a session to recover not held), and once Redis answers live:true and what was published meanwhile arrives', async () => {
    port = await freePort();
    const redisUrl = `redis://127.0.0.1:${port}`;
    const redisStreamName = `hw-live-late-${randomUUID()}`;
    const source = new TestLiveSource();
    const [httpA, httpB] = [await listening(), await listening()];
    servers.push(httpA, httpB);
    const options = { redisUrl, redisStreamName, redisBlockMs: 200 };
    const a = await within(attachTo(api, httpA, { source, ...options }));
    const b = await within(attachTo(api, httpB, options));
    if (typeof a === 'string' || typeof b === 'string')
      throw new Error('a gateway still attaching after 5 s (Redis down)');
    gateways.push(a, b);
    expect([a.liveStatus, b.liveStatus]).toMatchObject([
      { live: false, reason: 'redis' },
      { live: false, reason: 'redis' },
    ]);

    const screen = client(urlOf(httpB), api.tokens.opE1);
    clients.push(screen);
    const told = record(screen, 'live-status');
    await connected(screen);
    expect(
      await screen.timeout(5000).emitWithAck('subscribe', { scopes: [{ type: 'enterprise', code: E1 }] }),
    ).toMatchObject({ ok: true });
    expect(told).toMatchObject([{ live: false, reason: 'redis' }]);
    // A screen that was connected to an instance before (socket.io sends its session id and last
    // offset to be recovered from Redis) is not held until Redis answers.
    const returning = connectClient(urlOf(httpB), {
      auth: { token: api.tokens.opE1, pid: randomUUID(), offset: '1-0' },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    }) as LiveClient;
    clients.push(returning);
    const returningTold = next(returning, 'live-status', (st) => !st.live);
    await connected(returning);
    expect(returning.recovered).toBe(false);
    await returningTold;

    // Published on A while Redis is down: it waits in A's offline queue and reaches B's screen
    // once Redis answers (B's stream reader, started in the outage, reads from its start).
    const during = await storeAlarm(api, api.site.pointByKey(E1, 'LT-1101')!.id);
    const gotDuring = next(screen, 'alarm', (e) => e.alarmId === during.alarmId, 20_000);
    source.live.stored({ alarmEvents: [during], colourChanges: [], warningEvents: [] });
    const up = next(screen, 'live-status', (st) => st.live, 20_000);
    await redisUp();
    expect(await up).toMatchObject({ live: true });
    await gotDuring;
    expect([a.liveStatus?.live, b.liveStatus?.live]).toEqual([true, true]);

    const after = await storeAlarm(api, api.site.pointByKey(E1, 'PT-1101')!.id);
    const gotAfter = next(screen, 'alarm', (e) => e.alarmId === after.alarmId, 10_000);
    source.live.stored({ alarmEvents: [after], colourChanges: [], warningEvents: [] });
    await gotAfter;
    expect(told.map((st) => st.live)).toEqual([false, true]);
  }, 60_000);

  it('a gateway attached while Redis never answers closes at once, with nothing unhandled', async () => {
    port = await freePort();
    const http = await listening();
    servers.push(http);
    const gateway = await within(
      attachTo(api, http, {
        redisUrl: `redis://127.0.0.1:${port}`,
        redisStreamName: `hw-live-never-${randomUUID()}`,
        redisBlockMs: 200,
      }),
    );
    if (typeof gateway === 'string') throw new Error(gateway);
    const screen = await connectAs(urlOf(http), api, 'opE1');
    clients.push(screen);
    // A few reconnection rounds, and something published into the offline queue.
    await new Promise((r) => setTimeout(r, 1500));
    gateway.io.to(`enterprise:${E1}`).emit('live-status', { live: true, since: 0 });
    const started = Date.now();
    const closed = await Promise.race([
      gateway.close().then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => resolve('still closing after 5 s'), 5000)),
    ]);
    expect({ closed, withinMs: Date.now() - started < 5000 }).toEqual({ closed: 'closed', withinMs: true });
    // Rejections of what the close dropped (offline queue) surface a moment later, if unhandled.
    await new Promise((r) => setTimeout(r, 1000));
  }, 30_000);
});
