import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveValue } from '@hazardwatch/contracts';
import {
  freePort,
  redisServerMissing,
  startPrivateRedis,
  stopPrivateRedis,
  tcpOpen,
  waitFor,
} from '@hazardwatch/testkit';
import { startValueRelay } from '@hazardwatch/api';

/**
 * The value relay while Redis is lost (issue #23): node-redis's offline queue has no bound, and
 * the relay published a frame of every value 40 times a second into it for as long as Redis was
 * away — an outage of hours ran the process (with the alarm engine in it) out of memory, and the
 * frames, stale by then, all went out at once when Redis came back. While the link says live push
 * is lost the relay now drops its frames (counted); once it is back frames flow again. A private
 * redis-server on a free port.
 */

const value = (pointId: number, ts: number): LiveValue => ({ pointId, ts, value: 1, quality: 'good' });

describe.skipIf(redisServerMissing)('value relay while Redis is lost (a private redis-server)', () => {
  let redis: ChildProcess | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
    if (redis) await stopPrivateRedis(redis);
  });

  it('drops its frames while the link is down (nothing queued in node-redis), publishes again once it is back', async () => {
    const port = await freePort();
    redis = startPrivateRedis(port);
    await waitFor(() => tcpOpen('127.0.0.1', port), Boolean, 'redis listening', 20_000);
    const url = `redis://127.0.0.1:${port}`;
    const channel = `hw-relay-offline-${randomUUID()}`;
    const logger = pino({ level: 'silent' });
    const publisherClient = createClient({ url });
    publisherClient.on('error', () => undefined);
    await publisherClient.connect();
    cleanups.push(() => publisherClient.disconnect());
    // Every PUBLISH the relay asks node-redis for (sent, or queued while Redis is away).
    let publishCalls = 0;
    const publish = publisherClient.publish.bind(publisherClient);
    publisherClient.publish = (...args: Parameters<typeof publish>) => {
      publishCalls++;
      return publish(...args);
    };
    let live = true;
    const sender = await startValueRelay({
      client: publisherClient,
      channel,
      logger,
      deliver: () => undefined,
      flushMs: 5,
      live: () => live,
    });
    cleanups.push(() => sender.close());
    const receiverClient = createClient({ url });
    receiverClient.on('error', () => undefined);
    await receiverClient.connect();
    cleanups.push(() => receiverClient.disconnect());
    const received: LiveValue[] = [];
    const receiver = await startValueRelay({
      client: receiverClient,
      channel,
      logger,
      deliver: (values) => received.push(...values),
    });
    cleanups.push(() => receiver.close());

    sender.publish([value(1, 1000)]);
    await waitFor(
      () => Promise.resolve(received.length),
      (n) => n === 1,
      'the first value relayed',
      5000,
    );
    expect(publishCalls).toBe(1);

    // The link lost (RedisLink says so): 20 flushes' worth of values, none handed to node-redis.
    live = false;
    for (let i = 0; i < 20; i++) {
      sender.publish([value(2, 2000 + i)]);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(publishCalls).toBe(1);
    expect(sender.counters.droppedOffline).toBeGreaterThanOrEqual(10);

    // Back: frames flow again, none of the outage's.
    live = true;
    sender.publish([value(3, 3000)]);
    await waitFor(
      () => Promise.resolve(received.length),
      (n) => n === 2,
      'a value after the outage',
      5000,
    );
    expect(received.map((v) => v.pointId)).toEqual([1, 3]);
    expect(publishCalls).toBe(2);
  });
});
