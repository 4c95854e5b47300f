import { once } from 'node:events';
import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import {
  LIVE_VALUES_DEFAULT_INTERVAL_MS,
  type LiveConnectErrorData,
  type LiveStatus,
} from '@hazardwatch/contracts';
import { AlarmRepository, AuditRepository, UserRepository, type SqlClient } from '@hazardwatch/store';
import type { Logger } from 'pino';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { AuthService } from '../auth/auth-service.js';
import { UserSessions } from '../auth/user-sessions.js';
import type { ApiSettings } from '../config.js';
import type { SiteSource } from '../routes/context.js';

import { LiveFanout, RoomCache } from './live-fanout.js';
import { installHandlers, recheckRooms } from './live-handlers.js';
import { startLiveRevalidation } from './live-revalidation.js';
import { installSessionExpiry } from './live-session.js';
import type { LiveSource } from './live-source.js';
import { changeFeedOf, type ChangeFeed } from './change-feed.js';
import type { LiveServer, LiveSocket } from './live-types.js';
import { systemClock } from '@hazardwatch/kit';
import type { LiveClock } from './value-conflator.js';
import { ValueRouter } from './value-router.js';
import { firstConnectAttempt, redisAnswered, RedisLink } from './redis-link.js';
import { startValueRelay } from './value-relay.js';

export interface LiveGatewayOptions {
  /** The API's HTTP server (`app.server` of the fastify instance); the gateway serves `path` on it. */
  readonly httpServer: HttpServer;
  /**
   * The API settings: access tokens are verified with `auth` exactly as REST verifies them, and
   * socket events answer to the same `authority` table as routes.
   */
  readonly settings: Pick<ApiSettings, 'auth' | 'authority'>;
  readonly site: SiteSource;
  /** Alarm, colour, 预警, value and gateway events; without it the gateway only relays (Redis). */
  readonly source?: LiveSource;
  /** The database: alarm events are read back from it by id (live ids and replay). */
  readonly client: SqlClient;
  readonly logger: Logger;
  /** Share rooms with other instances through the Redis streams adapter. */
  readonly redisUrl?: string;
  /** Redis stream name. @default 'hazardwatch:live' */
  readonly redisStreamName?: string;
  /** Longest XREAD block; `close()` may wait this long for the adapter's reader. @default 1000 */
  readonly redisBlockMs?: number;
  /**
   * Monitoring-change records to push as `change` events (issue #19). @default the feed of the API
   * app serving `httpServer` (registered by buildApiApp), if any
   */
  readonly changes?: ChangeFeed;
  /** socket.io path. @default '/socket.io' */
  readonly path?: string;
  /** How long a dropped client's session (rooms, missed broadcasts) is kept. @default 120000 */
  readonly recoveryWindowMs?: number;
  /** Most alarm events one `sinceEventId` replay sends. @default 10000 */
  readonly replayLimit?: number;
  /**
   * A values batch waits while the client's transport is busy and this many packets are already
   * queued for it. @default 8
   */
  readonly maxQueuedPackets?: number;
  /** @default system clock */
  readonly clock?: LiveClock;
  /**
   * The enterprises whose stored alarm events this instance publishes (an ingest worker owning a
   * partition, HW_INGEST_ENTERPRISES): every instance reads the one event log, and each event must
   * go out once — through its owner (with Redis, to every instance's sockets). @default all
   */
  readonly ownsEnterprise?: (enterprise: string) => boolean;
  /**
   * Whether this instance publishes the platform's own alarm events (issue #20): those of the
   * process that raises them — `serve` or a single unpinned worker, in a leased fleet the holder of
   * partition 0 — asked at each event. Every instance reads them in the one event log. @default true
   */
  readonly ownsPlatform?: () => boolean;
  /**
   * How often this instance checks its sockets' users (disabled, deleted, new role or scope →
   * `session_ended`, disconnect) and the site model (rooms out of scope → `rooms_left`), ms.
   * @default 1000
   */
  readonly sessionCheckIntervalMs?: number;
}

export interface LiveGateway {
  readonly io: LiveServer;
  /** Sockets connected to this instance. */
  readonly clients: number;
  /**
   * Whether live push works now: false while this instance's Redis connections are lost (events
   * neither reach nor leave it; its sockets were told with `live-status`). undefined without Redis.
   */
  readonly liveStatus: LiveStatus | undefined;
  /** Resolves once every source batch handed in so far has been sent (tests, benchmarks). */
  idle(): Promise<void>;
  /** Stops the source, disconnects this instance's clients (they may reconnect elsewhere and recover), closes Redis. Idempotent. */
  close(): Promise<void>;
}

