import type { StoreDialect } from './dialect.js';
import { READINGS_TABLE } from './scaled-values.js';
import type { SqlClient } from './sql-client.js';
import {
  REGISTERED_AT_KEY,
  TIMESCALE_POLICY_PROCS,
  TIMESCALE_POLICY_RELATIONS,
} from './timescale-policies.js';

/**
 * One TimescaleDB background job of ours (a policy registered by applyTimescalePolicies), from
 * `timescaledb_information.jobs` joined with `job_stats`, its latest error (`job_errors`) and its
 * effect (`chunks`: what core job-health.ts judges a Failed run with the known clash by). Times in ms UTC, null where there is
 * none (never ran, never succeeded; TimescaleDB's ±infinity too).
 */
export interface TimescaleJobRow {
  /** What the policy is, stable across restarts and re-registration: `retention:readings`, … */
  readonly identity: string;
  /** TimescaleDB's id: for `job_errors` and `run_job`, never for identity (it changes on re-add). */
  readonly jobId: number;
  /** false: paused. */
  readonly scheduled: boolean;
  readonly scheduleIntervalMs: number;
  /** When our migrate registered the job (`config.hw_registered_at`); null for an older registration. */
  readonly registeredAtMs: number | null;
  readonly lastRunStartedAtMs: number | null;
  readonly lastRunFinishedAtMs: number | null;
  readonly lastSuccessAtMs: number | null;
  /** `Success` or `Failed`; null before the first run. */
  readonly lastRunStatus: string | null;
  /** `Scheduled`, `Running`, `Paused`, … */
  readonly jobStatus: string | null;
  readonly nextStartMs: number | null;
  readonly totalRuns: number;
  readonly totalSuccesses: number;
  readonly totalFailures: number;
  /** The error of its latest failed run (`job_errors.err_message`); null: none kept. */
  readonly lastError: string | null;
  /**
   * Its effect in the catalogs (compression and retention): `compress_after` / `drop_after`, and
   * the range end of the oldest chunk it should deal with — for compression the oldest chunk not
   * compressed, for retention the oldest chunk; null when the config has no such interval.
   */
  readonly effect: { readonly afterMs: number; readonly oldestPendingEndMs: number | null } | null;
}

interface Row {
  job_id: number;
  identity: string;
  scheduled: boolean;
  interval_ms: number;
  registered_ms: number | null;
  started_ms: number | null;
  finished_ms: number | null;
  success_ms: number | null;
  last_run_status: string | null;
  job_status: string | null;
  next_ms: number | null;
  total_runs: number | null;
  total_successes: number | null;
  total_failures: number | null;
  last_error: string | null;
  after_ms: number | null;
  oldest_pending_ms: number | null;
}

const ms = (expr: string): string =>
  `CASE WHEN isfinite(${expr}) THEN (extract(epoch FROM ${expr}) * 1000)::float8 END`;

/**
 * The relation a job is named by: a continuous aggregate's view, else its hypertable — the raw
 * readings' hypertable by the `readings` view over it (schema version 23), so the identities
 * (`retention:readings`) stay what health, metrics and platform alarms know.
 */
const relationName = `coalesce(c.view_name, CASE j.hypertable_name WHEN '${READINGS_TABLE}' THEN 'readings' ELSE j.hypertable_name END)`;

/**
 * Every background job of our policies with its statistics; empty on the plain PostgreSQL dialect
 * (no TimescaleDB jobs: the service's own duties keep partitions and rollups there). Continuous
 * aggregate policies sit on the aggregate's materialisation hypertable; they are named by view.
 */
export async function timescaleJobs(client: SqlClient, dialect: StoreDialect): Promise<TimescaleJobRow[]> {
  if (dialect !== 'timescaledb') return [];
  const { rows } = await client.query<Row>(
    `SELECT j.job_id,
            (CASE j.proc_name WHEN 'policy_retention' THEN 'retention'
                              WHEN 'policy_compression' THEN 'compression'
                              ELSE 'refresh' END) || ':' || ${relationName} AS identity,
            j.scheduled,
            (extract(epoch FROM j.schedule_interval) * 1000)::float8 AS interval_ms,
            ${ms(`(j.config->>'${REGISTERED_AT_KEY}')::timestamptz`)} AS registered_ms,
            ${ms('s.last_run_started_at')} AS started_ms,
            ${ms('s.last_run_started_at + s.last_run_duration')} AS finished_ms,
            ${ms('s.last_successful_finish')} AS success_ms,
            s.last_run_status, s.job_status,
            ${ms('s.next_start')} AS next_ms,
            s.total_runs::float8 AS total_runs, s.total_successes::float8 AS total_successes,
            s.total_failures::float8 AS total_failures,
            (SELECT e.err_message FROM timescaledb_information.job_errors e
             WHERE e.job_id = j.job_id ORDER BY e.start_time DESC LIMIT 1) AS last_error,
            (extract(epoch FROM (CASE j.proc_name WHEN 'policy_compression' THEN j.config->>'compress_after'
                                                  ELSE j.config->>'drop_after' END)::interval) * 1000)::float8 AS after_ms,
            (SELECT ${ms('min(ch.range_end)')} FROM timescaledb_information.chunks ch
             WHERE ch.hypertable_schema = j.hypertable_schema AND ch.hypertable_name = j.hypertable_name
               AND (j.proc_name <> 'policy_compression' OR NOT ch.is_compressed)) AS oldest_pending_ms
     FROM timescaledb_information.jobs j
     LEFT JOIN timescaledb_information.continuous_aggregates c
       ON c.materialization_hypertable_schema = j.hypertable_schema
      AND c.materialization_hypertable_name = j.hypertable_name
     LEFT JOIN timescaledb_information.job_stats s ON s.job_id = j.job_id
     WHERE j.proc_name = ANY($1::text[])
       AND coalesce(c.view_schema, j.hypertable_schema) = current_schema()
       AND ${relationName} = ANY($2::text[])
     ORDER BY identity`,
    [TIMESCALE_POLICY_PROCS, TIMESCALE_POLICY_RELATIONS],
  );
  return rows.map((r) => ({
    identity: r.identity,
    jobId: r.job_id,
    scheduled: r.scheduled,
    scheduleIntervalMs: r.interval_ms,
    registeredAtMs: r.registered_ms,
    lastRunStartedAtMs: r.started_ms,
    lastRunFinishedAtMs: r.finished_ms,
    lastSuccessAtMs: r.success_ms,
    lastRunStatus: r.last_run_status,
    jobStatus: r.job_status,
    nextStartMs: r.next_ms,
    totalRuns: r.total_runs ?? 0,
    totalSuccesses: r.total_successes ?? 0,
    totalFailures: r.total_failures ?? 0,
    lastError: r.last_error,
    effect: r.after_ms === null ? null : { afterMs: r.after_ms, oldestPendingEndMs: r.oldest_pending_ms },
  }));
}
