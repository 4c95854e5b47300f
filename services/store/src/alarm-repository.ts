import {
  parseSourceKey,
  type AlarmCondition,
  type AlarmEvent,
  type AlarmState,
  type WarningColour,
} from '@hazardwatch/contracts';
import { alarmKpiReport, type AlarmKpiReport, type AlarmRecord, type ColourChange } from '@hazardwatch/core';
import { asStaleLease, type LeaseFence } from './lease-repository.js';
import type { SqlClient } from './sql-client.js';

/** Everything one step of the alarm engine produced, written in one transaction. */
export interface AlarmWrite {
  /** Changed alarm records (a record in NORM has just closed). */
  readonly alarms: readonly AlarmRecord[];
  readonly events: readonly AlarmEvent[];
  /** Colour changes stored as given (the engine's point, gateway, hazard and enterprise changes). */
  readonly colourChanges: readonly ColourChange[];
  /** The region roll-up this step makes in the database; absent when no enterprise changed. */
  readonly regionRollup?: RegionRollupInput;
}

/** An enterprise's colour as its owner's roll-up has it, and where the owner's site places it. */
export interface EnterpriseColourState {
  readonly enterprise: string;
  /** null = normal. */
  readonly colour: WarningColour | null;
  /** Its region and that region's ancestors, innermost first; empty when the site lacks it. */
  readonly regions: readonly string[];
}

/**
 * Region colours are rolled up in the database over every enterprise, whichever worker evaluates
 * it (migration 22, hw_region_colours): a worker's own roll-up sees only its enterprises' alarms.
 */
export interface RegionRollupInput {
  /** Enterprises whose colour or region changed: their state after this step. */
  readonly enterprises: readonly EnterpriseColourState[];
  /** Regions to recompute besides those the enterprises are and were in (a site edit). */
  readonly regions: readonly string[];
  /** ms UTC stamped on the region changes stored. */
  readonly ts: number;
}

export interface StoredAlarmEvent extends AlarmEvent {
  readonly id: number;
  readonly colour: WarningColour | null;
  /**
   * The alarm's limit (its record's: process limit, rate-of-change slope or timeout in ms), read
   * by `eventsAfter` only: a live row then shows the limit the REST row shows. Absent from `events`.
   */
  readonly limit?: number | null;
  /**
   * The enterprise of the alarm's source as stored (a point's from point_ids, which keeps a point
   * removed from the site model; a gateway's from the alarm), read by `eventsAfter` only: the live
   * fan-out routes an alarm of a removed point by it. null for a platform alarm.
   */
  readonly enterprise?: string | null;
}

const isOpen = (state: AlarmState): boolean => state !== 'NORM';

/**
 * Alarms, their append-only events and colour changes. One open alarm per (source, condition) is
 * enforced by the database too (partial unique index), so a duplicate can never be stored even by
 * two writers racing; such a write fails with SQLSTATE 23505 and nothing of it is kept.
 */
export class AlarmRepository {
  constructor(private readonly client: SqlClient) {}

