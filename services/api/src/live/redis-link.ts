import type { LiveStatus } from '@hazardwatch/contracts';
import type { Logger } from 'pino';
import type { createClient } from 'redis';
import type { LiveClock } from './value-conflator.js';

type RedisClient = ReturnType<typeof createClient>;

/** How often the link PINGs Redis, ms. */
export const REDIS_PING_INTERVAL_MS = 2000;
/** A PING unanswered for this long means Redis is out of reach, ms. */
export const REDIS_PING_TIMEOUT_MS = 2000;

export interface RedisLinkOptions {
  readonly logger: Logger;
  /** @default system clock */
  readonly clock: LiveClock;
  /** @default REDIS_PING_INTERVAL_MS */
  readonly pingIntervalMs?: number;
  /** @default REDIS_PING_TIMEOUT_MS */
  readonly pingTimeoutMs?: number;
}

/**
 * Whether this process's Redis connections (the adapter's client and every duplicate of it: the
 * stream reader, the value relay's subscriber) can carry live push. While one cannot, events of
 * this process are not handed to Redis (node-redis's offline queue has no bound: LiveFanout and the
 * value relay ask `status` first) and events of other processes are not read: the screens of this
 * instance hear nothing, so they must be told (`live-status`).
 *
 * Detection, within REDIS_PING_INTERVAL_MS + REDIS_PING_TIMEOUT_MS (4 s) of the loss:
 *  - a stopped or restarted Redis closes the TCP connections at once: node-redis emits `error`
 *    (SocketClosedUnexpectedlyError) and `reconnecting` and `isReady` turns false — seen at once;
 *  - a cut network (or a Redis that hangs) closes nothing until TCP gives up, minutes later: a
 *    PING on the main client every 2 s that is not answered within 2 s marks the link down (the
 *    stream reader cannot be pinged, it is blocked in XREAD; the main client shares its path).
 * The link is back when every connection is `ready` again and a PING is answered.
 */
export class RedisLink {
  readonly #clients = new Set<RedisClient>();
  readonly #connecting = new Set<RedisClient>();
  readonly #listeners = new Set<(status: LiveStatus) => void>();
  readonly #log: Logger;
  readonly #clock: LiveClock;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  #main: RedisClient | undefined;
  #pingAnswered = true;
  #status: LiveStatus;
  #timer: ReturnType<LiveClock['setTimeout']> | undefined;
  #closed = false;
  #lastError: unknown = undefined;

  constructor(options: RedisLinkOptions) {
    this.#log = options.logger;
    this.#clock = options.clock;
    this.#intervalMs = options.pingIntervalMs ?? REDIS_PING_INTERVAL_MS;
    this.#timeoutMs = options.pingTimeoutMs ?? REDIS_PING_TIMEOUT_MS;
    this.#status = { live: true, since: this.#clock.now() };
  }

  /** The current state: `live` false while a connection is lost or Redis does not answer. */
  get status(): LiveStatus {
    return this.#status;
  }

  /** Called at every change of `status` (not for the current one). Returns the unsubscribe. */
  onChange(listener: (status: LiveStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /**
   * Follows one connection (node-redis v4 events: `error` and `reconnecting` when a connection is
   * lost or a reconnection fails, `end` when it is closed, `ready` when it answers again). The
   * first one watched is the one pinged.
   */
  watch(client: RedisClient): RedisClient {
    this.#clients.add(client);
    // A connection still making its first attempt is not lost: until it is ready, or has failed
    // once, it does not count (every start made the adapter's reader and the value relay's
    // subscriber look lost for a moment, and said so in a warning).
    if (!client.isReady) this.#connecting.add(client);
    if (this.#main === undefined) {
      this.#main = client;
      this.#schedulePing();
    }
    client.on('error', (err: unknown) => {
      this.#connecting.delete(client);
      this.#lastError = err;
      this.#log.debug({ err }, 'redis error');
      this.#evaluate();
    });
    for (const event of ['reconnecting', 'end', 'ready'] as const)
      client.on(event, () => {
        this.#connecting.delete(client);
        this.#evaluate();
      });
    return client;
  }

  /** Stops the PINGs and the notifications (the connections are closed by their owner). */
  close(): void {
    this.#closed = true;
    this.#clock.clearTimeout(this.#timer);
    this.#listeners.clear();
  }

  #schedulePing(): void {
    if (this.#closed) return;
    this.#timer = this.#clock.setTimeout(() => void this.#ping(), this.#intervalMs);
  }

  async #ping(): Promise<void> {
    const main = this.#main;
    // A client that is not ready would hold the PING in its offline queue; it is down already.
    if (main === undefined || !main.isReady) return this.#schedulePing();
    let timer: ReturnType<LiveClock['setTimeout']> | undefined;
    const late = new Promise<false>((resolve) => {
      timer = this.#clock.setTimeout(() => resolve(false), this.#timeoutMs);
    });
    const answered = await Promise.race([
      main.ping().then(
        () => true,
        () => false,
      ),
      late,
    ]);
    this.#clock.clearTimeout(timer);
    if (this.#closed) return;
    if (answered !== this.#pingAnswered) {
      this.#pingAnswered = answered;
      if (!answered) this.#lastError = `PING unanswered within ${this.#timeoutMs} ms`;
      this.#evaluate();
    }
    this.#schedulePing();
  }

  #evaluate(): void {
    if (this.#closed) return;
    const ready = this.#pingAnswered && [...this.#clients].every((c) => c.isReady || this.#connecting.has(c));
    if (ready === this.#status.live) return;
    const now = this.#clock.now();
    if (ready) {
      this.#log.info({ outageMs: now - this.#status.since }, 'redis back: live push restored');
      this.#status = { live: true, since: now };
    } else {
      this.#log.warn({ err: this.#lastError }, 'redis lost: live push degraded');
      this.#status = { live: false, reason: 'redis', since: now };
    }
    for (const listener of this.#listeners) listener(this.#status);
  }
}

/**
 * Resolves once Redis has answered a PING on `client`, so every command handed to it before (its
 * replies come in order); rejects at once when the client is not ready (the PING would wait in
 * the offline queue), or when no answer came within `timeoutMs` (a cut network closes nothing).
 * LiveFanout's catch-up waits on it between pages: node-redis never holds more than one page.
 */
export async function redisAnswered(
  client: RedisClient,
  clock: LiveClock,
  timeoutMs = REDIS_PING_TIMEOUT_MS,
): Promise<void> {
  if (!client.isReady) throw new Error('redis not ready');
  let timer: ReturnType<LiveClock['setTimeout']> | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = clock.setTimeout(() => reject(new Error(`PING unanswered within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([client.ping(), late]);
  } finally {
    clock.clearTimeout(timer);
  }
}

/**
 * Resolves once a client's connection attempt under way has succeeded (`ready`) or failed once
 * (`error`: a refused connection at once, an unanswered one after node-redis's connectTimeout,
 * 5 s). node-redis v4's `connect()` resolves only when Redis answers: its reconnectStrategy
 * (default min(retries × 50, 500) ms) retries for ever, and commands wait in its offline queue
 * meanwhile. A process must not wait for that to start (issue #23: a process started while Redis
 * is down starts fully, with live push degraded, and recovers by itself).
 */
export function firstConnectAttempt(client: RedisClient): Promise<void> {
  if (client.isReady) return Promise.resolve();
  return new Promise((resolve) => {
    const settled = (): void => {
      client.off('ready', settled);
      client.off('error', settled);
      resolve();
    };
    client.on('ready', settled);
    client.on('error', settled);
  });
}
