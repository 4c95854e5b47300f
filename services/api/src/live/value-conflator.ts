import type { LiveValue } from '@hazardwatch/contracts';

/** Time as the conflator sees it (STYLE rule 10): tests drive it with fake timers or by hand. */
export interface LiveClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: LiveClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A pending flush must never keep the process alive.
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface ConflatorOptions {
  readonly clock: LiveClock;
  /** ms between two batches to this client. */
  readonly intervalMs: number;
  /** false while the client's connection is backed up: the batch waits (and keeps conflating). */
  readonly canSend: () => boolean;
  readonly send: (values: readonly LiveValue[]) => void;
}

/**
 * Live values for one client, conflated (issue 4): at most one batch per interval, holding at
 * most one value per point — the latest (by source timestamp) wins, intermediate values are
 * dropped. Memory is bounded by the points in the client's rooms whatever its speed, because a
 * slow client only makes the dirty map wait, never grow past one entry per point.
 *
 * The first value after a quiet spell is sent at once; later ones wait for the interval.
 */
export class ValueConflator {
  readonly #dirty = new Map<number, LiveValue>();
  #intervalMs: number;
  #lastSentMs = Number.NEGATIVE_INFINITY;
  #timer: unknown;
  #closed = false;
  /** Flushes skipped because the client was backed up (metrics, tests). */
  skipped = 0;

  constructor(private readonly options: ConflatorOptions) {
    this.#intervalMs = options.intervalMs;
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  /** Points waiting to be sent. */
  get pending(): number {
    return this.#dirty.size;
  }

  set intervalMs(ms: number) {
    this.#intervalMs = ms;
    if (this.#timer !== undefined) {
      this.options.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#schedule();
    }
  }

  offer(value: LiveValue): void {
    if (this.#closed) return;
    const held = this.#dirty.get(value.pointId);
    // Late or replayed readings never overwrite a newer one.
    if (held !== undefined && held.ts > value.ts) return;
    this.#dirty.set(value.pointId, value);
    this.#schedule();
  }

  close(): void {
    this.#closed = true;
    this.#dirty.clear();
    if (this.#timer !== undefined) this.options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#dirty.size === 0) return;
    const wait = Math.max(0, this.#lastSentMs + this.#intervalMs - this.options.clock.now());
    this.#timer = this.options.clock.setTimeout(() => this.#flush(), wait);
  }

  #flush(): void {
    this.#timer = undefined;
    if (this.#closed || this.#dirty.size === 0) return;
    const now = this.options.clock.now();
    if (!this.options.canSend()) {
      this.skipped += 1;
      // Try again one interval later; values keep conflating meanwhile.
      this.#lastSentMs = now;
      this.#schedule();
      return;
    }
    const batch = [...this.#dirty.values()];
    this.#dirty.clear();
    this.#lastSentMs = now;
    this.options.send(batch);
  }
}
