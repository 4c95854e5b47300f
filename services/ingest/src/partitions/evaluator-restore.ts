import {
  replayNeedMs,
  type EvaluatedPoint,
  type EvaluationEngine,
  type ReadingColumns,
} from '@hazardwatch/core';
import {
  GatewayStatusRepository,
  latestValues,
  type GatewayStatusRecord,
  type SqlClient,
} from '@hazardwatch/store';

export interface EvaluatorRestoreInput {
  readonly client: SqlClient;
  /** The partition's engine, built and not yet ticked or fed. */
  readonly engine: EvaluationEngine;
  /** The partition's points (those the engine evaluates). */
  readonly points: readonly EvaluatedPoint[];
  /** The partition's enterprises (their stored gateway status). */
  readonly enterprises: readonly string[];
  /** Evaluation clock at the takeover, ms UTC. */
  readonly nowMs: number;
}

export interface EvaluatorRestoreResult {
  /** Points whose state was rebuilt from stored readings. */
  readonly points: number;
  /** Readings replayed. */
  readonly readings: number;
  /** How far back the raw readings were read for the point that needed most, ms. */
  readonly windowMs: number;
  /** The stored state of the partition's gateways (gateway_status), as read. */
  readonly gateways: readonly GatewayStatusRecord[];
  /** Time spent reading the windows, the newest readings of the others, the gateways; replaying, ms. */
  readonly timings: { windowsMs: number; newestMs: number; gatewaysMs: number; replayMs: number };
}

/**
 * The evaluators' short-term state of a partition taken over (issue #23 item 3), rebuilt from the
 * raw readings the previous owner stored — not from a checkpoint: readings are stored before their
 * message is acknowledged (a message not yet stored is redelivered to the new owner), so the rows
 * hold everything the previous owner evaluated, and a checkpoint would be one more write on the hot
 * path that can only lag them (docs/operations.md §5.1).
 *
 * Reads each point's readings of its own replay window (replayNeedMs: its delays and rate
 * windows — so a takeover does not read a minute of every point because one point has a long
 * delay), and for every point with none in its window its newest
 * stored reading (its state and its staleness clock then run from that reading), plus the stored
 * status of its gateways; EvaluationEngine.replay does the rest. Active limit conditions come
 * from the restored alarm book (EvaluationEngine.holdActive, called before this), not from the
 * readings. Run after the alarm book is restored and before the first tick or live reading.
 */
export async function restoreEvaluators(input: EvaluatorRestoreInput): Promise<EvaluatorRestoreResult> {
  const { client, engine, points, nowMs } = input;
  const since: Array<[id: number, sinceMs: number]> = [];
  let windowMs = 0;
  for (const p of points) {
    const need = replayNeedMs(p);
    windowMs = Math.max(windowMs, need);
    if (need > 0) since.push([p.id, nowMs - need]);
  }
  const t0 = performance.now();
  let t1 = t0;
  const { recent, older } = await client.transaction(async (tx) => {
    // Small reads on a large table: PostgreSQL's estimate for them passes jit_above_cost, and
    // compiling the plan took 0.21 s of a 3 ms query (EXPLAIN ANALYZE, 156 points, 3.8 M rows in
    // the day's partition). For this transaction only.
    await tx.exec('SET LOCAL jit = off');
    // One index range scan per point (the primary key leads with point_id), whatever the planner
    // knows: `point_id = ANY(…) AND ts > …` was planned as a parallel scan of the whole day's
    // partition while its statistics were missing (a new day's partition, a new database).
    const { rows: recent } =
      since.length === 0
        ? { rows: [] as Row[] }
        : await tx.query<Row>(
            `SELECT p.id AS point_id, (extract(epoch FROM r.ts) * 1000)::float8 AS ts, r.value, r.quality::int AS quality
               FROM unnest($1::int[], $2::float8[]) AS p(id, since)
              CROSS JOIN LATERAL (
                SELECT ts, value, quality FROM readings
                 WHERE point_id = p.id AND ts > to_timestamp(p.since / 1000)
                 ORDER BY ts
              ) r`,
            [since.map(([id]) => id), since.map(([, ms]) => ms)],
          );
    t1 = performance.now();
    const seen = new Set(recent.map((r) => r.point_id));
    const older = await latestValues(
      tx,
      points.map((p) => p.id).filter((id) => !seen.has(id)),
    );
    return { recent, older };
  });
  // Each point's rows are contiguous and in source-time order: points may interleave (replay()).
  const rows: Row[] = [
    ...older.map((v) => ({ point_id: v.pointId, ts: v.ts, value: v.value, quality: v.quality })),
    ...recent,
  ];
  const t2 = performance.now();
  const gateways = await new GatewayStatusRepository(client).byEnterprises([...input.enterprises]);
  const t3 = performance.now();
  const summary = engine.replay(
    columns(rows),
    nowMs,
    gateways.map((g) => ({
      enterprise: g.enterprise,
      gateway: g.gateway,
      lastSeenMs: g.lastSeenMs,
      online: g.online,
    })),
  );
  const ms = (a: number, b: number): number => Math.round(b - a);
  return {
    points: summary.points,
    readings: summary.readings,
    windowMs,
    gateways,
    timings: {
      windowsMs: ms(t0, t1),
      newestMs: ms(t1, t2),
      gatewaysMs: ms(t2, t3),
      replayMs: ms(t3, performance.now()),
    },
  };
}

interface Row {
  point_id: number;
  ts: number;
  value: number;
  quality: number;
}

function columns(rows: readonly Row[]): ReadingColumns {
  return {
    pointIds: Int32Array.from(rows, (r) => r.point_id),
    ts: Float64Array.from(rows, (r) => r.ts),
    values: Float64Array.from(rows, (r) => r.value),
    qualities: Uint8Array.from(rows, (r) => r.quality),
  };
}