  /**
   * Stores alarm records, their events and colour changes in one statement (data-modifying CTEs):
   * atomic on its own and one round trip, so an alarm reaches operators without waiting on a
   * transaction's BEGIN/…/COMMIT exchanges while the database is busy. Inside `tx` it joins that
   * transaction.
   *
   * With a `fence` (a worker owning partitions by lease, issue #23) the same statement first checks
   * that every partition is still held at its epoch, and locks those lease rows until commit: a
   * stale writer is refused (HW_STORE_LEASE_STALE) with nothing stored, and a takeover waits for a
   * write already under way.
   *
   * With a `regionRollup` the same statement stores the enterprises' colours and recomputes their
   * regions from every enterprise's stored colour, under per-region locks (after the fence), and
   * returns the region changes it stored, each with its `seq` (colour_events id, rising per region
   * in commit order): only this writer stored them, so only it pushes them.
   */
  async write(batch: AlarmWrite, tx?: SqlClient, fence?: LeaseFence): Promise<ColourChange[]> {
    const rollup = batch.regionRollup;
    const rolls = rollup !== undefined && (rollup.enterprises.length > 0 || rollup.regions.length > 0);
    if (batch.alarms.length === 0 && batch.events.length === 0 && batch.colourChanges.length === 0 && !rolls)
      return [];
    const alarms = latestPerId(batch.alarms);
    const colours = new Map(batch.alarms.map((a) => [a.id, a.colour]));
    const { events, colourChanges: changes } = batch;
    // Referenced by every insert (an unreferenced plain WITH query is never run); evaluated once.
    const fenced = fence !== undefined;
    const guard = fenced ? 'WHERE (SELECT ok FROM fence)' : '';
    const r = fenced ? 31 : 29;
    // The guard is a one-time filter: the fence is checked before any region lock is taken.
    const regionCte = rolls
      ? `, regions AS (
         SELECT change_id, region, was_colour, new_colour
         FROM hw_region_colours($${r}::text[], $${r + 1}::text[], $${r + 2}::jsonb, $${r + 3}::text[], $${r + 4}::float8)
         ${guard}
       )`
      : '';
    const regionSelect = rolls
      ? `, (SELECT coalesce(json_agg(json_build_object('seq', change_id, 'code', region, 'from', was_colour,
              'to', new_colour) ORDER BY change_id), '[]'::json) FROM regions) AS regions`
      : '';
    const { rows } = await (tx ?? this.client)
      .query<{
        regions?: Array<{ seq: number; code: string; from: WarningColour | null; to: WarningColour | null }>;
      }>(
        `WITH ${fenced ? 'fence AS MATERIALIZED (SELECT hw_lease_fence($29::int[], $30::bigint[]) AS ok), ' : ''}upserted AS (
         INSERT INTO alarms (id, source_key, condition, point_id, enterprise, gateway, state, colour, raised_at, updated_at, closed_at, record)
         SELECT id, sk, cond, pid, ent, gw, st, col, to_timestamp(raised / 1000.0), to_timestamp(upd / 1000.0),
                CASE WHEN op THEN NULL ELSE to_timestamp(upd / 1000.0) END, rec
         FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::float8[], $10::float8[], $11::bool[], $12::jsonb[])
           AS t(id, sk, cond, pid, ent, gw, st, col, raised, upd, op, rec)
         ${guard}
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, colour = excluded.colour, updated_at = excluded.updated_at,
           closed_at = excluded.closed_at, record = excluded.record
         RETURNING 1
       ), events AS (
         INSERT INTO alarm_events (alarm_id, source_key, condition, from_state, to_state, ts, actor, reason, value, colour, late)
         SELECT a, sk, c, f, t, to_timestamp(ts / 1000.0), act, r, v, col, lt
         FROM unnest($13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::float8[], $19::text[], $20::text[],
                     $21::float8[], $22::text[], $28::bool[]) WITH ORDINALITY AS x(a, sk, c, f, t, ts, act, r, v, col, lt, n)
         ${guard}
         ORDER BY n
         RETURNING 1
       ), colours AS (
         INSERT INTO colour_events (level, code, from_colour, to_colour, ts)
         SELECT l, c, f, t, to_timestamp(ts / 1000.0)
         FROM unnest($23::text[], $24::text[], $25::text[], $26::text[], $27::float8[]) WITH ORDINALITY AS x(l, c, f, t, ts, n)
         ${guard}
         ORDER BY n
         RETURNING 1
       )${regionCte}
       SELECT (SELECT count(*) FROM upserted) AS alarms, (SELECT count(*) FROM events) AS events,
              (SELECT count(*) FROM colours) AS colours${regionSelect}`,
        [
          alarms.map((a) => a.id),
          alarms.map((a) => a.sourceKey),
          alarms.map((a) => a.condition),
          alarms.map((a) => (a.source.kind === 'point' ? a.source.pointId : null)),
          alarms.map((a) => (a.source.kind === 'gateway' ? a.source.enterprise : null)),
          alarms.map((a) => (a.source.kind === 'gateway' ? a.source.gateway : null)),
          alarms.map((a) => a.state),
          alarms.map((a) => a.colour),
          alarms.map((a) => a.raisedAt),
          alarms.map((a) => a.stateSinceMs),
          alarms.map((a) => isOpen(a.state)),
          alarms.map((a) => JSON.stringify(a)),
          events.map((e) => e.alarmId),
          events.map((e) => e.sourceKey),
          events.map((e) => e.condition),
          events.map((e) => e.from),
          events.map((e) => e.to),
          events.map((e) => e.ts),
          events.map((e) => e.actor),
          events.map((e) => e.reason),
          events.map((e) => e.value),
          events.map((e) => colours.get(e.alarmId) ?? null),
          changes.map((c) => c.level),
          changes.map((c) => c.code),
          changes.map((c) => c.from),
          changes.map((c) => c.to),
          changes.map((c) => c.ts),
          events.map((e) => e.late === true),
          ...(fence ? [fence.partitions, fence.epochs] : []),
          ...(rolls
            ? [
                rollup.enterprises.map((e) => e.enterprise),
                rollup.enterprises.map((e) => e.colour),
                JSON.stringify(rollup.enterprises.map((e) => e.regions)),
                rollup.regions,
                rollup.ts,
              ]
            : []),
        ],
      )
      .catch((error: unknown) => {
        throw fence ? asStaleLease(error, fence) : error;
      });
    return (rows[0]?.regions ?? []).map((c) => ({
      level: 'region',
      code: c.code,
      from: c.from,
      to: c.to,
      ts: rollup!.ts,
      seq: Number(c.seq),
    }));
  }

