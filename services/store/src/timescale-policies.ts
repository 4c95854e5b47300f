import type { Retention } from './options.js';
import { msInterval } from './options.js';
import { READINGS_TABLE } from './scaled-values.js';
import type { SqlClient } from './sql-client.js';

/**
 * Key in a job's config where migrate notes when it registered the job (ISO time): TimescaleDB
 * keeps no creation time, and a job that never ran is judged stale from it (core job-health.ts).
 * The policy procedures read only their own keys.
 */
export const REGISTERED_AT_KEY = 'hw_registered_at';

/** The TimescaleDB procedures of our policies, and the relations they are on. */
export const TIMESCALE_POLICY_PROCS: readonly string[] = Object.freeze([
  'policy_retention',
  'policy_compression',
]);
export const TIMESCALE_POLICY_RELATIONS: readonly string[] = Object.freeze([
  'readings',
  'readings_1m',
  'readings_1h',
]);

type PolicyKind = 'retention' | 'compression';

/** One policy as configured: what it is and the settings (intervals, as text) it must have. */
interface PolicySpec {
  /** `<kind>:<relation>`: how health, metrics and platform alarms name the job, never by job id. */
  readonly identity: string;
  readonly kind: PolicyKind;
  readonly relation: string;
  /** Config keys the policy reads → interval text. */
  readonly settings: Readonly<Record<string, string>>;
  /** The schedule we set; undefined: TimescaleDB's default for the kind. */
  readonly schedule?: string;
}

/**
 * Every policy we register, identified by what it is. The rollups are written by the service
 * (schema version 21; until then continuous aggregates with `refresh:` policies of their own).
 */
export const TIMESCALE_JOB_IDENTITIES: readonly string[] = Object.freeze([
  'retention:readings',
  'compression:readings',
  'retention:readings_1m',
  'retention:readings_1h',
]);

function policySpecs(retention: Retention): PolicySpec[] {
  return [
    // Order 40: electronic records kept ≥ 30 days (compileRetention refuses less).
    {
      identity: 'retention:readings',
      kind: 'retention',
      relation: READINGS_TABLE,
      settings: { drop_after: msInterval(retention.rawRetentionMs) },
    },
    {
      identity: 'compression:readings',
      kind: 'compression',
      relation: READINGS_TABLE,
      settings: { compress_after: msInterval(retention.compressAfterMs) },
    },
    {
      identity: 'retention:readings_1m',
      kind: 'retention',
      relation: 'readings_1m',
      settings: { drop_after: msInterval(retention.rollup1mRetentionMs) },
    },
    {
      identity: 'retention:readings_1h',
      kind: 'retention',
      relation: 'readings_1h',
      settings: { drop_after: msInterval(retention.rollup1hRetentionMs) },
    },
  ];
}

/** What registration did with one policy. */
export interface PolicyRegistration {
  readonly identity: string;
  readonly jobId: number;
  /** kept: as it was (id and statistics kept); altered: settings changed in place; added: new. */
  readonly action: 'kept' | 'altered' | 'added';
}

interface ExistingJob {
  job_id: number;
  identity: string;
  config: Record<string, unknown>;
  /** Whether each wanted setting and the schedule already hold (compared as intervals). */
  same: boolean;
}

/**
 * Registers every TimescaleDB background policy from the configured retention. Runs on every
 * migrate: a policy already as configured is kept as it is, so its job id and job statistics
 * (last success, failures) survive restarts — a failing history stays visible (docs/
 * operations.md "TimescaleDB jobs"); a changed setting is altered in place (`alter_job`, same
 * id); a missing policy is added. Each registration notes when it happened in the job's config.
 */
export async function applyTimescalePolicies(
  tx: SqlClient,
  retention: Retention,
): Promise<PolicyRegistration[]> {
  const out: PolicyRegistration[] = [];
  for (const spec of policySpecs(retention)) {
    const existing = await existingJob(tx, spec);
    if (existing === undefined) {
      const jobId = await addPolicy(tx, spec);
      await tx.query(
        `SELECT alter_job($1, config => (SELECT config FROM timescaledb_information.jobs WHERE job_id = $1)
           || jsonb_build_object($2::text, now()))`,
        [jobId, REGISTERED_AT_KEY],
      );
      out.push({ identity: spec.identity, jobId, action: 'added' });
      continue;
    }
    const noted = typeof existing.config[REGISTERED_AT_KEY] === 'string';
    if (existing.same && noted) {
      out.push({ identity: spec.identity, jobId: existing.job_id, action: 'kept' });
      continue;
    }
    // Settings as TimescaleDB itself writes them (interval text), the job's other keys kept
    // (hypertable ids, the registration time); an older registration is noted from now on.
    const keys = Object.keys(spec.settings);
    await tx.query(
      `SELECT alter_job($1,
         config => $2::jsonb || (SELECT jsonb_object_agg(k, (v::interval)::text) FROM unnest($3::text[], $4::text[]) AS t(k, v))
                   || CASE WHEN $2::jsonb ? $5 THEN '{}'::jsonb ELSE jsonb_build_object($5::text, now()) END,
         schedule_interval => coalesce($6::interval, (SELECT schedule_interval FROM timescaledb_information.jobs WHERE job_id = $1)))`,
      [
        existing.job_id,
        JSON.stringify(existing.config),
        keys,
        keys.map((k) => spec.settings[k]),
        REGISTERED_AT_KEY,
        spec.schedule ?? null,
      ],
    );
    out.push({ identity: spec.identity, jobId: existing.job_id, action: existing.same ? 'kept' : 'altered' });
  }
  return out;
}

async function existingJob(tx: SqlClient, spec: PolicySpec): Promise<ExistingJob | undefined> {
  const keys = Object.keys(spec.settings);
  const { rows } = await tx.query<ExistingJob>(
    `SELECT j.job_id, j.config,
            (SELECT coalesce(bool_and(j.config->>k IS NOT NULL AND (j.config->>k)::interval = v::interval), true)
             FROM unnest($3::text[], $4::text[]) AS t(k, v))
            AND ($5::interval IS NULL OR j.schedule_interval = $5::interval) AS same
     FROM timescaledb_information.jobs j
     LEFT JOIN timescaledb_information.continuous_aggregates c
       ON c.materialization_hypertable_schema = j.hypertable_schema
      AND c.materialization_hypertable_name = j.hypertable_name
     WHERE j.proc_name = $1 AND coalesce(c.view_name, j.hypertable_name) = $2
       AND coalesce(c.view_schema, j.hypertable_schema) = current_schema()
     ORDER BY j.job_id LIMIT 1`,
    [procOf(spec.kind), spec.relation, keys, keys.map((k) => spec.settings[k]), spec.schedule ?? null],
  );
  return rows[0];
}

async function addPolicy(tx: SqlClient, spec: PolicySpec): Promise<number> {
  const s = spec.settings;
  const { rows } = await (spec.kind === 'retention'
    ? tx.query<{ id: number }>(
        'SELECT add_retention_policy($1::regclass, drop_after => $2::interval) AS id',
        [spec.relation, s['drop_after']],
      )
    : tx.query<{ id: number }>(
        'SELECT add_compression_policy($1::regclass, compress_after => $2::interval) AS id',
        [spec.relation, s['compress_after']],
      ));
  return rows[0]!.id;
}

function procOf(kind: PolicyKind): string {
  return kind === 'retention' ? 'policy_retention' : 'policy_compression';
}
