import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmEvent } from '@hazardwatch/contracts';
import type { AlarmRecord } from '@hazardwatch/core';
import { AlarmRepository } from '@hazardwatch/store';
import {
  freePort,
  redisServerMissing,
  startPrivateRedis,
  stopPrivateRedis,
  tcpOpen,
  waitFor,
} from '@hazardwatch/testkit';
import { startLivePublisher, type LiveGateway, type LivePublisher } from '@hazardwatch/api';
import { buildTestApi, E1, NOW, silentLogger, type TestApi } from './support/api-fixture.js';
import {
  attachTo,
  connectAs,
  countOfflineCommands,
  next,
  pointRaise,
  record,
  TestLiveSource,
  urlOf,
  type LiveClient,
} from './live-fixture.js';

/**
 * An ingest worker's live events while its Redis is lost (issue #23). node-redis's offline queue
 * has no bound: every alarm event the worker published during an outage — one XADD each — waited
 * there until Redis answered, so an alarm flood during a long outage grew without limit in the
 * process that runs the alarm engine. Now nothing is handed to node-redis while the link is lost:
 * the publisher keeps the last alarm event id it published, and once Redis is back it publishes
 * the stored events after it from the database, in pages, and tells every screen to reload its
 * snapshot (`resync`: colours, 预警 and gateway presence are not in the event log). A PRIVATE
 * redis-server on a free port, the one stopped; real PostgreSQL.
 */
/** Alarm events stored and fanned out while Redis is stopped. */
const FLOOD = 3000;
/** Stored units the flood arrives in (the alarm engine's `onStored` batches). */
const UNIT = 25;

let seq = 0;

/** `count` alarm raises (record + event) on one point, stored as the alarm host would. */
async function storeFlood(api: TestApi, pointId: number, count: number): Promise<AlarmEvent[]> {
  const alarms: AlarmRecord[] = [];
  const events: AlarmEvent[] = [];
  for (let i = 0; i < count; i++) {
    seq += 1;
    const raise = pointRaise(`flood-${seq}-${pointId}`, pointId, NOW + seq);
    alarms.push(raise.record);
    events.push(raise.event);
  }
  const repo = new AlarmRepository(api.client);
  for (let i = 0; i < count; i += 500)
    await repo.write({
      alarms: alarms.slice(i, i + 500),
      events: events.slice(i, i + 500),
      colourChanges: [],
    });
  return events;
}

/**
 * A TCP relay to Redis that can be cut (its connections destroyed, its port closed: refused) and
 * opened again on the same port: one process's link to Redis lost while the others' stays up.
 */
async function tcpRelay(
  target: number,
): Promise<{ port: number; cut(): Promise<void>; open(): Promise<void> }> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: TcpServer | undefined;
  const open = async (): Promise<void> => {
    server = createTcpServer((client) => {
      const upstream = connect(target, '127.0.0.1');
      sockets.add(client).add(upstream);
      const end = (): void => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      for (const s of [client, upstream]) s.on('error', end).on('close', end);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
  };
  const cut = async (): Promise<void> => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await open();
  return { port, cut, open };
}

const listening = async (): Promise<Server> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
};