function refused(
  reason: string,
  code: LiveConnectErrorData['code'] = 'HW_API_UNAUTHENTICATED',
): Error & { data: LiveConnectErrorData } {
  const what = code === 'HW_API_SESSION_ENDED' ? 'session ended' : 'authentication required';
  return Object.assign(new Error(`${what}: ${reason}`), { data: { code } });
}

/** Packets engine.io holds for a socket (not part of its typed API; absent → unknown). */
function queuedPackets(socket: LiveSocket): number {
  const buffer = (socket.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer;
  return Array.isArray(buffer) ? buffer.length : Number.POSITIVE_INFINITY;
}

/**
 * The socket.io live push of issue 4, attached to the API's HTTP server from outside the app
 * (STYLE rule 7: the app factory stays free of it; the process entry wires it). Clients connect
 * with `auth: { token: <access token> }`, join scope-checked rooms with `subscribe`, and receive
 * alarm, colour, 预警, gateway and conflated value events. A client that drops is recovered by
 * socket.io connection state recovery, or asks for a replay with `sinceEventId`. A session ends
 * with its access token (`session_expired`) unless the client sends a fresh one with `reauth`,
 * and within seconds of its user being disabled, deleted or re-granted (`session_ended`); a site
 * change that puts a joined room out of the user's scope makes the socket leave it (`rooms_left`).
 */
export async function attachLiveGateway(options: LiveGatewayOptions): Promise<LiveGateway> {
  const logger = options.logger.child({ component: 'live' });
  const clock = options.clock ?? systemClock;
  const maxQueued = options.maxQueuedPackets ?? 8;
  const users = new UserRepository(options.client);
  const sessions = new UserSessions(users, () => clock.now());
  const auth = new AuthService(users, options.settings.auth, () => clock.now(), sessions);
  // Set once the revalidation runs (sockets can join rooms only after that).
  const siteReplaced = { notify: (): void => undefined };
  const rooms = new RoomCache(
    () => options.site.current(),
    () => siteReplaced.notify(),
  );
  const log = new AlarmRepository(options.client);

  const io: LiveServer = new Server({
    path: options.path ?? '/socket.io',
    serveClient: false,
    connectionStateRecovery: {
      maxDisconnectionDuration: options.recoveryWindowMs ?? 120_000,
      skipMiddlewares: false,
    },
  });

  const redis =
    options.redisUrl === undefined ? undefined : await connectRedis(options.redisUrl, logger, clock);
  if (redis) {
    io.adapter(
      createAdapter(redis.client, {
        streamName: options.redisStreamName ?? 'hazardwatch:live',
        blockTimeInMs: options.redisBlockMs ?? 1000,
      }),
    );
    // A screen reconnecting with a session to recover (socket.io sends its pid and last offset)
    // has it restored from Redis (GETDEL, XRANGE). With Redis not answering, those commands wait in
    // the offline queue and the screen's handshake with them: a screen reconnecting to an instance
    // started during an outage hung in "connecting" until Redis came back. It connects as a new
    // socket instead, is told live:false, and replays from its last event id when it subscribes.
    const adapter = io.of('/').adapter;
    const restore = adapter.restoreSession.bind(adapter);
    const client = redis.client;
    adapter.restoreSession = (pid, offset) =>
      client.isReady
        ? restore(pid, offset)
        : Promise.reject(new Error('redis not ready: no session recovery'));
  }

  const values = new ValueRouter({
    io,
    clock,
    canSend: (socket) => socket.conn.transport.writable || queuedPackets(socket) < maxQueued,
    pointRooms: (pointId) => rooms.current()?.point(pointId) ?? [],
  });
  // Every join and leave (subscribe, unsubscribe, scope re-checks, session expiry) re-places the
  // socket's values: one hook, whatever made the change.
  const nsp = io.of('/');
  const replace = (_room: unknown, id: string): void => {
    const socket = nsp.sockets.get(id);
    if (socket !== undefined) values.update(socket);
  };
  nsp.adapter.on('join-room', replace);
  nsp.adapter.on('leave-room', replace);

  const owns = options.ownsEnterprise;
  // With Redis, nothing is handed to node-redis while the link is lost (its offline queue has no
  // bound); the alarm events stored meanwhile go out from the event log once it is back, then
  // `resync` (LiveFanout).
  const fanout = new LiveFanout(
    io,
    rooms,
    log,
    logger,
    values,
    await log.lastEventId(),
    owns,
    redis && {
      live: () => redis.link.status.live,
      drained: () => redisAnswered(redis.client, clock),
      publishesAlarms: options.source !== undefined,
    },
    options.ownsPlatform,
  );
  if (redis && !redis.link.status.live) fanout.linkChanged(redis.link.status);
  // Values of the other instances' sources (with Redis), and ours for them.
  const relay = redis
    ? await startValueRelay({
        client: redis.client,
        channel: `${options.redisStreamName ?? 'hazardwatch:live'}:values`,
        logger,
        deliver: (v) => fanout.values(v),
        live: () => redis.link.status.live,
      })
    : undefined;

  io.use((socket, next) => {
    const token: unknown = (socket.handshake.auth as Record<string, unknown>)['token'];
    if (typeof token !== 'string' || token === '') return next(refused('no access token'));
    auth.authenticate(token).then(
      (verdict) => {
        if (!verdict.ok) return next(refused(verdict.reason, verdict.code));
        socket.data.principal = verdict.principal;
        socket.data.expiresAtMs = verdict.expiresAtMs;
        socket.data.sessionVersion = verdict.sessionVersion;
        socket.data.scopes ??= {};
        socket.data.intervalMs ??= LIVE_VALUES_DEFAULT_INTERVAL_MS;
        next();
      },
      (err: unknown) => {
        logger.error({ err }, 'live handshake check failed');
        next(refused('the session could not be checked'));
      },
    );
  });

  io.on('connection', (socket) => {
    // Sent before the socket's first `subscribe` is answered: a screen that connects while live
    // push is down is never shown live. Local: with state recovery on, `socket.emit` goes through
    // the adapter, so through the Redis that is lost.
    const status = redis?.link.status;
    if (status !== undefined && !status.live) io.local.to(socket.id).emit('live-status', status);
    // A recovered socket rejoined its rooms before it was registered here.
    values.update(socket);
    socket.on('disconnect', () => values.remove(socket));
    installHandlers(socket, values, {
      rooms,
      log,
      logger,
      replayLimit: options.replayLimit ?? 10_000,
      authority: options.settings.authority,
    });
    installSessionExpiry(socket, { clock, authenticate: (token) => auth.authenticate(token), rooms, logger });
    if (socket.recovered) {
      recheckRooms(socket, rooms).catch((err: unknown) =>
        logger.error({ err, socket: socket.id }, 'room recheck failed'),
      );
    }
  });

  io.attach(options.httpServer);
  const revalidation = startLiveRevalidation({
    io,
    rooms,
    sessions,
    audit: new AuditRepository(options.client),
    clock,
    logger,
    ...(options.sessionCheckIntervalMs !== undefined ? { intervalMs: options.sessionCheckIntervalMs } : {}),
  });
  siteReplaced.notify = () => revalidation.siteChanged();
  const stopSource = options.source?.subscribe({
    stored: (events) => fanout.stored(events),
    values: (v) => {
      fanout.values(v);
      relay?.publish(v);
    },
    gateway: (presence) => fanout.gateway(presence),
  });
  const stopChanges = (options.changes ?? changeFeedOf(options.httpServer))?.subscribe((change) =>
    fanout.change(change),
  );
  // Local only: the adapter's broadcast goes through Redis, the very thing that is lost.
  const stopLinkWatch = redis?.link.onChange((status) => {
    io.local.emit('live-status', status);
    fanout.linkChanged(status);
  });
  logger.info({ redis: redis !== undefined }, 'live gateway attached');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // From here on a Redis connection that ends is this close's doing, not an outage.
      redis?.link.close();
      stopSource?.();
      stopChanges?.();
      stopLinkWatch?.();
      await revalidation.close();
      await fanout.idle();
      values.close();
      await relay?.close();
      // Not `io.close()`: that would close the HTTP server, which the API owns. Closing the
      // engine drops every connection as a transport close, which clients recover from.
      io.engine.close();
      await io.of('/').adapter.close();
      await redis?.close();
      logger.info('live gateway closed');
    })();
    return closing;
  };

  return {
    io,
    get clients() {
      return io.engine.clientsCount;
    },
    get liveStatus() {
      return redis?.link.status;
    },
    idle: () => fanout.idle(),
    close,
  };
}

