import pg from 'pg';
import type { Logger } from 'pino';
import { Backoff, systemClock, type Clock, type TimerHandle } from '@hazardwatch/kit';

export interface PgListenerOptions {
  readonly connectionString: string;
  /** Channel names (lower-case identifiers). */
  readonly channels: readonly string[];
  readonly onNotification: (channel: string, payload: string) => void;
  /**
   * After every (re)connection, once LISTEN is in force: notifications sent while the
   * connection was down are lost, so the caller looks for missed work here.
   */
  readonly onListening?: () => void;
  readonly logger: Logger;
  /** Cap of the first reconnect delay, ms; doubles up to `retryMaxMs` (full jitter). @default 500 */
  readonly retryInitialMs?: number;
  /** @default 10000 */
  readonly retryMaxMs?: number;
  /** Timers the reconnect backoff runs on (STYLE rule 10). @default systemClock */
  readonly timers?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /** Uniform in [0, 1) for the backoff's jitter, injected by tests. @default Math.random */
  readonly random?: () => number;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * LISTEN on a dedicated connection (a pooled one would hand the session to others), reconnecting
 * with backoff whenever it is lost. Notifications are a wake-up signal only: callers poll as a
 * fallback, because NOTIFY is not delivered to a session that was not listening.
 */
export class PgListener {
  readonly #log: Logger;
  readonly #timers: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  readonly #backoff: Backoff;
  #client: pg.Client | undefined;
  #retryTimer: TimerHandle | undefined;
  #closed = false;
  #listening = false;

  constructor(private readonly options: PgListenerOptions) {
    for (const c of options.channels) if (!CHANNEL.test(c)) throw new TypeError(`bad channel name ${c}`);
    this.#log = options.logger.child({ component: 'pg-listener', channels: options.channels });
    this.#timers = options.timers ?? systemClock;
    // Full jitter: the API and ingest processes that lost the same server do not reconnect in step.
    this.#backoff = new Backoff({
      initialMs: options.retryInitialMs ?? 500,
      maxMs: options.retryMaxMs ?? 10_000,
      ...(options.random ? { random: options.random } : {}),
    });
  }

  /** True while LISTEN is in force. */
  get listening(): boolean {
    return this.#listening;
  }

  /**
   * First connection attempt; resolves whether or not it succeeded (a failure is retried in the
   * background, and `onListening` tells when it is in force).
   */
  async start(): Promise<void> {
    await this.#connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listening = false;
    this.#timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({ connectionString: this.options.connectionString, keepAlive: true });
    this.#client = client;
    let lost = false;
    const onLost = (err?: Error): void => {
      if (lost) return;
      lost = true;
      this.#listening = false;
      if (this.#client === client) this.#client = undefined;
      void client.end().catch(() => undefined);
      if (this.#closed) return;
      this.#log.warn({ err }, 'listen connection lost; reconnecting');
      this.#scheduleRetry();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (n) => {
      try {
        this.options.onNotification(n.channel, n.payload ?? '');
      } catch (err) {
        this.#log.error({ err, channel: n.channel }, 'notification handler failed');
      }
    });
    try {
      await client.connect();
      for (const channel of this.options.channels) await client.query(`LISTEN ${channel}`);
    } catch (err) {
      onLost(err as Error);
      return;
    }
    if (this.#closed || lost) return;
    this.#backoff.reset();
    this.#listening = true;
    this.#log.debug('listening');
    this.options.onListening?.();
  }

  #scheduleRetry(): void {
    if (this.#retryTimer !== undefined) return;
    const delayMs = this.#backoff.next();
    this.#retryTimer = this.#timers.setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#connect();
    }, delayMs);
  }
}
