import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterEach, beforeAll, afterAll, describe, expect, it, vi } from 'vitest';
import { tcpOpen } from '@hazardwatch/testkit';
import { startLivePublisher, type LiveGateway } from '@hazardwatch/api';
import type {
  AlarmEvent,
  AlarmState,
  LiveAlarmEvent,
  LiveScope,
  LiveSubscribeResult,
} from '@hazardwatch/contracts';
import type { AlarmRecord } from '@hazardwatch/core';
import { AlarmRepository } from '@hazardwatch/store';
import {
  buildTestApi,
  COUNTY_A,
  E1,
  NOW,
  PROVINCE,
  silentLogger,
  type TestApi,
} from './support/api-fixture.js';
import {
  attachTo,
  connectAs,
  next,
  nextValues,
  record,
  storeAlarm,
  TestLiveSource,
  urlOf,
  type LiveClient,
} from './live-fixture.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const redisUp = await tcpOpen('127.0.0.1', 6379);
const KEY = 'platform:timescaledb/compression:readings';
const PLATFORM: LiveScope = { type: 'platform' };

let api: TestApi;
beforeAll(async () => {
  api = await buildTestApi();
});
afterAll(() => api.close());

let seq = 0;

/**
 * One transition of the compression job's JOB_FAILED alarm, stored as the ingest's alarm engine
 * stores it (the record and its event in the real tables: platform-alarms.int raises it the same
 * way), returned as the source's batch names it.
 */
async function storePlatform(
  alarmId: string,
  from: AlarmState,
  to: AlarmState,
  actor = 'system',
): Promise<AlarmEvent> {
  seq += 1;
  const ts = NOW + seq * 1000;
  const open = to !== 'NORM';
  const alarm: AlarmRecord = {
    id: alarmId,
    source: { kind: 'platform', component: 'timescaledb', name: 'compression:readings' },
    sourceKey: KEY,
    condition: 'JOB_FAILED',
    state: to,
    active: to === 'UNACK' || to === 'ACKED',
    latched: false,
    colour: 'blue',
    raisedAt: NOW,
    stateSinceMs: ts,
    lastActivationMs: NOW,
    ackedAt: to === 'ACKED' ? ts : null,
    ackedBy: to === 'ACKED' ? actor : null,
    value: null,
    limit: null,
    shelvedUntilMs: null,
    shelveReason: null,
    suppressReason: null,
    suppressedBy: null,
    outOfServiceReason: null,
    chattering: false,
  };
  const event: AlarmEvent = {
    alarmId,
    sourceKey: KEY,
    pointId: null,
    condition: 'JOB_FAILED',
    from,
    to,
    ts,
    actor,
    reason: open ? 'compression:readings: last run Failed' : null,
    value: null,
  };
  await new AlarmRepository(api.client).write({ alarms: [alarm], events: [event], colourChanges: [] });
  return event;
}

const subscribe = async (c: LiveClient, scopes: LiveScope[]): Promise<LiveSubscribeResult> => {
  const result: LiveSubscribeResult = await c.timeout(5000).emitWithAck('subscribe', { scopes });
  return result;
};

const listening = async (): Promise<Server> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
};

/**
 * Issue #20: the platform's own alarms (a TimescaleDB job failing or overdue) were stored and
 * listed for administrators, but pushed to no socket (LiveRooms placed a `platform:` source in no
 * room): an administrator watching the console never saw one raised, acknowledged or returned
 * until the page reloaded. They go to the `platform` room now, which only those who may list
 * them in GET /alarms/active (administrators) may join.
 */