type RedisClient = ReturnType<typeof createClient>;

/**
 * The adapter's Redis client. The adapter duplicates it for its stream reader and subscriber and
 * disconnects those itself on close; they are tracked here so `close()` waits for them, leaving
 * no open handle. `link` follows all of them (RedisLink): whether live push works now.
 */
export async function connectRedis(
  url: string,
  logger: Logger,
  clock: LiveClock = systemClock,
): Promise<{ client: RedisClient; link: RedisLink; close(): Promise<void> }> {
  const client = createClient({ url });
  const link = new RedisLink({ logger, clock });
  const duplicates: RedisClient[] = [];
  const duplicate = client.duplicate.bind(client);
  // Compared with stream ids, which carry Redis's wall clock: this host's, not the injected clock.
  const startedAtMs = Date.now();
  client.duplicate = (...args: Parameters<RedisClient['duplicate']>) => {
    const d = readsFromPosition(link.watch(duplicate(...args)), startedAtMs);
    // The adapter's reader disconnects itself once its XREAD ends, also after close() below
    // disconnected it (Redis lost): a second disconnect would throw inside its polling loop.
    const disconnect = d.disconnect.bind(d);
    d.disconnect = () => (d.isOpen ? disconnect() : Promise.resolve());
    duplicates.push(d);
    return d;
  };
  link.watch(client);
  // The adapter stores a dropped socket's session with a SET it never awaits (0.3.1
  // persistSession): with Redis lost, that SET's rejection (a failed reconnection, or close()
  // dropping the offline queue) was unhandled. Marked handled here; a caller awaiting it still
  // sees it.
  const set = client.set.bind(client) as unknown as (...args: unknown[]) => Promise<unknown>;
  client.set = ((...args: unknown[]) => {
    const reply = set(...args);
    reply.catch((err: unknown) => logger.debug({ err }, 'redis SET failed'));
    return reply;
  }) as unknown as RedisClient['set'];
  // Not awaited: with Redis down the process starts anyway, its live push degraded (the link says
  // so once the first attempt fails), and the connection comes up by itself when Redis answers.
  // Events are not handed to it meanwhile (LiveFanout: the event log and `resync` once it is back;
  // the value relay drops its frames). Rejected only by a reconnectStrategy
  // that gives up, which the default never does.
  client.connect().catch((err: unknown) => logger.error({ err }, 'redis connection given up'));
  await firstConnectAttempt(client);
  return {
    client,
    link,
    close: async () => {
      link.close();
      // With Redis lost, QUIT would wait in node-redis's offline queue and the adapter's reader
      // for an XREAD that never ends: a process stopped during an outage hung until killed. Those
      // connections are dropped instead (what they held was never going to be sent).
      await Promise.all(
        duplicates.map(async (d) => {
          if (!d.isOpen) return;
          if (!d.isReady) return d.disconnect();
          await once(d, 'end');
        }),
      );
      if (client.isOpen) await (client.isReady ? client.quit() : client.disconnect());
    },
  };
}

