import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from './shapes.js';

/** GET /healthz */
export const LivenessSchema = Type.Object({ status: Type.Literal('ok') });
export type Liveness = Static<typeof LivenessSchema>;

/**
 * A TimescaleDB background job that is not healthy (docs/operations.md §6.2), named by what the
 * policy is (`retention:readings`, `compression:readings`, `refresh:readings_1m`, …).
 */
export const DegradedJobSchema = Type.Object({
  job: Type.String(),
  /**
   * failing: last run failed (or reports the known clash while its effect is not met); stale: no
   * success within 2 × its interval, or its effect not met; unscheduled: paused; effective: it
   * reports Failed with the known clash (`error`) but its effect is met — listed, no alarm, and
   * alone it leaves the status `ok`.
   */
  verdict: Type.Union([
    Type.Literal('failing'),
    Type.Literal('stale'),
    Type.Literal('unscheduled'),
    Type.Literal('effective'),
  ]),
  /** TimescaleDB's job id, to look up `timescaledb_information.job_errors`. */
  jobId: Type.Integer(),
  lastRunStatus: Nullable(Type.String()),
  /** ms UTC; null: never succeeded. */
  lastSuccessAt: Nullable(Type.Number()),
  /** When it is (or became) stale without a success, ms UTC. */
  staleAt: Type.Number(),
  /** The error of its latest failed run (`job_errors`), when its last run failed. */
  error: Type.Optional(Nullable(Type.String())),
  /** Whether its effect (chunks compressed / dropped in time) is met; null: not judged by it. */
  effectMet: Type.Optional(Nullable(Type.Boolean())),
  /**
   * Why it is stale (its JOB_STALE alarm's cause): `run` — no success within 2 × its interval;
   * `effect` — it runs, but a chunk is left past compress_after / drop_after + 2 × its interval.
   * null unless stale.
   */
  staleCause: Type.Optional(Nullable(Type.Union([Type.Literal('run'), Type.Literal('effect')]))),
});
export type DegradedJob = Static<typeof DegradedJobSchema>;

/**
 * GET /readyz (200 ready, 503 not): each probe by name. Where an ingest runs in the same process
 * (`serve`), also `status` and `jobs`: `degraded` while a TimescaleDB job is failing, stale or
 * paused (a job only `effective` is listed but leaves `ok`) — still 200 and `ready: true` (readings and alarms flow; a load balancer must keep the
 * instance), with the jobs listed. With live push (socket.io on the same port), `live`: `degraded`
 * while its Redis is lost (`status` degraded too, still 200: REST works, and every instance shares
 * the one Redis, so taking them out would take out all), with the reason and since when.
 */
export const ReadinessSchema = Type.Object({
  ready: Type.Boolean(),
  checks: Type.Record(Type.String(), Type.Boolean()),
  status: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('degraded')])),
  jobs: Type.Optional(Type.Array(DegradedJobSchema)),
  live: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('degraded')])),
  liveReason: Type.Optional(Type.String()),
  /** ms UTC */
  liveDegradedSince: Type.Optional(Type.Number()),
});
export type Readiness = Static<typeof ReadinessSchema>;
