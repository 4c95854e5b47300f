import { pino, type Logger } from 'pino';
import type { Reading, SpoolDropReport } from '@hazardwatch/contracts';
import type { Spool, SpoolEntry } from '../spool/spool.js';
import type { Uplink, UplinkState } from './mqtt-uplink.js';
import { systemClock, type Clock, type TimerHandle } from '@hazardwatch/kit';

export interface ForwarderOptions {
  /** Batches in flight (published, PUBACK pending) at once, live and replay together. @default 64 */
  readonly maxInflight?: number;
  /** Replay batches in flight at once; replay only uses what live leaves of maxInflight. @default 16 */
  readonly maxReplayInflight?: number;
  /** Replay rate limit, readings per second (live data is not limited). @default 50000 */
  readonly replayReadingsPerSec?: number;
  /** Token bucket depth: the burst replay may send at once, in ms worth of the rate. @default 200 */
  readonly replayBurstMs?: number;
  /** How long `close` waits for appends and in-flight publishes to settle. @default 5000 */
  readonly closeTimeoutMs?: number;
  /** Monotonic-enough clock for the token bucket, ms. @default Date.now */
  readonly now?: () => number;
  /** @default systemClock */
  readonly timers?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /** @default pino silent */
  readonly logger?: Logger;
}

/** Counters in readings (not batches) except the in-flight gauges. */
export interface ForwarderStats {
  /** Handed to `submit`. */
  readonly submitted: number;
  /** Sent on the live path right after spooling. */
  readonly published: number;
  /** Sent from the backlog. */
  readonly replayed: number;
  /** Acknowledged by the broker (PUBACK) and removed from the spool. */
  readonly acknowledged: number;
  /** Publishes that failed and went back to the backlog (they will be sent again). */
  readonly failed: number;
  /** Dropped by the spool to honour its bounds or found corrupt. */
  readonly dropped: number;
  /** Lost because the spool refused the append (too large, disk error); reported as data loss too. */
  readonly rejected: number;
  readonly liveInflight: number;
  readonly replayInflight: number;
}

type Counters = { -readonly [K in keyof ForwarderStats]: ForwarderStats[K] };

/**
 * Joins the spool and the uplink: store-and-forward with a write-ahead spool. Every batch is
 * appended (durably) before it is published and removed only after the PUBACK, so nothing is
 * lost between the two; a crash re-sends (at-least-once; the core deduplicates by point and
 * timestamp).
 *
 * While connected, live batches go out at once and the backlog is replayed oldest first beside
 * them through a token bucket, using only the in-flight window live leaves free: operators see
 * the present while the past back-fills. Spool drops become `data_loss` status messages (kept
 * and sent on reconnect when offline) and warnings — never a silent drop.
 *
 * The owner closes the forwarder before the spool and the uplink.
 */
