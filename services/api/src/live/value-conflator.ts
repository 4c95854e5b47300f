import type { LiveValue } from '@hazardwatch/contracts';
import { unrefTimer, type Clock, type TimerHandle } from '@hazardwatch/kit';

/**
 * The part of kit's Clock the live gateway uses (STYLE rule 10): systemClock in production, kit's
 * ManualClock in tests. Its timers are unref'd where they are set: a pending flush, expiry or
 * check must never keep the process alive.
 */
export type LiveClock = Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>;

/** Default gap between two batches to one client, ms: what a value may wait to share a frame. */
export const LIVE_BATCH_WINDOW_MS = 50;

export interface ConflatorOptions {
  readonly clock: LiveClock;
  /** At most one value per point per this many ms (the client's `values:interval`). */
  readonly intervalMs: number;
  /**
   * Shortest gap between two batches to this client, ms (default LIVE_BATCH_WINDOW_MS, never
   * more than the interval): values that become due close together share one frame.
   */
  readonly batchWindowMs?: number;
  /** false while the client's connection is backed up: the batch waits (and keeps conflating). */
  readonly canSend: () => boolean;
  readonly send: (values: readonly LiveValue[]) => void;
}

/**
 * Live values for one client, conflated per point (issue 4): at most one update per point per
 * interval, the latest (by source timestamp) wins and intermediate values are dropped.
 *
 * A value is sent as soon as its point is due (see `#due`) — within one batch window — so a point
 * updating no faster than the interval reaches the client without waiting, and only a point
 * changing faster is held back. Values due
 * within one batch window share a frame, so a busy client gets at most one frame per window.
 *
 * Memory is bounded by the points in the client's rooms whatever its speed: a slow client only
 * makes the pending map wait, never grow past one entry per point, and the record of when each
 * point was last sent forgets points once their interval has passed.
 */
export class ValueConflator {
  readonly #pending = new Map<number, LiveValue>();
  /** When each recently sent point was sent; entries older than one interval are swept. */
  readonly #sentAt = new Map<number, number>();
  /** The source timestamp of the value each recently sent point was sent with. */
  readonly #sentTs = new Map<number, number>();
  #lastSweepMs = 0;
  #intervalMs: number;
  readonly #windowMs: number;
  #lastBatchMs = Number.NEGATIVE_INFINITY;
  /** Earliest time a pending point becomes due (a lower bound; exact after each flush). */
  #nextDueMs = Number.POSITIVE_INFINITY;
  #timer: TimerHandle | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #closed = false;
  /** Flushes skipped because the client was backed up (metrics, tests). */
  skipped = 0;

  constructor(private readonly options: ConflatorOptions) {
    this.#intervalMs = options.intervalMs;
    this.#windowMs = options.batchWindowMs ?? LIVE_BATCH_WINDOW_MS;
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  set intervalMs(ms: number) {
    this.#intervalMs = ms;
    // Nothing waits: the next offer computes its due time (a -∞ bound left here would hide it).
    if (this.#pending.size === 0) return;
    // Due times depend on the interval: recompute at the next flush, which comes at once.
    this.#nextDueMs = Number.NEGATIVE_INFINITY;
    this.#reschedule();
  }

  /** Points whose last send time is still kept (bounded: swept once per interval). */
  get remembered(): number {
    return this.#sentAt.size;
  }

  /** The values waiting to be sent (one per point). */
  waiting(): LiveValue[] {
    return [...this.#pending.values()];
  }

  /** Points waiting to be sent. */
  get pending(): number {
    return this.#pending.size;
  }

  offer(value: LiveValue): void {
    if (this.#closed) return;
    const held = this.#pending.get(value.pointId);
    // Late or replayed readings never overwrite a newer one.
    if (held !== undefined && held.ts > value.ts) return;
    this.#pending.set(value.pointId, value);
    const due = this.#due(value);
    if (due < this.#nextDueMs) {
      this.#nextDueMs = due;
      this.#reschedule();
    }
  }

  close(): void {
    this.#closed = true;
    this.#pending.clear();
    this.#sentAt.clear();
    this.#sentTs.clear();
    this.#cancel();
  }

  #window(): number {
    return Math.min(this.#windowMs, this.#intervalMs);
  }

  #cancel(): void {
    this.options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  /** (Re)arms the timer for the earliest moment a batch may go: a point due, one window after the last batch. */
  #reschedule(): void {
    if (this.#closed || this.#pending.size === 0) return;
    const now = this.options.clock.now();
    const at = Math.max(this.#nextDueMs, this.#lastBatchMs + this.#window(), now);
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    this.#cancel();
    this.#timerAt = at;
    this.#timer = this.options.clock.setTimeout(() => this.#flush(), at - now);
    unrefTimer(this.#timer);
  }

  #flush(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    if (this.#closed || this.#pending.size === 0) return;
    const now = this.options.clock.now();
    if (!this.options.canSend()) {
      this.skipped += 1;
      // Try again a few windows later (never later than one interval); values keep conflating.
      this.#lastBatchMs = now + Math.min(this.#intervalMs, 4 * this.#window()) - this.#window();
      this.#reschedule();
      return;
    }
    this.#sweep(now);
    const batch: LiveValue[] = [];
    let nextDue = Number.POSITIVE_INFINITY;
    for (const [pointId, value] of this.#pending) {
      const due = this.#due(value);
      if (due <= now) {
        batch.push(value);
        this.#pending.delete(pointId);
        this.#sentAt.set(pointId, now);
        this.#sentTs.set(pointId, value.ts);
      } else if (due < nextDue) {
        nextDue = due;
      }
    }
    this.#nextDueMs = nextDue;
    if (batch.length > 0) {
      this.#lastBatchMs = now;
      this.options.send(batch);
    }
    this.#reschedule();
  }

  /**
   * When a value may go. A point not sent within the last interval: at once. Otherwise one
   * interval after its last send — or already three quarters of an interval after it when the
   * value is a whole interval newer (by source time) than the one last sent: a point updating
   * at the interval keeps its pace instead of being held back by the jitter of its own previous
   * delivery (which would otherwise ratchet every later update's delay up). Sends of one point
   * are thus never closer than 3/4 interval, and for live data (source time advancing with the
   * clock) not more than one per interval on average.
   */
  #due(value: LiveValue): number {
    const at = this.#sentAt.get(value.pointId);
    if (at === undefined) return Number.NEGATIVE_INFINITY;
    const ts = this.#sentTs.get(value.pointId)!;
    return value.ts - ts >= this.#intervalMs ? at + this.#intervalMs * 0.75 : at + this.#intervalMs;
  }

  /** Forgets send times older than one interval (such points are due at once anyway). */
  #sweep(now: number): void {
    if (now - this.#lastSweepMs < this.#intervalMs) return;
    this.#lastSweepMs = now;
    const horizon = now - this.#intervalMs;
    // Deleting the entry being visited is safe while iterating a Map.
    for (const [pointId, at] of this.#sentAt) {
      if (at > horizon) continue;
      this.#sentAt.delete(pointId);
      this.#sentTs.delete(pointId);
    }
  }
}
