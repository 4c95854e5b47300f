import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { tcpOpen } from '@hazardwatch/testkit';
import { startLivePublisher, type LiveGateway, type LivePublisher } from '@hazardwatch/api';
import { decodeLiveValues } from '@hazardwatch/contracts';
import { buildTestApi, E1, E2, silentLogger, type TestApi } from './support/api-fixture.js';
import { attachTo, connectAs, storeAlarm, TestLiveSource, urlOf, type LiveClient } from './live-fixture.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const redisUp = await tcpOpen('127.0.0.1', 6379);

let api: TestApi;
beforeAll(async () => {
  api = await buildTestApi();
});
afterAll(() => api.close());

/**
 * An ingest worker without an API (`hazardwatch ingest` with REDIS_URL) publishes its events to
 * the sockets of the `hazardwatch api` instances (issue #23). Before startLivePublisher nothing
 * did: a screen connected to an `api` instance never heard such a worker's alarms.
 */
describe.skipIf(!redisUp)('the live publisher of an ingest worker without an API', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('sends its owned alarm events once and its values to a client of an API-only gateway', async () => {
    const streamName = `hw-live-test-${randomUUID()}`;
    const http: Server = createServer();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
    const gateway: LiveGateway = await attachTo(api, http, {
      redisUrl: REDIS_URL,
      redisStreamName: streamName,
      redisBlockMs: 200,
    });
    closers.push(() => gateway.close());
    const source = new TestLiveSource();
    const publisher: LivePublisher = await startLivePublisher({
      site: { current: () => api.site },
      source,
      client: api.client,
      logger: silentLogger,
      redisUrl: REDIS_URL,
      redisStreamName: streamName,
      redisBlockMs: 200,
      ownsEnterprise: (e) => e === E1,
    });
    closers.push(() => publisher.close());

    const c: LiveClient = await connectAs(urlOf(http), api, 'admin');
    closers.push(() => Promise.resolve(void c.disconnect()));
    expect(
      await c.timeout(5000).emitWithAck('subscribe', {
        scopes: [
          { type: 'enterprise', code: E1 },
          { type: 'enterprise', code: E2 },
        ],
      }),
    ).toMatchObject({ ok: true });
    const alarms: string[] = [];
    c.on('alarm', (e) => alarms.push(e.alarmId));
    const seen = new Map<number, number>();
    c.on('values', (frame) => {
      for (const v of decodeLiveValues(frame)) seen.set(v.pointId, v.value);
    });

    const p1 = api.site.pointByKey(E1, 'LT-1101')!.id;
    const p8 = api.site.pointByKey(E2, 'TT-2101')!.id;
    // E2 belongs to another worker: stored in the one log, published by that worker, not this one.
    const mine = await storeAlarm(api, p1);
    const theirs = await storeAlarm(api, p8);
    source.live.stored({ alarmEvents: [mine, theirs], colourChanges: [], warningEvents: [] });
    await publisher.idle();
    await vi.waitFor(() => expect(alarms).toEqual([mine.alarmId]), { timeout: 10_000, interval: 50 });
    await vi.waitFor(
      () => {
        source.live.values([{ pointId: p1, ts: Date.now(), value: 43, quality: 'good' }]);
        expect(seen.get(p1)).toBe(43);
      },
      { timeout: 10_000, interval: 300 },
    );
    // A moment more: a duplicate or the other worker's event would have arrived by now.
    await new Promise((r) => setTimeout(r, 500));
    expect(alarms).toEqual([mine.alarmId]);
  });
});
