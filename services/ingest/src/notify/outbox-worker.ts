import type { NotificationOutbox, OutboxItem } from '@hazardwatch/store';
import type { Logger } from 'pino';
import { backoffDelay, type BackoffOptions, type Clock } from '@hazardwatch/kit';
import { ChannelError, type NotificationChannel } from './notification-channel.js';

export interface OutboxWorkerOptions {
  /** @default 100 */
  readonly batchSize?: number;
  /** How long a claimed item is reserved for this worker. @default 60000 */
  readonly leaseMs?: number;
  /** Attempts before an item is marked failed. @default 12 */
  readonly maxAttempts?: number;
  /** @default 1000 */
  readonly retryInitialDelayMs?: number;
  /** @default 300000 */
  readonly retryMaxDelayMs?: number;
}

export interface OutboxWorkerCounters {
  delivered: number;
  retried: number;
  failed: number;
}

/**
 * Delivers the notification outbox through its channels. Runs beside alarm processing and never
 * inside it: a channel that is down only makes its items wait (retries with backoff), counted,
 * and an item that keeps failing is marked failed after `maxAttempts`, never silently dropped.
 */
export class OutboxWorker {
  readonly counters: OutboxWorkerCounters = { delivered: 0, retried: 0, failed: 0 };
  /** The same counts per channel name (exported as hw_ingest_notifications_total{channel,outcome}). */
  readonly byChannel = new Map<string, OutboxWorkerCounters>();
  private readonly channels: ReadonlyMap<string, NotificationChannel>;
  private readonly backoff: BackoffOptions;
  private readonly log: Logger;
  private running = false;

  constructor(
    private readonly outbox: NotificationOutbox,
    channels: readonly NotificationChannel[],
    private readonly deps: {
      logger: Logger;
      now: () => number;
      timers: Pick<Clock, 'setTimeout'>;
      random?: () => number;
    },
    private readonly options: OutboxWorkerOptions = {},
  ) {
    this.channels = new Map(channels.map((c) => [c.name, c]));
    this.backoff = {
      initialMs: options.retryInitialDelayMs ?? 1000,
      maxMs: options.retryMaxDelayMs ?? 300_000,
      ...(deps.random ? { random: deps.random } : {}),
    };
    this.log = deps.logger.child({ component: 'outbox-worker' });
  }

  private count(channel: string, outcome: keyof OutboxWorkerCounters): void {
    this.counters[outcome]++;
    let c = this.byChannel.get(channel);
    if (c === undefined) this.byChannel.set(channel, (c = { delivered: 0, retried: 0, failed: 0 }));
    c[outcome]++;
  }

  /**
   * One channel's items, in order; rejects only when the outbox cannot be written. Stops once half
   * the lease has passed: the items left are not attempted (no attempt counted) and come due again
   * when their lease ends, instead of being sent while another worker may have claimed them.
   */
  private async deliverAll(items: readonly OutboxItem[], claimedAt: number): Promise<void> {
    const stopAt = claimedAt + (this.options.leaseMs ?? 60_000) / 2;
    for (const item of items) {
      if (this.deps.now() >= stopAt) return;
      const channel = this.channels.get(item.channel);
      try {
        if (!channel) throw new ChannelError(`no channel named ${item.channel}`, false);
        await channel.deliver(item.payload);
        await this.outbox.markDelivered(item.id, this.deps.now());
        this.count(item.channel, 'delivered');
      } catch (error) {
        const retryable = error instanceof ChannelError ? error.retryable : true;
        const attempt = item.attempts + 1;
        const giveUp = !retryable || attempt >= (this.options.maxAttempts ?? 12);
        const retryAt = giveUp ? null : this.deps.now() + backoffDelay(attempt - 1, this.backoff);
        await this.outbox.markAttemptFailed(item.id, (error as Error).message, this.deps.now(), retryAt);
        this.count(item.channel, giveUp ? 'failed' : 'retried');
        this.log.warn(
          { id: item.id, channel: item.channel, attempt, giveUp, err: error },
          'notification delivery failed',
        );
      }
    }
  }

  /** Delivers what is due now; returns how many items were attempted. Never rejects. */
  async runOnce(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const now = this.deps.now();
      const items = await this.outbox.claimDue(
        this.options.batchSize ?? 100,
        now,
        this.options.leaseMs ?? 60_000,
      );
      // Channels are independent: each delivers its items in order, all channels at once, so a
      // slow or unreachable peer (an SMTP server timing out) delays only its own deliveries.
      const byChannel = new Map<string, OutboxItem[]>();
      for (const item of items) {
        const list = byChannel.get(item.channel);
        if (list === undefined) byChannel.set(item.channel, [item]);
        else list.push(item);
      }
      const outcomes = await Promise.allSettled(
        [...byChannel.values()].map((list) => this.deliverAll(list, now)),
      );
      for (const o of outcomes)
        if (o.status === 'rejected') this.log.warn({ err: o.reason }, 'outbox unavailable; will try again');
      return items.length;
    } catch (error) {
      this.log.warn({ err: error }, 'outbox unavailable; will try again');
      return 0;
    } finally {
      this.running = false;
    }
  }
}
