import type { Clock } from '@hazardwatch/kit';
import type { PlatformCondition } from '@hazardwatch/contracts';

/**
 * What the database says about one background job of ours (a TimescaleDB policy), as the store
 * reads it. Times in ms UTC; null where the job has none (never ran, never succeeded).
 */
export interface JobObservation {
  /** What the policy is, stable across restarts: `retention:readings`, `refresh:readings_1m`, … */
  readonly identity: string;
  /** false: paused (`alter_job(…, scheduled => false)`). */
  readonly scheduled: boolean;
  readonly scheduleIntervalMs: number;
  /** When our migrate registered the job; null when it does not say. */
  readonly registeredAtMs: number | null;
  readonly lastSuccessAtMs: number | null;
  /** `Success`, `Failed`, or null before the first run. */
  readonly lastRunStatus: string | null;
}

/**
 * - healthy: scheduled, its last run did not fail, and it succeeded within 2 × its interval;
 * - failing: its last run failed;
 * - stale: no success within 2 × its schedule interval, counted from the later of its last
 *   success and its registration (a job that never ran since registration is stale once twice
 *   its interval has passed): the scheduler is not running it, or it runs for ever;
 * - unscheduled: paused, not (yet) stale.
 * In that order of precedence: a failing job is failing even when it is stale too.
 */
export type JobVerdict = 'healthy' | 'failing' | 'stale' | 'unscheduled';

export interface JobHealth {
  readonly identity: string;
  readonly verdict: JobVerdict;
  /** The platform alarm condition standing for this job (at most one); null when healthy or paused. */
  readonly condition: PlatformCondition | null;
  /** From when a success is counted: the later of the last success and the registration. */
  readonly sinceMs: number;
  /** When it is (or was) stale without a success: sinceMs + 2 × interval. */
  readonly staleAtMs: number;
  /** 2 × the schedule interval, ms (the stale limit). */
  readonly limitMs: number;
}

/** A job must succeed at least once within this many schedule intervals. */
export const STALE_AFTER_INTERVALS = 2;

/**
 * Judges each job at `clock.now()`. `knownSinceMs` stands in for the registration of a job that
 * says neither when it was registered nor when it last succeeded (registered by an older build):
 * the watcher's start, so such a job is judged stale only after 2 × its interval of watching.
 */
export function judgeJobs(
  jobs: readonly JobObservation[],
  clock: Pick<Clock, 'now'>,
  knownSinceMs: number,
): JobHealth[] {
  const nowMs = clock.now();
  return jobs.map((job) => judgeJob(job, nowMs, knownSinceMs));
}

export function judgeJob(job: JobObservation, nowMs: number, knownSinceMs: number): JobHealth {
  const limitMs = STALE_AFTER_INTERVALS * job.scheduleIntervalMs;
  const since = maxOf(job.lastSuccessAtMs, job.registeredAtMs) ?? knownSinceMs;
  const staleAtMs = since + limitMs;
  const stale = nowMs > staleAtMs;
  const failing = job.lastRunStatus === 'Failed';
  const verdict: JobVerdict = failing
    ? 'failing'
    : stale
      ? 'stale'
      : job.scheduled
        ? 'healthy'
        : 'unscheduled';
  return {
    identity: job.identity,
    verdict,
    condition: failing ? 'JOB_FAILED' : stale ? 'JOB_STALE' : null,
    sinceMs: since,
    staleAtMs,
    limitMs,
  };
}

function maxOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}
