import type {
  AlarmCondition,
  AlarmState,
  JournalSort,
  SortDirection,
  WarningColour,
} from '@hazardwatch/contracts';
import type { SqlClient } from './sql-client.js';

/**
 * The alarm journal (issue #21; docs/journal.md): events of `alarm_events` in [fromMs, toMs),
 * filtered and sorted. Names, units and hazards are not in these tables — the caller adds them from
 * the site model — so the text filter takes the point ids and enterprises whose names matched
 * there, besides the stored texts (tag, reason, actor) it matches here.
 */
export interface JournalQuery {
  readonly fromMs: number;
  readonly toMs: number;
  /** null = every enterprise (an admin unfiltered); empty = nothing visible. */
  readonly enterprises: readonly string[] | null;
  /** Only these points (a hazard's); null = no restriction. */
  readonly pointIds: readonly number[] | null;
  readonly colours?: readonly WarningColour[] | undefined;
  /** The state the event moved the alarm into. */
  readonly states?: readonly AlarmState[] | undefined;
  readonly conditions?: readonly AlarmCondition[] | undefined;
  /**
   * Free text, literal and case-insensitive: in the tag, the reason or the actor, or naming one of
   * `textPointIds` / `textEnterprises` (matched by name in the site model).
   */
  readonly text?:
    | {
        readonly value: string;
        readonly pointIds: readonly number[];
        readonly enterprises: readonly string[];
      }
    | undefined;
  readonly sort: JournalSort;
  readonly direction: SortDirection;
  /**
   * Only events stored up to this id: an export reads its batches over one fixed set, so events
   * arriving meanwhile never shift a page. Undefined = all.
   */
  readonly maxId?: string | undefined;
  readonly limit: number;
  readonly offset: number;
}

/** One stored event with its alarm's source, before the site model's names are added. */
export interface JournalRow {
  readonly id: string;
  readonly alarmId: string;
  readonly ts: number;
  readonly from: AlarmState;
  readonly to: AlarmState;
  readonly condition: AlarmCondition;
  readonly colour: WarningColour | null;
  readonly actor: string;
  readonly reason: string | null;
  readonly value: number | null;
  /** The alarm's current limit (its record's). */
  readonly limit: number | null;
  readonly late: boolean;
  readonly enterprise: string | null;
  readonly pointId: number | null;
  readonly tag: string | null;
  readonly gateway: string | null;
  readonly sourceKey: string;
}

const ENTERPRISE = 'coalesce(p.enterprise_code, a.enterprise)';

/** Whitelisted sort expressions; colour by severity (red highest), not by name. */
const SORT_SQL: Readonly<Record<JournalSort, string>> = {
  ts: 'e.ts',
  colour: `CASE e.colour WHEN 'red' THEN 4 WHEN 'orange' THEN 3 WHEN 'yellow' THEN 2 WHEN 'blue' THEN 1 END`,
  state: 'e.to_state',
  condition: 'e.condition',
  enterprise: ENTERPRISE,
  tag: 'coalesce(p.tag, a.source_key)',
  value: 'e.value',
};

const WHERE = `e.ts >= to_timestamp($1 / 1000.0) AND e.ts < to_timestamp($2 / 1000.0)
  AND ($3::text[] IS NULL OR ${ENTERPRISE} = ANY($3::text[]))
  AND ($4::int[] IS NULL OR a.point_id = ANY($4::int[]))
  AND ($5::text[] IS NULL OR e.colour = ANY($5::text[]))
  AND ($6::text[] IS NULL OR e.to_state = ANY($6::text[]))
  AND ($7::text[] IS NULL OR e.condition = ANY($7::text[]))
  AND ($8::text IS NULL
       OR strpos(lower(coalesce(p.tag, '')), lower($8)) > 0
       OR strpos(lower(coalesce(e.reason, '')), lower($8)) > 0
       OR strpos(lower(e.actor), lower($8)) > 0
       OR a.point_id = ANY($9::int[])
       OR ${ENTERPRISE} = ANY($10::text[]))
  AND ($11::bigint IS NULL OR e.id <= $11::bigint)`;

