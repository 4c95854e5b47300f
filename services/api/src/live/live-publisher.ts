import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { LiveStatus } from '@hazardwatch/contracts';
import type { SiteIndex } from '@hazardwatch/core';
import { systemClock } from '@hazardwatch/kit';
import { AlarmRepository, type SqlClient } from '@hazardwatch/store';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import { CATCH_UP_MAX_EVENTS, LiveFanout, RoomCache } from './live-fanout.js';
import { connectRedis } from './live-gateway.js';
import type { LiveSource } from './live-source.js';
import type { LiveServer } from './live-types.js';
import { redisAnswered } from './redis-link.js';
import { startValueRelay } from './value-relay.js';

export interface LivePublisherOptions {
  /** The site model in force (rooms of each event). */
  readonly site: { current(): SiteIndex | undefined };
  /** The ingest worker's alarm, colour, 预警, value and gateway events. */
  readonly source: LiveSource;
  /** The database: alarm events are read back from it by id, as the gateway does. */
  readonly client: SqlClient;
  readonly logger: Logger;
  readonly redisUrl: string;
  /** The gateways' stream name. @default 'hazardwatch:live' */
  readonly redisStreamName?: string;
  /** Longest XREAD block; `close()` may wait this long. @default 1000 */
  readonly redisBlockMs?: number;
  /** The enterprises whose stored alarm events this worker publishes, asked at each event. @default all */
  readonly ownsEnterprise?: (enterprise: string) => boolean;
  /**
   * Whether this worker publishes the platform's own alarm events (issue #20): those of the worker
   * that raises them — a single unpinned worker, in a leased fleet the holder of partition 0 —
   * asked at each event. Every worker reads them in the one event log. @default true
   */
  readonly ownsPlatform?: () => boolean;
  /**
   * Most alarm events of a Redis outage published one by one once it is back; beyond it the
   * screens only reload their snapshot (LiveFanout). @default CATCH_UP_MAX_EVENTS
   */
  readonly catchUpMaxEvents?: number;
}

export interface LivePublisher {
  /**
   * Whether this worker's events can go out now: false while its Redis connections are lost or
   * not yet made. Nothing is handed to Redis meanwhile: once it answers, the alarm events stored
   * during the outage go out from the event log, then `resync` (LiveFanout).
   */
  readonly liveStatus: LiveStatus;
  /** Resolves once every source batch handed in so far has been published. */
  idle(): Promise<void>;
  /** What the fanout did not hand to Redis while it was lost, and caught up once it was back. */
  readonly counters: LiveFanout['counters'];
  /** Stops the source and closes Redis. Idempotent. */
  close(): Promise<void>;
}

/**
 * The live push of an ingest worker that serves no API (`hazardwatch ingest` with REDIS_URL,
 * issue #23): its events reach the sockets of every `hazardwatch api` instance through the same
 * Redis streams adapter and value channel as the gateway's (attachLiveGateway), with no HTTP
 * server and so no sockets of its own. Without it, a duty centre's screens connected to `api`
 * instances never hear the alarms of the enterprises such a worker evaluates (they see them only
 * when they reload). Each stored alarm event goes out once, through the worker that owns its
 * enterprise, exactly as from `serve`.
 */
export async function startLivePublisher(options: LivePublisherOptions): Promise<LivePublisher> {
  const logger = options.logger.child({ component: 'live-publisher' });
  const streamName = options.redisStreamName ?? 'hazardwatch:live';
  // Never attached to an HTTP server: a node of the adapter that only broadcasts.
  const io: LiveServer = new Server({ serveClient: false });
  // Returns after the first connection attempt, whether Redis answered or not: the events stored
  // from here on are published, those before Redis answers from the event log once it does.
  const redis = await connectRedis(options.redisUrl, logger);
  io.adapter(createAdapter(redis.client, { streamName, blockTimeInMs: options.redisBlockMs ?? 1000 }));
  const log = new AlarmRepository(options.client);
  const fanout = new LiveFanout(
    io,
    new RoomCache(() => options.site.current()),
    log,
    logger,
    // No sockets here: values go to the other instances over the relay only.
    { values: () => undefined },
    await log.lastEventId(),
    options.ownsEnterprise,
    {
      live: () => redis.link.status.live,
      drained: () => redisAnswered(redis.client, systemClock),
      publishesAlarms: true,
      catchUpMaxEvents: options.catchUpMaxEvents ?? CATCH_UP_MAX_EVENTS,
    },
    options.ownsPlatform,
  );
  // Lost already (started during an outage), or from now on.
  if (!redis.link.status.live) fanout.linkChanged(redis.link.status);
  const stopLinkWatch = redis.link.onChange((status) => fanout.linkChanged(status));
  const relay = await startValueRelay({
    client: redis.client,
    channel: `${streamName}:values`,
    logger,
    deliver: () => undefined,
    live: () => redis.link.status.live,
  });
  const stopSource = options.source.subscribe({
    stored: (events) => fanout.stored(events),
    values: (values) => relay.publish(values),
    gateway: (presence) => fanout.gateway(presence),
  });
  logger.info({ streamName }, 'live publisher started');

  let closing: Promise<void> | undefined;
  return {
    get liveStatus() {
      return redis.link.status;
    },
    idle: () => fanout.idle(),
    counters: fanout.counters,
    close: () => {
      closing ??= (async () => {
        stopSource();
        stopLinkWatch();
        await fanout.idle();
        await relay.close();
        await io.of('/').adapter.close();
        await redis.close();
        logger.info('live publisher closed');
      })();
      return closing;
    },
  };
}
