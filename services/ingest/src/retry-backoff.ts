/** The timer functions a component uses, injected so tests can drive time. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
}

export const realTimers: Timers = { setTimeout: (fn, ms) => setTimeout(fn, ms) };

/**
 * Exponential backoff with full jitter (each delay uniform in [base/2, base]), capped: a fleet of
 * ingest workers that lost the same database does not come back in lock-step.
 */
export class RetryBackoff {
  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly timers: Timers,
    private readonly random: () => number = Math.random,
  ) {}

  delayFor(attempt: number): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(attempt, 30));
    return Math.round(base / 2 + (this.random() * base) / 2);
  }

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => this.timers.setTimeout(resolve, ms));
  }
}