  /** Open alarms, to reload the alarm book after a restart. */
  async openAlarms(): Promise<AlarmRecord[]> {
    const { rows } = await this.client.query<{ record: AlarmRecord }>(
      'SELECT record FROM alarms WHERE closed_at IS NULL ORDER BY raised_at, id',
    );
    return rows.map((r) => r.record);
  }

  /**
   * Events in [fromMs, toMs), in the order they happened (for KPIs and history), optionally only
   * those of one enterprise (its points and its gateways).
   */
  async events(
    fromMs: number,
    toMs: number,
    options: { enterprise?: string; limit?: number } = {},
  ): Promise<StoredAlarmEvent[]> {
    const { rows } = await this.client.query<EventRow>(
      `SELECT ${EVENT_COLUMNS}
       FROM alarm_events e
       WHERE ts >= to_timestamp($1 / 1000.0) AND ts < to_timestamp($2 / 1000.0)
         AND ($4::text IS NULL OR EXISTS (
           SELECT 1 FROM alarms a LEFT JOIN point_ids p ON p.id = a.point_id
           WHERE a.id = e.alarm_id AND coalesce(p.enterprise_code, a.enterprise) = $4))
       ORDER BY e.ts, e.id LIMIT $3`,
      [fromMs, toMs, options.limit ?? 1_000_000, options.enterprise ?? null],
    );
    return rows.map(toStoredEvent);
  }