/**
 * The adapter's stream reader (@socket.io/redis-streams-adapter 0.3.1, `startPolling`) asks XREAD
 * BLOCK for entries after "$" until it has read one, and an instance that only serves sockets
 * writes nothing to the stream itself: each empty read ends, and an entry added before the next
 * read reaches Redis was never read by this instance. The first alarm after an API instance
 * started was lost on its screens when it fell in that gap (a busy event loop widens it). Here "$"
 * becomes a position: the stream's last entry when this reader first asks (as "$" means), then the
 * last entry it has read, so every entry after the first read is read exactly once.
 *
 * A reader whose first connection attempt failed (the process started while Redis was down) first
 * asks once Redis answers, when the other processes' connections flush what they published
 * meanwhile, in any order: "the last entry" then would skip what an ingest stored while Redis was
 * down and its screens waited for. Such a reader starts at the entries added since `startedAtMs`
 * instead (stream ids begin with Redis's clock, ms): entries older than this process are not its
 * screens' (each screen also replays from its last event id when it subscribes).
 */
function readsFromPosition(reader: RedisClient, startedAtMs: number): RedisClient {
  type Stream = { key: string; id: string };
  type Entries = Array<{ name: string; messages: Array<{ id: string; message: Record<string, string> }> }>;
  type Read = (
    streams: Stream | Stream[],
    options?: { BLOCK?: number; COUNT?: number },
  ) => Promise<Entries | null>;
  const xRead = reader.xRead.bind(reader) as unknown as Read;
  let position: string | undefined;
  let startedInOutage = false;
  const failed = (): void => void (startedInOutage = true);
  reader.on('error', failed);
  reader.once('ready', () => reader.off('error', failed));
  const read: Read = async (streams, options) => {
    const one = Array.isArray(streams) ? (streams.length === 1 ? streams[0] : undefined) : streams;
    if (one?.id !== '$') return xRead(streams, options);
    position ??= startedInOutage
      ? `${startedAtMs}-0`
      : ((await reader.xRevRange(one.key, '+', '-', { COUNT: 1 }))[0]?.id ?? '0-0');
    const result = await xRead({ key: one.key, id: position }, options);
    const entries = result?.[0]?.messages;
    if (entries !== undefined && entries.length > 0) position = entries[entries.length - 1]!.id;
    return result;
  };
  reader.xRead = read as unknown as RedisClient['xRead'];
  return reader;
}

export type { LiveSink, LiveSource, LiveStoredEvents } from './live-source.js';
export {
  LIVE_BATCH_WINDOW_MS,
  ValueConflator,
  type ConflatorOptions,
  type LiveClock,
} from './value-conflator.js';
export type { LiveServer, LiveSocket, LiveSocketData } from './live-types.js';
export { ValueRouter, type ValueRouterOptions } from './value-router.js';
