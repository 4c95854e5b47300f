/**
 * Time, injected (STYLE rule 10): evaluators, delays, debouncers and reconnect backoff take a
 * `Clock` so tests drive time instead of sleeping. One interface for every package.
 */

/** A scheduled timer, opaque: only the clock that made it can clear it. */
export type TimerHandle = { readonly __brand: 'TimerHandle' };

export interface Clock {
  /** Milliseconds since the Unix epoch, UTC. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  setInterval(callback: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle | undefined): void;
}

/**
 * The host's timer functions, typed here because the kit compiles without DOM or Node types
 * (it is browser-safe). Looked up on every call, not captured, so vitest's fake timers — which
 * replace the globals — also drive `systemClock`.
 */
interface HostTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}
const host = (): HostTimers => globalThis as unknown as HostTimers;

/** `Date.now` and the global timers. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (callback: () => void, ms: number) => host().setTimeout(callback, ms) as TimerHandle,
  clearTimeout: (handle: TimerHandle | undefined) => {
    if (handle !== undefined) host().clearTimeout(handle);
  },
  setInterval: (callback: () => void, ms: number) => host().setInterval(callback, ms) as TimerHandle,
  clearInterval: (handle: TimerHandle | undefined) => {
    if (handle !== undefined) host().clearInterval(handle);
  },
});

/**
 * Let the process exit while this timer is pending (Node's `unref`), for housekeeping timers
 * that must not keep a service alive on their own. A no-op for handles without `unref` (a
 * browser's numbers, `ManualClock`'s handles).
 */
export function unrefTimer(handle: TimerHandle | undefined): void {
  const maybe = handle as { unref?: unknown } | undefined;
  if (maybe !== null && typeof maybe === 'object' && typeof maybe.unref === 'function') {
    (maybe.unref as () => void).call(maybe);
  }
}

interface ManualTimer {
  readonly id: number;
  dueMs: number;
  readonly callback: () => void;
  /** Repeat period for an interval; undefined for a one-shot timer. */
  readonly everyMs: number | undefined;
}

/**
 * A clock for tests: time stands still until `advance`/`advanceTo`, which run every timer that
 * falls due, in due order (ties in the order they were set), with `now()` reading each timer's due
 * time while its callback runs. Timers set by a callback run in the same advance if they fall due
 * within it; intervals repeat.
 */
export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private readonly timers = new Map<number, ManualTimer>();

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  /** Timers set and neither fired (one-shot) nor cleared. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    return this.add(callback, ms, undefined);
  }

  setInterval(callback: () => void, ms: number): TimerHandle {
    // A zero period would loop forever within one advance; like the host, run at least 1 ms apart.
    return this.add(callback, ms, Math.max(1, delayOf(ms)));
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.timers.delete(idOf(handle));
  }

  clearInterval(handle: TimerHandle | undefined): void {
    this.clearTimeout(handle);
  }

  /** Move time forward by `ms`, running what falls due. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance: ${ms} is not a duration ≥ 0`);
    this.advanceTo(this.current + ms);
  }

  /** Move time to `ms` since the epoch (never backwards), running what falls due. */
  advanceTo(ms: number): void {
    if (!(ms >= this.current)) {
      throw new RangeError(`ManualClock.advanceTo: ${ms} is before now (${this.current})`);
    }
    for (let timer = this.nextDue(ms); timer !== undefined; timer = this.nextDue(ms)) {
      this.current = timer.dueMs;
      if (timer.everyMs === undefined) this.timers.delete(timer.id);
      else timer.dueMs += timer.everyMs;
      timer.callback();
    }
    this.current = ms;
  }

  private add(callback: () => void, ms: number, everyMs: number | undefined): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, dueMs: this.current + delayOf(ms), callback, everyMs });
    return { id } as unknown as TimerHandle;
  }

  /** The earliest timer due at or before `limit`; the lowest id among equals (set first). */
  private nextDue(limit: number): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const timer of this.timers.values()) {
      if (timer.dueMs > limit) continue;
      if (best === undefined || timer.dueMs < best.dueMs) best = timer;
    }
    return best;
  }
}

/** Host semantics: a negative or non-finite delay means "as soon as possible". */
function delayOf(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

function idOf(handle: TimerHandle): number {
  return (handle as unknown as { id: number }).id;
}