  /**
   * Events with id > `afterId`, in id order, at most `limit`: the bigserial id is the cursor live
   * clients replay from after a reconnect.
   */
  async eventsAfter(afterId: number, limit: number): Promise<StoredAlarmEvent[]> {
    const { rows } = await this.client.query<EventRow>(
      `SELECT ${EVENT_COLUMNS},
         a.alarm_limit, a.alarm_enterprise
       FROM alarm_events e
       LEFT JOIN LATERAL (
         SELECT (a.record->>'limit')::float8 AS alarm_limit, coalesce(p.enterprise_code, a.enterprise) AS alarm_enterprise
           FROM alarms a LEFT JOIN point_ids p ON p.id = a.point_id WHERE a.id = e.alarm_id
       ) a ON true
       WHERE e.id > $1 ORDER BY e.id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map(toStoredEvent);
  }

  /** Largest stored event id (0 when empty). */
  async lastEventId(): Promise<number> {
    const { rows } = await this.client.query<{ id: string }>(
      'SELECT coalesce(max(id), 0)::text AS id FROM alarm_events',
    );
    return Number(rows[0]?.id ?? 0);
  }

  /**
   * ISA-18.2 KPIs (REFERENCE §7) over [fromMs, toMs). Events from `lookBackMs` before the range are
   * read too, so alarms raised earlier and still standing count as stale.
   */
  async kpiReport(
    range: { fromMs: number; toMs: number },
    options: { enterprise?: string; lookBackMs?: number } = {},
  ): Promise<AlarmKpiReport> {
    const events = await this.events(range.fromMs - (options.lookBackMs ?? 30 * 86_400_000), range.toMs, {
      ...(options.enterprise !== undefined ? { enterprise: options.enterprise } : {}),
    });
    const colours = new Map(events.map((e) => [e.alarmId, e.colour ?? undefined]));
    return alarmKpiReport(events, range, { colourOf: (id) => colours.get(id) });
  }

  /** Deletes closed alarms (and their events) closed before the cutoff. */
  async pruneClosedBefore(cutoffMs: number): Promise<number> {
    const { rows } = await this.client.query<{ n: string }>(
      `WITH gone AS (DELETE FROM alarms WHERE closed_at < to_timestamp($1 / 1000.0) RETURNING 1)
       SELECT count(*)::text AS n FROM gone`,
      [cutoffMs],
    );
    await this.client.query('DELETE FROM colour_events WHERE ts < to_timestamp($1 / 1000.0)', [cutoffMs]);
    return Number(rows[0]?.n ?? 0);
  }
}

interface EventRow {
  id: string;
  alarm_id: string;
  source_key: string;
  condition: AlarmCondition;
  from_state: AlarmState;
  to_state: AlarmState;
  ts_ms: number;
  actor: string;
  reason: string | null;
  value: number | null;
  colour: WarningColour | null;
  late: boolean;
  /** `eventsAfter` only. */
  alarm_limit?: number | null;
  /** `eventsAfter` only. */
  alarm_enterprise?: string | null;
}

const EVENT_COLUMNS = `e.id::text, e.alarm_id, e.source_key, e.condition, e.from_state, e.to_state,
  (extract(epoch FROM e.ts) * 1000)::float8 AS ts_ms, e.actor, e.reason, e.value, e.colour, e.late`;

function toStoredEvent(r: EventRow): StoredAlarmEvent {
  const source = parseSourceKey(r.source_key);
  return {
    id: Number(r.id),
    alarmId: r.alarm_id,
    sourceKey: r.source_key,
    pointId: source?.type === 'point' ? source.pointId : null,
    condition: r.condition,
    from: r.from_state,
    to: r.to_state,
    ts: r.ts_ms,
    actor: r.actor,
    reason: r.reason,
    value: r.value,
    colour: r.colour,
    ...(r.late ? { late: true } : {}),
    ...(r.alarm_limit !== undefined ? { limit: r.alarm_limit } : {}),
    ...(r.alarm_enterprise !== undefined ? { enterprise: r.alarm_enterprise } : {}),
  };
}

/** The same alarm may change several times in one step; only its last record is stored. */
function latestPerId(alarms: readonly AlarmRecord[]): AlarmRecord[] {
  const byId = new Map<string, AlarmRecord>();
  for (const a of alarms) byId.set(a.id, a);
  // Closing records first: a key's old alarm must be closed before its new one is inserted, or the
  // one-open-alarm index (checked row by row) would refuse the new one.
  return [...byId.values()].sort((a, b) => Number(isOpen(a.state)) - Number(isOpen(b.state)));
}
