import type {
  AlarmCondition,
  WarningColour,
  WarningLevel,
  WarningRow,
  WarningState,
} from '@hazardwatch/contracts';
import type { SqlClient } from './sql-client.js';

/** Which 预警 a list holds: open ones, closed ones, or both. */
export type WarningStatusFilter = 'open' | 'closed' | 'all';

export interface WarningQuery {
  readonly status: WarningStatusFilter;
  readonly enterprises: readonly string[] | null;
  readonly hazard?: string | undefined;
  readonly colours?: readonly WarningColour[] | undefined;
  readonly states?: readonly string[] | undefined;
  readonly fromMs?: number | undefined;
  readonly toMs?: number | undefined;
  readonly limit: number;
  readonly offset: number;
}

/** One 预警 as the REST API answers it: the contract's row, declared once in @hazardwatch/contracts. */
export type WarningDto = WarningRow;

interface Row {
  id: string;
  enterprise: string;
  hazard: string | null;
  colour: string;
  state: string;
  level: string | null;
  opened_ms: number;
  updated_ms: number;
  closed_ms: number | null;
  total: number;
}

const MS = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;
// A closed 预警 has no open record left: its level is the one its last event was taken at.
const COLUMNS = `id, enterprise, hazard, colour, state,
  coalesce(record->>'level', (SELECT level FROM warning_events e WHERE e.warning_id = warnings.id ORDER BY e.id DESC LIMIT 1)) AS level,
  ${MS('opened_at')} AS opened_ms, ${MS('updated_at')} AS updated_ms,
  CASE WHEN closed_at IS NULL THEN NULL ELSE ${MS('closed_at')} END AS closed_ms`;

const toDto = (r: Row): WarningDto => ({
  id: r.id,
  enterprise: r.enterprise,
  hazard: r.hazard,
  // The engine writes only the four colours and WARNING_STATES to these text columns.
  colour: r.colour as WarningColour,
  state: r.state as WarningState,
  level: r.level as WarningLevel | null,
  openedAt: r.opened_ms,
  updatedAt: r.updated_ms,
  closedAt: r.closed_ms,
});

/**
 * 预警 from the `warnings` table, open and/or closed, newest first; time filter = open at some
 * time in [from, to).
 */
export async function queryWarnings(
  client: SqlClient,
  q: WarningQuery,
): Promise<{ items: WarningDto[]; total: number }> {
  if (q.enterprises?.length === 0) return { items: [], total: 0 };
  const { rows } = await client.query<Row>(
    `SELECT ${COLUMNS}, (count(*) OVER ())::int AS total FROM warnings
     WHERE ($1::text = 'all' OR ($1 = 'open') = (closed_at IS NULL))
       AND ($2::text[] IS NULL OR enterprise = ANY($2::text[]))
       AND ($3::text IS NULL OR hazard = $3)
       AND ($4::text[] IS NULL OR colour = ANY($4::text[]))
       AND ($5::text[] IS NULL OR state = ANY($5::text[]))
       AND ($6::float8 IS NULL OR closed_at IS NULL OR closed_at >= to_timestamp($6 / 1000.0))
       AND ($7::float8 IS NULL OR opened_at < to_timestamp($7 / 1000.0))
     ORDER BY opened_at DESC, id LIMIT $8 OFFSET $9`,
    [
      q.status,
      q.enterprises,
      q.hazard ?? null,
      q.colours ?? null,
      q.states ?? null,
      q.fromMs ?? null,
      q.toMs ?? null,
      q.limit,
      q.offset,
    ],
  );
  return { items: rows.map(toDto), total: rows[0]?.total ?? 0 };
}

export async function warningById(client: SqlClient, id: string): Promise<WarningDto | undefined> {
  const { rows } = await client.query<Row>(`SELECT ${COLUMNS}, 1 AS total FROM warnings WHERE id = $1`, [id]);
  return rows[0] ? toDto(rows[0]) : undefined;
}

export async function warningEnterprise(client: SqlClient, id: string): Promise<string | undefined> {
  const { rows } = await client.query<{ enterprise: string }>(
    'SELECT enterprise FROM warnings WHERE id = $1',
    [id],
  );
  return rows[0]?.enterprise;
}

/** One alarm that caused a 预警, as stored (the API adds tag, name and unit from the site model). */
export interface WarningCauseRow {
  readonly alarmId: string;
  readonly pointId: number | null;
  readonly condition: AlarmCondition;
  /** The value of the raising event (NORM → UNACK), else the alarm record's value. */
  readonly value: number | null;
  readonly limit: number | null;
  readonly raisedAt: number;
  readonly state: string;
  readonly closedAt: number | null;
}

/** The causing alarms, in the order given (ids the 预警 events name). */
export async function warningCauses(
  client: SqlClient,
  alarmIds: readonly string[],
): Promise<WarningCauseRow[]> {
  if (alarmIds.length === 0) return [];
  const { rows } = await client.query<{
    id: string;
    point_id: number | null;
    condition: string;
    state: string;
    raised_ms: number;
    closed_ms: number | null;
    raise_value: number | null;
    record_value: number | null;
    limit_value: number | null;
  }>(
    `SELECT a.id, a.point_id, a.condition, a.state, ${MS('a.raised_at')} AS raised_ms,
       CASE WHEN a.closed_at IS NULL THEN NULL ELSE ${MS('a.closed_at')} END AS closed_ms,
       (SELECT ev.value FROM alarm_events ev WHERE ev.alarm_id = a.id AND ev.to_state = 'UNACK' ORDER BY ev.id LIMIT 1) AS raise_value,
       (a.record->>'value')::float8 AS record_value,
       (a.record->>'limit')::float8 AS limit_value
     FROM alarms a WHERE a.id = ANY($1::text[])`,
    [alarmIds],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return alarmIds.flatMap((id) => {
    const r = byId.get(id);
    if (r === undefined) return [];
    return [
      {
        alarmId: r.id,
        pointId: r.point_id,
        // The engine writes only ALARM_CONDITIONS to this column.
        condition: r.condition as AlarmCondition,
        value: r.raise_value ?? r.record_value,
        limit: r.limit_value,
        raisedAt: r.raised_ms,
        state: r.state,
        closedAt: r.closed_ms,
      },
    ];
  });
}
