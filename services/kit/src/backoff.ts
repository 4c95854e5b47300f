/**
 * Retry delays written once. Exponential, capped, with full jitter by default (AWS Architecture
 * Blog, "Exponential Backoff And Jitter"): each delay is uniform in [0, cap], so a fleet of
 * clients that lost the same peer does not come back in lock-step.
 */

export interface BackoffOptions {
  /** Cap of the first retry's delay, ms. */
  readonly initialMs: number;
  /** Largest cap any retry gets, ms. */
  readonly maxMs: number;
  /** Growth of the cap per attempt. @default 2 */
  readonly factor?: number;
  /** 'full': uniform in [0, cap]; 'none': exactly the cap. @default 'full' */
  readonly jitter?: 'full' | 'none';
  /** Uniform in [0, 1), injected so tests are deterministic. @default Math.random */
  readonly random?: () => number;
}

/**
 * The delay before retry number `attempt` (0 = the first retry), ms: cap =
 * min(maxMs, initialMs × factor^attempt); with full jitter a whole number uniform in [0, cap].
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const { initialMs, maxMs, factor = 2, jitter = 'full', random = Math.random } = options;
  if (!(initialMs >= 0) || !(maxMs >= 0) || !(factor >= 1)) {
    throw new RangeError(
      `backoff: initialMs ${initialMs} and maxMs ${maxMs} must be ≥ 0, factor ${factor} ≥ 1`,
    );
  }
  const n = Math.max(0, Math.floor(attempt));
  // factor^n overflows to Infinity long before n is large enough to matter; min() keeps the cap.
  const cap = Math.min(maxMs, initialMs * factor ** n);
  if (jitter === 'none') return cap;
  return Math.min(cap, Math.floor(random() * (cap + 1)));
}

/** A retry loop's state: each `next()` is the delay before the next retry; `reset()` after success. */
export class Backoff {
  private attempts = 0;

  constructor(private readonly options: BackoffOptions) {
    // Validate once, where the options are given, not at the first failure.
    backoffDelay(0, { ...options, jitter: 'none' });
  }

  /** Retries handed out since the last reset. */
  get attempt(): number {
    return this.attempts;
  }

  next(): number {
    return backoffDelay(this.attempts++, this.options);
  }

  reset(): void {
    this.attempts = 0;
  }
}
