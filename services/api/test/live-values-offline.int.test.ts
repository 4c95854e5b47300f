import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeLiveValues, type LiveValue } from '@hazardwatch/contracts';
import {
  freePort,
  redisServerMissing,
  startPrivateRedis,
  stopPrivateRedis,
  tcpOpen,
  waitFor,
} from '@hazardwatch/testkit';
import { startLivePublisher, type LiveGateway, type LivePublisher } from '@hazardwatch/api';
import { buildTestApi, E1, silentLogger, type TestApi } from './support/api-fixture.js';
import {
  attachTo,
  connectAs,
  countOfflineCommands,
  TestLiveSource,
  urlOf,
  type LiveClient,
} from './live-fixture.js';

/**
 * The value relay drops its frames while live push is lost (d897f07, issue #23) only if whoever
 * starts it passes the Redis link's state (`live:`): the relay's own test drives that option
 * directly. Here end to end, as deployed: a `serve` gateway with a source (live-gateway.ts) and an
 * ingest worker's publisher (live-publisher.ts) each hand values to the relay while a PRIVATE
 * redis-server on a free port is stopped; node-redis is asked for no PUBLISH meanwhile (its
 * offline queue has no bound: a frame 40 times a second for the whole outage), and once Redis is
 * back values flow again to a screen of an `api` instance, none of the outage's among them.
 */
/** The value the outage's readings carry: never to reach a screen. */
const STALE = 666;

const listening = async (): Promise<Server> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
};

describe.skipIf(redisServerMissing)(
  'live values while Redis is lost, as wired (a private redis-server)',
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

    it.each(['serve gateway', 'ingest publisher'] as const)(
      'the %s hands node-redis no value frame while Redis is stopped, and values flow again once it is back',
      async (producer) => {
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
        const redisStreamName = `hw-live-values-offline-${randomUUID()}`;
        const options = { redisUrl, redisStreamName, redisBlockMs: 200 };

        // The screen's instance: `hazardwatch api`, no source; it hears values through the relay.
        const apiHttp = await listening();
        closers.push(() => new Promise<void>((resolve) => apiHttp.close(() => resolve())));
        const apiGateway: LiveGateway = await attachTo(api, apiHttp, options);
        closers.push(() => apiGateway.close());
        // The producer: `serve` (a gateway with the ingest's source) or `ingest` (the publisher).
        const source = new TestLiveSource();
        let producerLive: () => boolean;
        if (producer === 'serve gateway') {
          const serveHttp = await listening();
          closers.push(() => new Promise<void>((resolve) => serveHttp.close(() => resolve())));
          const serve: LiveGateway = await attachTo(api, serveHttp, { ...options, source });
          closers.push(() => serve.close());
          producerLive = () => serve.liveStatus?.live === true;
        } else {
          const publisher: LivePublisher = await startLivePublisher({
            site: { current: () => api.site },
            source,
            client: api.client,
            logger: silentLogger,
            ...options,
          });
          closers.push(() => publisher.close());
          producerLive = () => publisher.liveStatus.live;
        }

        const screen: LiveClient = await connectAs(urlOf(apiHttp), api, 'opE1', { reconnection: true });
        closers.push(() => Promise.resolve(void screen.disconnect()));
        expect(
          await screen.timeout(5000).emitWithAck('subscribe', { scopes: [{ type: 'enterprise', code: E1 }] }),
        ).toMatchObject({ ok: true });
        const seen: LiveValue[] = [];
        screen.on('values', (frame) => void seen.push(...decodeLiveValues(frame)));
        const pointId = api.site.pointByKey(E1, 'LT-1101')!.id;
        const flows = async (value: number): Promise<void> => {
          await waitFor(
            () => {
              source.live.values([{ pointId, ts: Date.now(), value, quality: 'good' }]);
              return Promise.resolve(seen.some((v) => v.value === value));
            },
            Boolean,
            `value ${value} on the screen`,
            20_000,
          );
        };
        await flows(1);

        await stopPrivateRedis(redis!);
        await waitFor(
          () => Promise.resolve(producerLive() || apiGateway.liveStatus?.live === true),
          (up) => !up,
          'the links lost',
          10_000,
        );
        offline = countOfflineCommands();
        // Half a second of values: a frame each 25 ms flush (the relay's default), some 16 of them.
        for (let i = 0; i < 40; i++) {
          source.live.values([{ pointId, ts: Date.now(), value: STALE, quality: 'good' }]);
          await new Promise((r) => setTimeout(r, 12));
        }
        await new Promise((r) => setTimeout(r, 100));
        // Without `live:` in the wiring: a PUBLISH per flush (15 or 16), held until Redis answers.
        expect(
          offline.counts.get('PUBLISH') ?? 0,
          'PUBLISH commands held by node-redis while Redis was down',
        ).toBe(0);
        offline.restore();
        offline = undefined;

        await redisUp();
        await waitFor(
          () => Promise.resolve(producerLive() && apiGateway.liveStatus?.live === true),
          Boolean,
          'the links back',
          20_000,
        );
        await flows(2);
        expect(seen.filter((v) => v.value === STALE)).toEqual([]);
      },
      60_000,
    );
  },
);