describe('platform alarms pushed live', () => {
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('in-process (serve): an admin sees it raised, acknowledged and returned; nobody else hears it', async () => {
    const http = await listening();
    closers.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
    const source = new TestLiveSource();
    const gateway: LiveGateway = await attachTo(api, http, { source });
    closers.push(() => gateway.close());
    const url = urlOf(http);

    const admin = await connectAs(url, api, 'admin');
    closers.push(() => void admin.disconnect());
    // The dashboard's scopes for an administrator: every root region, and the platform.
    expect(await subscribe(admin, [{ type: 'region', code: PROVINCE }, PLATFORM])).toMatchObject({
      ok: true,
    });

    const others = [
      ['opE1', [{ type: 'enterprise', code: E1 }]],
      ['smE1', [{ type: 'enterprise', code: E1 }]],
      ['regProvince', [{ type: 'region', code: PROVINCE }]],
      ['viewerCounty', [{ type: 'region', code: COUNTY_A }]],
    ] as const;
    const heard = new Map<string, LiveAlarmEvent[]>();
    const sockets: Array<[string, LiveClient]> = [];
    for (const [user, scopes] of others) {
      const c = await connectAs(url, api, user);
      closers.push(() => void c.disconnect());
      // The platform room is refused them, as GET /alarms/active lists them no platform alarm.
      expect(await subscribe(c, [...scopes, PLATFORM])).toMatchObject({
        ok: false,
        error: { code: 'HW_API_FORBIDDEN', scope: PLATFORM },
      });
      expect(await subscribe(c, [...scopes])).toMatchObject({ ok: true });
      heard.set(user, record(c, 'alarm'));
      sockets.push([user, c]);
    }

    const id = `platform-live-${randomUUID()}`;
    const raised = await storePlatform(id, 'NORM', 'UNACK');
    const arrival = next(admin, 'alarm', (e) => e.alarmId === id && e.to === 'UNACK');
    source.live.stored({ alarmEvents: [raised], colourChanges: [], warningEvents: [] });
    expect(await arrival).toMatchObject({
      alarmId: id,
      sourceKey: KEY,
      pointId: null,
      condition: 'JOB_FAILED',
      from: 'NORM',
      to: 'UNACK',
      colour: 'blue',
      enterprise: null,
      hazard: null,
      gateway: null,
      region: null,
      replayed: false,
    });

    const acked = await storePlatform(id, 'UNACK', 'ACKED', 'admin-1');
    const ackArrival = next(admin, 'alarm', (e) => e.alarmId === id && e.to === 'ACKED');
    source.live.stored({ alarmEvents: [acked], colourChanges: [], warningEvents: [] });
    expect(await ackArrival).toMatchObject({ from: 'UNACK', to: 'ACKED', actor: 'admin-1' });

    const back = await storePlatform(id, 'ACKED', 'NORM');
    const backArrival = next(admin, 'alarm', (e) => e.alarmId === id && e.to === 'NORM');
    source.live.stored({ alarmEvents: [back], colourChanges: [], warningEvents: [] });
    expect(await backArrival).toMatchObject({ from: 'ACKED', to: 'NORM' });

    // A point alarm of E1 after them: every other socket hears it, and had heard nothing before.
    const p1 = api.site.pointByKey(E1, 'LT-1101')!.id;
    // The platform room carries no values: the admin's region values keep arriving.
    await vi.waitFor(
      async () => {
        source.live.values([{ pointId: p1, ts: Date.now(), value: 41, quality: 'good' }]);
        expect((await nextValues(admin, (vs) => vs.some((v) => v.pointId === p1))).length).toBeGreaterThan(0);
      },
      { timeout: 10_000, interval: 100 },
    );
    const point = await storeAlarm(api, p1);
    const arrivals = sockets.map(([, c]) => next(c, 'alarm', (e) => e.alarmId === point.alarmId));
    source.live.stored({ alarmEvents: [point], colourChanges: [], warningEvents: [] });
    await Promise.all(arrivals);
    for (const [user] of others)
      expect({ user, heard: heard.get(user)!.map((e) => e.alarmId) }).toEqual({
        user,
        heard: [point.alarmId],
      });
  });

  it('an admin rejoining with sinceEventId gets the platform events it missed (replay)', async () => {
    const http = await listening();
    closers.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
    const gateway: LiveGateway = await attachTo(api, http, {});
    closers.push(() => gateway.close());
    const since = await new AlarmRepository(api.client).lastEventId();
    const id = `platform-replay-${randomUUID()}`;
    await storePlatform(id, 'NORM', 'UNACK');

    const admin = await connectAs(urlOf(http), api, 'admin');
    closers.push(() => void admin.disconnect());
    const replayed = next(admin, 'alarm', (e) => e.alarmId === id);
    await admin.timeout(5000).emitWithAck('subscribe', { scopes: [PLATFORM], sinceEventId: since });
    expect(await replayed).toMatchObject({ to: 'UNACK', sourceKey: KEY, replayed: true });

    const op = await connectAs(urlOf(http), api, 'opE1');
    closers.push(() => void op.disconnect());
    const heard = record(op, 'alarm');
    const done = next(op, 'replay:done');
    await op
      .timeout(5000)
      .emitWithAck('subscribe', { scopes: [{ type: 'enterprise', code: E1 }], sinceEventId: since });
    await done;
    expect(heard.filter((e) => e.alarmId === id)).toEqual([]);
    // Back to normal: one open alarm per source and condition, and the next test raises it again.
    await storePlatform(id, 'UNACK', 'NORM');
  });

  it.skipIf(!redisUp)(
    'through Redis: an `api` instance’s admin hears it once, from the ingest worker that raises platform alarms',
    async () => {
      const streamName = `hw-live-test-${randomUUID()}`;
      const http = await listening();
      closers.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
      // `hazardwatch api`: no source of its own, fed through the Redis streams adapter.
      const gateway = await attachTo(api, http, {
        redisUrl: REDIS_URL,
        redisStreamName: streamName,
        redisBlockMs: 200,
      });
      closers.push(() => gateway.close());
      const publisher = (ownsPlatform: boolean, source: TestLiveSource) =>
        startLivePublisher({
          site: { current: () => api.site },
          source,
          client: api.client,
          logger: silentLogger,
          redisUrl: REDIS_URL,
          redisStreamName: streamName,
          redisBlockMs: 200,
          ownsEnterprise: () => !ownsPlatform,
          ownsPlatform: () => ownsPlatform,
        });
      // Two ingest workers reading the one event log: the holder of partition 0 raises platform
      // alarms and publishes them; the other (owning E1 here) must not send them again.
      const [raising, other] = [new TestLiveSource(), new TestLiveSource()];
      const p0 = await publisher(true, raising);
      closers.push(() => p0.close());
      const p1 = await publisher(false, other);
      closers.push(() => p1.close());

      const url = urlOf(http);
      const admin = await connectAs(url, api, 'admin');
      closers.push(() => void admin.disconnect());
      expect(await subscribe(admin, [{ type: 'region', code: PROVINCE }, PLATFORM])).toMatchObject({
        ok: true,
      });
      const op = await connectAs(url, api, 'opE1');
      closers.push(() => void op.disconnect());
      expect(await subscribe(op, [{ type: 'enterprise', code: E1 }])).toMatchObject({ ok: true });
      const adminHeard = record(admin, 'alarm');
      const opHeard = record(op, 'alarm');

      const id = `platform-redis-${randomUUID()}`;
      const raised = await storePlatform(id, 'NORM', 'UNACK');
      const batch = { alarmEvents: [raised], colourChanges: [], warningEvents: [] };
      raising.live.stored(batch);
      // The other worker's next batch (say its own point alarm) makes it read the same log tail.
      const point = await storeAlarm(api, api.site.pointByKey(E1, 'LT-1101')!.id);
      other.live.stored({ alarmEvents: [point], colourChanges: [], warningEvents: [] });
      await Promise.all([p0.idle(), p1.idle()]);
      await vi.waitFor(
        () => {
          expect(adminHeard.map((e) => e.alarmId)).toContain(id);
          expect(opHeard.map((e) => e.alarmId)).toContain(point.alarmId);
        },
        { timeout: 10_000, interval: 50 },
      );
      // A moment more: a duplicate from the other worker would have arrived by now.
      await new Promise((r) => setTimeout(r, 500));
      expect(adminHeard.filter((e) => e.alarmId === id)).toMatchObject([
        { sourceKey: KEY, to: 'UNACK', enterprise: null },
      ]);
      expect(opHeard.map((e) => e.alarmId)).toEqual([point.alarmId]);
      await storePlatform(id, 'UNACK', 'NORM');
    },
  );
});