describe.skipIf(redisServerMissing)(
  'an ingest worker’s live events while Redis is lost (a private redis-server)',
  () => {
    let api: TestApi;
    let redis: ChildProcess | undefined;
    const closers: Array<() => Promise<unknown>> = [];
    let offline: ReturnType<typeof countOfflineCommands> | undefined;

    beforeAll(async () => {
      api = await buildTestApi();
    });
    afterAll(() => api.close());
    afterEach(async () => {
      offline?.restore();
      offline = undefined;
      for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
      if (redis) await stopPrivateRedis(redis);
      redis = undefined;
    });

    /**
     * A private Redis; `hazardwatch api` (a gateway without a source: its screens hear the workers
     * through Redis) with a screen subscribed to E1; `hazardwatch ingest` (the publisher) fed by a
     * test source. An alarm goes out live before anything else. `relayed`: the publisher reaches
     * Redis through a relay, and only its link is lost (Redis and the api's link stay up).
     */
    async function stack(options: { catchUpMaxEvents?: number; relayed?: boolean } = {}) {
      const { catchUpMaxEvents, relayed = false } = options;
      const port = await freePort();
      const redisUp = async (): Promise<void> => {
        redis = startPrivateRedis(port);
        await waitFor(
          () => tcpOpen('127.0.0.1', port),
          Boolean,
          'the private redis-server listening',
          20_000,
        );
      };
      await redisUp();
      const redisUrl = `redis://127.0.0.1:${port}`;
      const redisStreamName = `hw-live-backlog-${randomUUID()}`;
      const relay = relayed ? await tcpRelay(port) : undefined;
      if (relay) closers.push(() => relay.cut());
      const http = await listening();
      closers.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
      const gateway: LiveGateway = await attachTo(api, http, {
        redisUrl,
        redisStreamName,
        redisBlockMs: 200,
      });
      closers.push(() => gateway.close());
      const source = new TestLiveSource();
      const publisher: LivePublisher = await startLivePublisher({
        site: { current: () => api.site },
        source,
        client: api.client,
        logger: silentLogger,
        redisUrl: relay ? `redis://127.0.0.1:${relay.port}` : redisUrl,
        redisStreamName,
        redisBlockMs: 200,
        ...(catchUpMaxEvents !== undefined ? { catchUpMaxEvents } : {}),
      });
      closers.push(() => publisher.close());
      const screen: LiveClient = await connectAs(urlOf(http), api, 'opE1', { reconnection: true });
      closers.push(() => Promise.resolve(void screen.disconnect()));
      expect(
        await screen.timeout(5000).emitWithAck('subscribe', { scopes: [{ type: 'enterprise', code: E1 }] }),
      ).toMatchObject({ ok: true });
      const alarms: string[] = [];
      screen.on('alarm', (e) => void alarms.push(e.alarmId));
      const resyncs = record(screen, 'resync');
      const statuses = record(screen, 'live-status');
      const pointId = api.site.pointByKey(E1, 'LT-1101')!.id;
      const live = async (): Promise<void> => {
        const [one] = await storeFlood(api, pointId, 1);
        const got = next(screen, 'alarm', (e) => e.alarmId === one!.alarmId, 10_000);
        source.live.stored({ alarmEvents: [one!], colourChanges: [], warningEvents: [] });
        await got;
      };
      await live();

      /** Stops Redis (or cuts the relay), stores `count` alarms and hands them to the publisher. */
      const floodWhileDown = async (count: number): Promise<AlarmEvent[]> => {
        if (relay) await relay.cut();
        else await stopPrivateRedis(redis!);
        await waitFor(
          () => Promise.resolve(publisher.liveStatus.live || (!relay && gateway.liveStatus?.live === true)),
          (up) => !up,
          'the links lost',
          10_000,
        );
        offline = countOfflineCommands();
        const flood = await storeFlood(api, pointId, count);
        for (let i = 0; i < flood.length; i += UNIT)
          source.live.stored({ alarmEvents: flood.slice(i, i + UNIT), colourChanges: [], warningEvents: [] });
        // Presence is not in the event log: dropped, and the screens resync.
        source.live.gateway({ enterprise: E1, gateway: 'GW1', online: false, ts: NOW, spoolDepth: null });
        await publisher.idle();
        return flood;
      };
      const back = async (): Promise<void> => {
        if (relay) await relay.open();
        else await redisUp();
        await waitFor(
          () => Promise.resolve(publisher.liveStatus.live && gateway.liveStatus?.live === true),
          Boolean,
          'both links back',
          20_000,
        );
      };
      return { publisher, gateway, alarms, resyncs, statuses, live, floodWhileDown, back };
    }

    /** What node-redis was asked for while down: a few reconnection-time commands at most. */
    function expectLittleHeld(): void {
      const counts = offline!.counts;
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      expect(total, `commands held offline: ${JSON.stringify(Object.fromEntries(counts))}`).toBeLessThan(20);
      offline!.restore();
      offline = undefined;
    }

    it(`holds no command per event during the outage (${FLOOD} alarms stored), and a screen of an api instance then gets every one, once and in order, and a resync`, async () => {
      const { publisher, alarms, resyncs, live, floodWhileDown, back } = await stack();
      const flood = await floodWhileDown(FLOOD);
      // Before: an XADD per alarm event (3,000 and more) in the offline queue.
      expectLittleHeld();
      expect(publisher.counters.droppedOffline).toBe(1);

      await back();
      await waitFor(
        () => Promise.resolve(alarms.length),
        (n) => n >= 1 + FLOOD,
        'every alarm of the outage on the screen',
        30_000,
      );
      await waitFor(
        () => Promise.resolve(resyncs.length),
        (n) => n === 1,
        'a resync (the presence of the outage)',
        10_000,
      );
      expect(resyncs[0]).toMatchObject({ reason: 'redis' });
      expect(alarms.slice(1)).toEqual(flood.map((e) => e.alarmId));
      expect(publisher.counters.caughtUp).toBe(FLOOD);

      await live();
      expect(alarms).toHaveLength(FLOOD + 2);
    }, 120_000);

    it('leaves a backlog over its bound to the snapshot: a resync, none of it one by one, live again after', async () => {
      const { publisher, alarms, resyncs, live, floodWhileDown, back } = await stack({
        catchUpMaxEvents: 500,
      });
      await floodWhileDown(1200);
      expectLittleHeld();

      await back();
      await waitFor(
        () => Promise.resolve(resyncs.length),
        (n) => n === 1,
        'a resync',
        10_000,
      );
      expect(publisher.counters).toMatchObject({ caughtUp: 0, catchUpsSkipped: 1 });
      expect(alarms).toHaveLength(1);
      // The next alarm goes out alone (the skipped ones are not sent after all).
      await live();
      expect(alarms).toHaveLength(2);
    }, 120_000);

    it('only the worker’s own link lost (the api’s Redis fine, its screen never told live:false): every alarm of the outage reaches the screen once its link is back, then a resync', async () => {
      const { publisher, gateway, alarms, resyncs, statuses, live, floodWhileDown, back } = await stack({
        relayed: true,
      });
      const flood = await floodWhileDown(1500);
      expectLittleHeld();
      expect(gateway.liveStatus?.live).toBe(true);

      await back();
      await waitFor(
        () => Promise.resolve(alarms.length),
        (n) => n >= 1 + flood.length,
        'every alarm of the outage on the screen',
        30_000,
      );
      await waitFor(
        () => Promise.resolve(resyncs.length),
        (n) => n === 1,
        'a resync',
        10_000,
      );
      expect(alarms.slice(1)).toEqual(flood.map((e) => e.alarmId));
      expect(publisher.counters.caughtUp).toBe(flood.length);
      // Its own instance's live push worked throughout: nothing else told it anything was missed.
      expect(statuses).toEqual([]);
      await live();
    }, 120_000);
  },
);