function params(q: JournalQuery): unknown[] {
  return [
    q.fromMs,
    q.toMs,
    q.enterprises,
    q.pointIds,
    q.colours ?? null,
    q.states ?? null,
    q.conditions ?? null,
    q.text?.value ?? null,
    q.text?.pointIds ?? [],
    q.text?.enterprises ?? [],
    q.maxId ?? null,
  ];
}

interface Row {
  id: string;
  alarm_id: string;
  ts_ms: number;
  from_state: AlarmState;
  to_state: AlarmState;
  condition: AlarmCondition;
  colour: WarningColour | null;
  actor: string;
  reason: string | null;
  value: number | null;
  alarm_limit: number | null;
  late: boolean;
  enterprise: string | null;
  point_id: number | null;
  tag: string | null;
  gateway: string | null;
  source_key: string;
}

const nothing = (q: JournalQuery): boolean => q.enterprises?.length === 0 || q.pointIds?.length === 0;

/** One page of the journal, in the asked order (ties by event id, in the same direction). */
export async function queryJournal(client: SqlClient, q: JournalQuery): Promise<JournalRow[]> {
  if (nothing(q)) return [];
  const dir = q.direction === 'asc' ? 'ASC' : 'DESC';
  const { rows } = await client.query<Row>(
    `SELECT e.id::text AS id, e.alarm_id, (extract(epoch FROM e.ts) * 1000)::float8 AS ts_ms,
            e.from_state, e.to_state, e.condition, e.colour, e.actor, e.reason, e.value,
            (a.record->>'limit')::float8 AS alarm_limit, e.late, ${ENTERPRISE} AS enterprise,
            a.point_id, p.tag, a.gateway, a.source_key
     FROM alarm_events e JOIN alarms a ON a.id = e.alarm_id LEFT JOIN point_ids p ON p.id = a.point_id
     WHERE ${WHERE}
     ORDER BY ${SORT_SQL[q.sort]} ${dir} NULLS LAST, e.id ${dir}
     LIMIT $12 OFFSET $13`,
    [...params(q), q.limit, q.offset],
  );
  return rows.map((r) => ({
    id: r.id,
    alarmId: r.alarm_id,
    ts: r.ts_ms,
    from: r.from_state,
    to: r.to_state,
    condition: r.condition,
    colour: r.colour,
    actor: r.actor,
    reason: r.reason,
    value: r.value,
    limit: r.alarm_limit,
    late: r.late,
    enterprise: r.enterprise,
    pointId: r.point_id,
    tag: r.tag,
    gateway: r.gateway,
    sourceKey: r.source_key,
  }));
}

/**
 * How many events match, counted up to `cap` + 1 at most (a bounded count: a page says "more than
 * cap" without reading a month of events), and the newest matching id (an export's `maxId`).
 */
export async function countJournal(
  client: SqlClient,
  q: Omit<JournalQuery, 'sort' | 'direction' | 'limit' | 'offset'>,
  cap: number,
): Promise<{ count: number; maxId: string | null }> {
  if (nothing({ ...q, sort: 'ts', direction: 'asc', limit: 0, offset: 0 })) return { count: 0, maxId: null };
  const { rows } = await client.query<{ n: number; max_id: string | null }>(
    `SELECT count(*)::int AS n, max(id)::text AS max_id FROM (
       SELECT e.id FROM alarm_events e JOIN alarms a ON a.id = e.alarm_id LEFT JOIN point_ids p ON p.id = a.point_id
       WHERE ${WHERE} LIMIT $12) x`,
    [...params({ ...q, sort: 'ts', direction: 'asc', limit: 0, offset: 0 }), cap + 1],
  );
  return { count: rows[0]?.n ?? 0, maxId: rows[0]?.max_id ?? null };
}