export class Forwarder {
  private readonly maxInflight: number;
  private readonly maxReplayInflight: number;
  private readonly rate: number;
  private readonly burst: number;
  private readonly closeTimeoutMs: number;
  private readonly now: () => number;
  private readonly timers: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  private readonly log: Logger;
  private readonly counters: Counters = {
    submitted: 0,
    published: 0,
    replayed: 0,
    acknowledged: 0,
    failed: 0,
    dropped: 0,
    rejected: 0,
    liveInflight: 0,
    replayInflight: 0,
  };
  private appending = 0;
  private tokens: number;
  private refilledAt: number;
  private pumpTimer: TimerHandle | undefined;
  private closing = false;
  private idle: (() => void) | undefined;
  /** Data-loss reports waiting for a connection, merged per reason so the list stays short. */
  private readonly unsentLoss = new Map<string, SpoolDropReport>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly spool: Spool,
    private readonly uplink: Uplink,
    options: ForwarderOptions = {},
  ) {
    this.maxInflight = options.maxInflight ?? 64;
    this.maxReplayInflight = Math.min(options.maxReplayInflight ?? 16, this.maxInflight);
    this.rate = options.replayReadingsPerSec ?? 50_000;
    this.burst = Math.max(1, (this.rate * (options.replayBurstMs ?? 200)) / 1000);
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5000;
    this.now = options.now ?? Date.now;
    this.timers = options.timers ?? systemClock;
    this.log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'forwarder' });
    this.tokens = this.burst;
    this.refilledAt = this.now();
    spool.onDrop((drop) => {
      this.counters.dropped += drop.readings;
      this.log.warn({ ...drop }, 'spool dropped readings');
      this.reportLoss({ ...drop });
    });
    this.unsubscribe = uplink.onState((state) => this.onUplinkState(state));
    this.pump();
  }

  /** Called from source sinks: never throws, never blocks; failures are counted and logged. */
  submit(readings: readonly Reading[]): void {
    const count = readings.length;
    if (count === 0) return;
    if (this.closing) {
      this.counters.rejected += count;
      this.log.warn({ readings: count }, 'readings submitted after close');
      return;
    }
    this.counters.submitted += count;
    this.appending++;
    void this.spool.append(readings, { lease: true }).then(
      (entry) => {
        this.appending--;
        this.dispatchLive(entry);
      },
      (err: unknown) => {
        this.appending--;
        this.counters.rejected += count;
        this.log.error({ err: String(err), readings: count }, 'spool refused a batch');
        const ts = readings.map((r) => r.ts);
        this.reportLoss({
          reason: 'spool_rejected',
          entries: 1,
          readings: count,
          oldestTs: Math.min(...ts),
          newestTs: Math.max(...ts),
        });
        this.settled();
      },
    );
  }

  stats(): ForwarderStats {
    return { ...this.counters };
  }

  /** Stops replay and new submissions, then waits (up to closeTimeoutMs) for what is in flight. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.unsubscribe();
    if (this.pumpTimer !== undefined) this.timers.clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    if (!this.isIdle()) {
      let timer: TimerHandle | undefined;
      await new Promise<void>((resolve) => {
        this.idle = resolve;
        timer = this.timers.setTimeout(resolve, this.closeTimeoutMs);
      });
      this.timers.clearTimeout(timer);
    }
    this.log.info({ ...this.counters }, 'forwarder closed');
  }

  private dispatchLive(entry: SpoolEntry): void {
    const { liveInflight, replayInflight } = this.counters;
    // Dropped to honour the spool's bounds while its append was being made durable: it is
    // reported as data loss already, so it must not arrive after all.
    if (!this.spool.holds(entry.id)) {
      this.settled();
      return;
    }
    if (this.uplink.connected && liveInflight + replayInflight < this.maxInflight) {
      this.publish(entry, 'live');
    } else {
      this.spool.release([entry.id]);
      this.settled();
    }
  }

  private publish(entry: SpoolEntry, path: 'live' | 'replay'): void {
    const count = entry.readings.length;
    const gauge = path === 'live' ? 'liveInflight' : 'replayInflight';
    this.counters[gauge]++;
    this.counters[path === 'live' ? 'published' : 'replayed'] += count;
    this.uplink.publishBatch(entry.id, entry.readings).then(
      () => {
        this.counters[gauge]--;
        this.counters.acknowledged += count;
        this.spool.remove([entry.id]).catch((err: unknown) => {
          // Still on disk: it is sent again after a restart, which at-least-once allows.
          this.log.warn({ err: String(err), id: entry.id }, 'acknowledged entry not removed');
        });
        this.settled();
      },
      (err: unknown) => {
        this.counters[gauge]--;
        this.counters.failed += count;
        this.spool.release([entry.id]);
        this.log.debug({ err: String(err), id: entry.id, path }, 'publish failed; entry back in the backlog');
        this.settled();
      },
    );
  }

  /** After any append or publish settles: refill the window, or finish a pending close. */
  private settled(): void {
    if (this.closing) {
      if (this.isIdle()) this.idle?.();
      return;
    }
    this.pump();
  }

  private isIdle(): boolean {
    return this.appending === 0 && this.counters.liveInflight === 0 && this.counters.replayInflight === 0;
  }

  /** Replays the backlog within the token bucket and the window live leaves free. */
  private pump(): void {
    if (this.closing || this.pumpTimer !== undefined || !this.uplink.connected) return;
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.rate) / 1000);
    this.refilledAt = now;
    while (this.tokens > 0 && this.replayRoom()) {
      let entries: SpoolEntry[];
      try {
        entries = this.spool.take(1);
      } catch (err) {
        this.log.warn({ err: String(err) }, 'backlog take failed');
        return;
      }
      const entry = entries[0];
      if (!entry) return;
      // A batch may overdraw the bucket; the debt delays the next one.
      this.tokens -= entry.readings.length;
      this.publish(entry, 'replay');
    }
    if (this.tokens <= 0) {
      const waitMs = Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.rate));
      this.pumpTimer = this.timers.setTimeout(() => {
        this.pumpTimer = undefined;
        this.pump();
      }, waitMs);
    }
  }

  private replayRoom(): boolean {
    const { liveInflight, replayInflight } = this.counters;
    return (
      this.uplink.connected &&
      replayInflight < this.maxReplayInflight &&
      liveInflight + replayInflight < this.maxInflight
    );
  }

  private onUplinkState(state: UplinkState): void {
    if (state !== 'connected') return;
    const unsent = [...this.unsentLoss.values()];
    this.unsentLoss.clear();
    for (const report of unsent) this.reportLoss(report);
    this.pump();
  }

  private reportLoss(report: SpoolDropReport): void {
    if (!this.uplink.connected) {
      this.keepLoss(report);
      return;
    }
    this.uplink.publishDataLoss(report).catch(() => this.keepLoss(report));
  }

  private keepLoss(report: SpoolDropReport): void {
    const earlier = this.unsentLoss.get(report.reason);
    if (!earlier) {
      this.unsentLoss.set(report.reason, report);
      return;
    }
    const merged: SpoolDropReport = {
      reason: report.reason,
      entries: earlier.entries + report.entries,
      readings: earlier.readings + report.readings,
    };
    const oldest = Math.min(earlier.oldestTs ?? Infinity, report.oldestTs ?? Infinity);
    const newest = Math.max(earlier.newestTs ?? -Infinity, report.newestTs ?? -Infinity);
    this.unsentLoss.set(report.reason, {
      ...merged,
      ...(Number.isFinite(oldest) ? { oldestTs: oldest } : {}),
      ...(Number.isFinite(newest) ? { newestTs: newest } : {}),
    });
  }
}
