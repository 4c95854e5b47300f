import { randomUUID } from 'node:crypto';
import {
  decodeLiveValues,
  encodeLiveValues,
  type LiveValue,
  type LiveValueFrame,
} from '@hazardwatch/contracts';
import type { Logger } from 'pino';
import type { createClient } from 'redis';

type RedisClient = ReturnType<typeof createClient>;

export interface ValueRelayOptions {
  /** Connected client; the relay subscribes on a duplicate of it. */
  readonly client: RedisClient;
  readonly channel: string;
  readonly logger: Logger;
  /** Values another instance's source produced, for this instance's sockets. */
  readonly deliver: (values: readonly LiveValue[]) => void;
  /** Values are gathered this long before one message goes out, ms. @default 25 */
  readonly flushMs?: number;
  /**
   * Whether live push works now (RedisLink). While it does not, gathered values are dropped, not
   * queued: a frame of values is stale by the time Redis answers again (the screens reload their
   * snapshot then), and node-redis's offline queue, unbounded, held every frame of the outage —
   * 40 a second, of every value — until the process ran out of memory. @default always
   */
  readonly live?: () => boolean;
}

export interface ValueRelay {
  /** Shares values from this instance's source with the other instances. */
  publish(values: readonly LiveValue[]): void;
  /** Messages published / received / dropped as malformed; value frames dropped while Redis was lost. */
  readonly counters: { published: number; received: number; malformed: number; droppedOffline: number };
  close(): Promise<void>;
}

/**
 * Live values across instances (Redis pub/sub). Alarm, colour, 预警 and gateway events already
 * reach every instance through the socket.io Redis adapter; values do not go through the adapter
 * (they are conflated per room on each instance, see ValueRouter), so each instance with a source
 * (an ingest worker running the API) publishes its values here, and every other instance — an
 * API-only process, or a worker whose clients watch another worker's enterprises — fans them out
 * to its own sockets. Best effort, as live values are: a value lost here is superseded by the
 * next one; nothing durable rides on it.
 */
export async function startValueRelay(options: ValueRelayOptions): Promise<ValueRelay> {
  const self = randomUUID();
  const log = options.logger.child({ component: 'value-relay' });
  const counters = { published: 0, received: 0, malformed: 0, droppedOffline: 0 };
  const subscriber = options.client.duplicate();
  // Every failed reconnection repeats the error: the outage itself is logged once, by the
  // connection's RedisLink (connectRedis).
  subscriber.on('error', (err: unknown) => log.debug({ err }, 'redis subscriber error'));
  const receive = (message: string): void => {
    const cut = message.indexOf('\n');
    if (cut < 0) {
      counters.malformed += 1;
      return;
    }
    if (message.slice(0, cut) === self) return;
    try {
      const values = decodeLiveValues(JSON.parse(message.slice(cut + 1)) as LiveValueFrame);
      counters.received += 1;
      options.deliver(values);
    } catch (err) {
      counters.malformed += 1;
      log.warn({ err }, 'malformed value relay message dropped');
    }
  };
  // Subscribed once connected (node-redis resubscribes after every reconnection). The start waits
  // for the subscription or for a first failed attempt: with Redis down, the other instances'
  // values arrive once it answers (issue #23).
  const subscribed = (async () => {
    await subscriber.connect();
    // Closed before Redis ever answered: a SUBSCRIBE now would wait for ever.
    if (subscriber.isOpen) await subscriber.subscribe(options.channel, receive);
  })();
  subscribed.catch((err: unknown) => {
    if (subscriber.isOpen) log.warn({ err }, 'value relay subscription failed');
  });
  const failedOnce = new Promise<void>((resolve) => subscriber.once('error', () => resolve()));
  await Promise.race([subscribed.catch(() => undefined), failedOnce]);

  let gathered: LiveValue[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    if (gathered.length === 0) return;
    if (options.live && !options.live()) {
      gathered = [];
      counters.droppedOffline += 1;
      return;
    }
    const frame = encodeLiveValues(gathered);
    gathered = [];
    counters.published += 1;
    options.client
      .publish(options.channel, `${self}\n${JSON.stringify(frame)}`)
      .catch((err: unknown) => log.warn({ err }, 'value relay publish failed'));
  };
  return {
    counters,
    publish(values) {
      for (const v of values) gathered.push(v);
      timer ??= setTimeout(flush, options.flushMs ?? 25);
    },
    async close() {
      if (timer) clearTimeout(timer);
      flush();
      // Redis lost: QUIT would wait in the offline queue until it is back.
      if (subscriber.isOpen) await (subscriber.isReady ? subscriber.quit() : subscriber.disconnect());
    },
  };
}
