import type { Clock } from '@hazardwatch/kit';
import type { PlatformCause, PlatformCondition } from '@hazardwatch/contracts';

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
  /** When the last run ended (ms UTC), whatever its status; null/absent: not known. */
  readonly lastRunFinishedAtMs?: number | null;
  /** The error of the last failed run (`job_errors.err_message`); null/absent: none read. */
  readonly lastError?: string | null;
  /** What the policy's effect is in the catalogs; null/absent: not read (judged by status alone). */
  readonly effect?: JobEffect | null;
}

/**
 * The facts that show whether a compression or retention policy does its work, from the
 * catalogs: its `compress_after` / `drop_after`, and the oldest chunk it should already have dealt
 * with — for compression the oldest chunk still uncompressed, for retention the oldest chunk.
 */
export interface JobEffect {
  /** compress_after / drop_after, ms. */
  readonly afterMs: number;
  /** When the range of the oldest pending chunk ends (ms UTC); null: there is none. */
  readonly oldestPendingEndMs: number | null;
}

/**
 * The error every TimescaleDB job reports on PostgreSQL 15.20 (Debian bookworm) although it did
 * its work and committed: TimescaleDB drops the portal it created after committing, which that
 * PostgreSQL minor refuses. Only with this error is a Failed status judged by the job's effect.
 */
export const KNOWN_CLASH_ERROR = 'cannot drop portal "" while it is being set up';

/**
 * - healthy: scheduled, its last run did not fail, it succeeded within 2 × its interval, and its
 *   effect (where read) is met;
 * - effective: its last run reports Failed with exactly the known clash (KNOWN_CLASH_ERROR), but
 *   its effect is met and that run ended within 2 × its interval — no alarm, yet listed;
 * - failing: its last run failed, with another error, or with the clash while the effect is not
 *   met (or not read);
 * - stale: no success within 2 × its schedule interval, counted from the later of its last
 *   success and its registration (a job that never ran since registration is stale once twice
 *   its interval has passed): the scheduler is not running it, or it runs for ever; or its
 *   effect is not met: a chunk it should have dealt with more than 2 × its interval ago is left
 *   (`staleCause` says which, `overdueMs` by how much);
 * - unscheduled: paused, not (yet) stale.
 * In that order of precedence: a failing job is failing even when it is stale too.
 *
 * The effect is met when no pending chunk's range ended more than `afterMs` + 2 × the interval
 * ago (compression: no uncompressed chunk; retention: no chunk at all).
 */
export type JobVerdict = 'healthy' | 'effective' | 'failing' | 'stale' | 'unscheduled';

/**
 * Why a job is stale: `run` — no success within 2 × its interval (the scheduler is not running
 * it, or it runs for ever); `effect` — it runs on time, but a chunk it should have compressed /
 * dropped is left more than 2 × its interval past its due time. A job stale both ways is `run`:
 * a job that does not run explains the chunk it left.
 */
export type StaleCause = 'run' | 'effect';

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
  /** Whether the effect is met; null: not read. */
  readonly effectMet: boolean | null;
  /** The known clash's error text when the last run reports it (whatever the verdict); else null. */
  readonly clash: string | null;
  /** Why it is stale; null unless the verdict is stale. */
  readonly staleCause: StaleCause | null;
  /**
   * How far past due, ms, against `limitMs` (the alarm's value; above the limit): when stale,
   * `run` — since the last success (or the registration), `effect` — since the oldest pending
   * chunk fell due (its range end + compress_after / drop_after); when failing with its effect
   * not met, the latter too. null otherwise.
   */
  readonly overdueMs: number | null;
  /**
   * Why the alarm's condition holds, named on its raise: JOB_STALE by the run
   * (`NO_SUCCESS_ON_TIME`) or by the effect — `NOT_COMPRESSED` for a compression policy,
   * `NOT_DROPPED` for retention, `EFFECT_NOT_MET` for another; JOB_FAILED by that effect when it
   * is not met, else `RUN_FAILED` (the failed run is all that is known); null when healthy.
   */
  readonly cause: PlatformCause | null;
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
  const failed = job.lastRunStatus === 'Failed';
  const clash = failed && job.lastError?.includes(KNOWN_CLASH_ERROR) === true ? job.lastError : null;
  const effect = job.effect ?? null;
  const effectOverdueMs = pendingOverdue(effect, nowMs);
  const effectMet = effect === null ? null : effectOverdueMs === null || effectOverdueMs <= limitMs;
  // The clash with the effect met: the run did its work, so its end counts as a success.
  const effective = clash !== null && effectMet === true;
  const success = effective
    ? maxOf(job.lastSuccessAtMs, job.lastRunFinishedAtMs ?? null)
    : job.lastSuccessAtMs;
  const since = maxOf(success, job.registeredAtMs) ?? knownSinceMs;
  const staleAtMs = since + limitMs;
  const runStale = nowMs > staleAtMs;
  const stale = runStale || effectMet === false;
  const failing = failed && !effective;
  const verdict: JobVerdict = failing
    ? 'failing'
    : stale
      ? 'stale'
      : !job.scheduled
        ? 'unscheduled'
        : effective
          ? 'effective'
          : 'healthy';
  const staleCause: StaleCause | null = verdict !== 'stale' ? null : runStale ? 'run' : 'effect';
  return {
    identity: job.identity,
    verdict,
    condition: failing ? 'JOB_FAILED' : stale ? 'JOB_STALE' : null,
    sinceMs: since,
    staleAtMs,
    limitMs,
    effectMet,
    clash,
    staleCause,
    overdueMs:
      staleCause === 'run'
        ? nowMs - since
        : staleCause === 'effect' || (failing && effectMet === false)
          ? effectOverdueMs
          : null,
    cause: failing
      ? effectMet === false
        ? staleCauseOf(job.identity, 'effect')
        : 'RUN_FAILED'
      : staleCause === null
        ? null
        : staleCauseOf(job.identity, staleCause),
  };
}

function staleCauseOf(identity: string, staleCause: StaleCause): PlatformCause {
  if (staleCause === 'run') return 'NO_SUCCESS_ON_TIME';
  if (identity.startsWith('compression:')) return 'NOT_COMPRESSED';
  if (identity.startsWith('retention:')) return 'NOT_DROPPED';
  return 'EFFECT_NOT_MET';
}

/**
 * How long ago the oldest pending chunk fell due (its range end + afterMs; negative: not yet);
 * null when there is none or the effect is not read. The effect is met while this is at most
 * 2 × the interval.
 */
function pendingOverdue(effect: JobEffect | null, nowMs: number): number | null {
  if (effect === null || effect.oldestPendingEndMs === null) return null;
  return nowMs - (effect.oldestPendingEndMs + effect.afterMs);
}

function maxOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}
