import type { Logger } from 'pino';
import { Counter, Gauge, Registry } from 'prom-client';
import { PLATFORM_CONDITIONS, type DegradedJob, type PlatformCondition } from '@hazardwatch/contracts';
import { judgeJobs, type ConditionSink, type JobHealth } from '@hazardwatch/core';
import type { Clock } from '@hazardwatch/kit';
import type { TimescaleJobRow } from '@hazardwatch/store';

/** The component part of a job's platform source key: `platform:timescaledb/<identity>`. */
export const TIMESCALE_COMPONENT = 'timescaledb';

export interface TimescaleJobWatchDeps {
  /** Every job of our policies (store `timescaleJobs`; empty on the plain dialect). */
  readonly readJobs: () => Promise<readonly TimescaleJobRow[]>;
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Logger;
  /**
   * Where this process raises and returns the platform alarms (JOB_FAILED, JOB_STALE; the alarm
   * engine). Undefined: it only reports (readiness, metrics) — another process raises them.
   */
  readonly alarms?: ConditionSink;
}

/** A job that is not healthy, as /readyz lists it (the REST contract's shape). */
export type { DegradedJob };

interface Judged {
  readonly row: TimescaleJobRow;
  readonly health: JobHealth;
}

/**
 * Watches the TimescaleDB background jobs of our policies (retention, compression, aggregate
 * refresh; issue #20): on each `check` it reads their statistics, judges each one (core
 * job-health.ts), logs a change of verdict, and — where this process raises platform alarms —
 * raises JOB_FAILED or JOB_STALE on `platform:timescaledb/<job>` and returns it to normal once
 * the job succeeds again. Its last judgement feeds /readyz (degraded, never unready: alarms
 * still flow while a compression job is stuck) and /metrics.
 */
export class TimescaleJobWatch {
  readonly #deps: TimescaleJobWatchDeps;
  readonly #log: Logger;
  /** Stands in for the registration time of a job that does not say it (an older build's). */
  readonly #startedMs: number;
  #judged: readonly Judged[] = [];
  /** Condition told to the alarm engine per job; absent before the first check. */
  readonly #told = new Map<string, PlatformCondition | null>();
  #readFailures = 0;

  constructor(deps: TimescaleJobWatchDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'timescale-jobs' });
    this.#startedMs = deps.clock.now();
  }

  /** Reads and judges the jobs; never rejects (a failed read keeps the last judgement). */
  async check(): Promise<void> {
    let rows: readonly TimescaleJobRow[];
    try {
      rows = await this.#deps.readJobs();
    } catch (err) {
      this.#readFailures++;
      this.#log.warn({ err }, 'timescaledb job statistics not read');
      return;
    }
    const health = judgeJobs(rows, this.#deps.clock, this.#startedMs);
    const previous = new Map(this.#judged.map((j) => [j.row.identity, j.health.verdict]));
    this.#judged = rows.map((row, i) => ({ row, health: health[i]! }));
    for (const { row, health: h } of this.#judged) {
      const was = previous.get(row.identity);
      if (was !== h.verdict && !(was === undefined && h.verdict === 'healthy')) {
        const data = {
          job: row.identity,
          jobId: row.jobId,
          verdict: h.verdict,
          was: was ?? null,
          lastRunStatus: row.lastRunStatus,
          lastSuccessAt: row.lastSuccessAtMs,
        };
        if (h.verdict === 'healthy') this.#log.info(data, 'timescaledb job healthy again');
        else if (h.verdict === 'effective')
          this.#log.info(
            { ...data, error: h.clash },
            'timescaledb job reports failed with the known clash, its effect is met',
          );
        else this.#log.warn(data, 'timescaledb job not healthy');
      }
      this.#tell(row, h);
    }
  }

  /** The platform alarm follows the verdict; the first check tells every job's state (a restart). */
  #tell(row: TimescaleJobRow, h: JobHealth): void {
    const sink = this.#deps.alarms;
    if (sink === undefined) return;
    const told = this.#told.get(row.identity);
    if (told === h.condition) return;
    const ts = this.#deps.clock.now();
    const source = { kind: 'platform', component: TIMESCALE_COMPONENT, name: row.identity } as const;
    for (const condition of PLATFORM_CONDITIONS) {
      const active = h.condition === condition;
      // Only what changed (or everything, first): an inactive change of a condition never raised is a no-op.
      if (told !== undefined && active === (told === condition)) continue;
      sink.change({
        source,
        condition,
        active,
        ts,
        // How far past due, against 2 × the interval — JOB_STALE: since the last success (a run
        // not on time) or since the oldest pending chunk fell due (effect not met), above the
        // limit either way; JOB_FAILED: the latter when its effect is not met, else none.
        value: active ? h.overdueMs : null,
        limit: condition === 'JOB_STALE' || (active && h.overdueMs !== null) ? h.limitMs : null,
        // Named on the raise's reason: not run on time, chunks not compressed / dropped, or the
        // failed run.
        ...(active && h.cause !== null ? { cause: h.cause } : {}),
      });
    }
    this.#told.set(row.identity, h.condition);
  }

  /**
   * Jobs not healthy at the last check, for /readyz: also those `effective` (reporting the known
   * clash with their effect met), which alone do not make the status degraded (see `degrades`).
   */
  degraded(): DegradedJob[] {
    return this.#judged
      .filter((j) => j.health.verdict !== 'healthy')
      .map(({ row, health }) => ({
        job: row.identity,
        verdict: health.verdict as DegradedJob['verdict'],
        jobId: row.jobId,
        lastRunStatus: row.lastRunStatus,
        lastSuccessAt: row.lastSuccessAtMs,
        staleAt: health.staleAtMs,
        error: row.lastRunStatus === 'Failed' ? row.lastError : null,
        effectMet: health.effectMet,
        staleCause: health.staleCause,
      }));
  }

  /** Prometheus text: per job (label `job`, its identity) the statistics and whether it is healthy. */
  metrics(): Promise<string> {
    const registry = new Registry();
    const perJob = (metric: Gauge | Counter, value: (j: Judged) => number): void => {
      for (const j of this.#judged) {
        if (metric instanceof Counter) metric.inc({ job: j.row.identity }, value(j));
        else metric.set({ job: j.row.identity }, value(j));
      }
    };
    const gauge = (name: string, help: string): Gauge =>
      new Gauge({ name, help, labelNames: ['job'], registers: [registry] });
    // TimescaleDB's own counters (job_stats), copied per scrape like the ingest counters.
    const counter = (name: string, help: string): Counter =>
      new Counter({ name, help, labelNames: ['job'], registers: [registry] });
    const seconds = (ms: number | null): number => (ms === null ? 0 : ms / 1000);
    perJob(
      gauge(
        'hw_timescaledb_job_last_success_timestamp_seconds',
        'When the job last succeeded (Unix seconds; 0: never).',
      ),
      (j) => seconds(j.row.lastSuccessAtMs),
    );
    perJob(
      gauge(
        'hw_timescaledb_job_last_run_timestamp_seconds',
        'When the job last started a run (Unix seconds; 0: never).',
      ),
      (j) => seconds(j.row.lastRunStartedAtMs),
    );
    perJob(
      gauge(
        'hw_timescaledb_job_healthy',
        'The job succeeded within 2 × its interval and its last run did not fail, or it reports the known clash with its effect met (1); or not (0).',
      ),
      (j) => (j.health.verdict === 'healthy' || j.health.verdict === 'effective' ? 1 : 0),
    );
    const effect = new Gauge({
      name: 'hw_timescaledb_job_effect_met',
      help: 'No chunk left that the policy should have compressed / dropped more than 2 × its interval ago (1), or there is (0).',
      labelNames: ['job'],
      registers: [registry],
    });
    const clash = new Gauge({
      name: 'hw_timescaledb_job_known_clash',
      help: 'The job reports Failed with the known TimescaleDB / PostgreSQL clash (label error) while its effect is met: not alarmed.',
      labelNames: ['job', 'error'],
      registers: [registry],
    });
    for (const j of this.#judged) {
      if (j.health.effectMet !== null) effect.set({ job: j.row.identity }, j.health.effectMet ? 1 : 0);
      if (j.health.verdict === 'effective')
        clash.set({ job: j.row.identity, error: j.health.clash ?? '' }, 1);
    }
    perJob(
      counter('hw_timescaledb_job_runs_total', 'Runs of the job (TimescaleDB job_stats).'),
      (j) => j.row.totalRuns,
    );
    perJob(
      counter('hw_timescaledb_job_failures_total', 'Failed runs of the job (TimescaleDB job_stats).'),
      (j) => j.row.totalFailures,
    );
    new Counter({
      name: 'hw_timescaledb_job_reads_failed_total',
      help: 'Reads of the job statistics that failed (the last judgement stands).',
      registers: [registry],
    }).inc(this.#readFailures);
    return registry.metrics();
  }
}
