import {
  parseSourceKey,
  type AlarmCondition,
  type AlarmRow,
  type AlarmState,
  type WarningColour,
} from '@hazardwatch/contracts';
import type { AlarmRecord, SiteIndex } from '@hazardwatch/core';
import type { SqlClient } from './sql-client.js';

export interface AlarmQuery {
  /** Only open alarms (not yet back to NORM). */
  readonly openOnly: boolean;
  /** null = every enterprise. */
  readonly enterprises: readonly string[] | null;
  /** Restrict to these points (a hazard's); null = no restriction. */
  readonly pointIds: readonly number[] | null;
  readonly colours?: readonly WarningColour[] | undefined;
  readonly states?: readonly AlarmState[] | undefined;
  readonly conditions?: readonly AlarmCondition[] | undefined;
  /** Alarms standing at some time in [fromMs, toMs). */
  readonly fromMs?: number | undefined;
  readonly toMs?: number | undefined;
  readonly limit: number;
  readonly offset: number;
}

/** One alarm as the REST API answers it: the contract's row, declared once in @hazardwatch/contracts. */
export type AlarmDto = AlarmRow;

interface Row {
  id: string;
  source_key: string;
  condition: AlarmCondition;
  state: AlarmState;
  colour: WarningColour | null;
  point_id: number | null;
  enterprise: string | null;
  gateway: string | null;
  raised_ms: number;
  updated_ms: number;
  closed_ms: number | null;
  record: AlarmRecord;
  total: number;
}

const ENTERPRISE = 'coalesce(p.enterprise_code, a.enterprise)';
const MS = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;

/** What a platform alarm is about (`timescaledb/retention:readings`), shown where a point's tag is. */
function platformName(sourceKey: string): string | null {
  const source = parseSourceKey(sourceKey);
  return source?.type === 'platform' ? `${source.component}/${source.name}` : null;
}

function toDto(r: Row, site: SiteIndex | undefined): AlarmDto {
  const point = r.point_id === null ? undefined : site?.pointById(r.point_id);
  return {
    id: r.id,
    condition: r.condition,
    state: r.state,
    colour: r.colour,
    active: r.record.active,
    enterprise: r.enterprise,
    pointId: r.point_id,
    tag: point?.tag ?? platformName(r.source_key),
    hazard: point?.hazard ?? null,
    gateway: point?.gateway ?? r.gateway,
    raisedAt: r.raised_ms,
    updatedAt: r.updated_ms,
    closedAt: r.closed_ms,
    value: r.record.value,
    limit: r.record.limit,
    ackedAt: r.record.ackedAt,
    ackedBy: r.record.ackedBy,
    shelvedUntilMs: r.record.shelvedUntilMs,
    shelveReason: r.record.shelveReason,
    outOfServiceReason: r.record.outOfServiceReason,
    late: r.record.late === true,
  };
}

/** Alarms from the `alarms` table with their enterprise (via point ids, or the gateway's). */
export async function queryAlarms(
  client: SqlClient,
  site: SiteIndex | undefined,
  q: AlarmQuery,
): Promise<{ items: AlarmDto[]; total: number }> {
  if (q.enterprises?.length === 0 || q.pointIds?.length === 0) return { items: [], total: 0 };
  const { rows } = await client.query<Row>(
    `SELECT a.id, a.source_key, a.condition, a.state, a.colour, a.point_id, ${ENTERPRISE} AS enterprise, a.gateway,
            ${MS('a.raised_at')} AS raised_ms, ${MS('a.updated_at')} AS updated_ms,
            CASE WHEN a.closed_at IS NULL THEN NULL ELSE ${MS('a.closed_at')} END AS closed_ms,
            a.record, (count(*) OVER ())::int AS total
     FROM alarms a LEFT JOIN point_ids p ON p.id = a.point_id
     WHERE (NOT $1::bool OR a.closed_at IS NULL)
       AND ($2::text[] IS NULL OR ${ENTERPRISE} = ANY($2::text[]))
       AND ($3::int[] IS NULL OR a.point_id = ANY($3::int[]))
       AND ($4::text[] IS NULL OR a.colour = ANY($4::text[]))
       AND ($5::text[] IS NULL OR a.state = ANY($5::text[]))
       AND ($6::text[] IS NULL OR a.condition = ANY($6::text[]))
       AND ($7::float8 IS NULL OR a.closed_at IS NULL OR a.closed_at >= to_timestamp($7 / 1000.0))
       AND ($8::float8 IS NULL OR a.raised_at < to_timestamp($8 / 1000.0))
     ORDER BY a.raised_at DESC, a.id
     LIMIT $9 OFFSET $10`,
    [
      q.openOnly,
      q.enterprises,
      q.pointIds,
      q.colours ?? null,
      q.states ?? null,
      q.conditions ?? null,
      q.fromMs ?? null,
      q.toMs ?? null,
      q.limit,
      q.offset,
    ],
  );
  return { items: rows.map((r) => toDto(r, site)), total: rows[0]?.total ?? 0 };
}

export async function alarmById(
  client: SqlClient,
  site: SiteIndex | undefined,
  id: string,
): Promise<AlarmDto | undefined> {
  const { rows } = await client.query<Row>(
    `SELECT a.id, a.source_key, a.condition, a.state, a.colour, a.point_id, ${ENTERPRISE} AS enterprise, a.gateway,
            ${MS('a.raised_at')} AS raised_ms, ${MS('a.updated_at')} AS updated_ms,
            CASE WHEN a.closed_at IS NULL THEN NULL ELSE ${MS('a.closed_at')} END AS closed_ms, a.record, 1 AS total
     FROM alarms a LEFT JOIN point_ids p ON p.id = a.point_id WHERE a.id = $1`,
    [id],
  );
  return rows[0] ? toDto(rows[0], site) : undefined;
}

/** Enterprise of an alarm (null when its point has no enterprise on record), undefined when unknown. */
export async function alarmEnterprise(client: SqlClient, id: string): Promise<string | null | undefined> {
  const { rows } = await client.query<{ enterprise: string | null }>(
    `SELECT ${ENTERPRISE} AS enterprise FROM alarms a LEFT JOIN point_ids p ON p.id = a.point_id WHERE a.id = $1`,
    [id],
  );
  return rows[0] === undefined ? undefined : rows[0].enterprise;
}

/**
 * Routing key of a forwarded action on a platform alarm (a TimescaleDB job: no enterprise): only
 * an ingest worker owning every enterprise claims it, and that is the one raising platform alarms.
 * Not an enterprise code (those never contain `:`).
 */
export const PLATFORM_ACTION_ROUTE = 'platform:';

/**
 * Where a forwarded action on an alarm goes (`alarm_action_requests.enterprise`): its enterprise,
 * PLATFORM_ACTION_ROUTE for a platform alarm, null for an alarm of a point no longer in the site
 * model (no engine owns it), undefined when there is no such alarm.
 */
export async function alarmActionRoute(client: SqlClient, id: string): Promise<string | null | undefined> {
  const { rows } = await client.query<{ enterprise: string | null; source_key: string }>(
    `SELECT ${ENTERPRISE} AS enterprise, a.source_key FROM alarms a LEFT JOIN point_ids p ON p.id = a.point_id
     WHERE a.id = $1`,
    [id],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  if (row.enterprise !== null) return row.enterprise;
  return parseSourceKey(row.source_key)?.type === 'platform' ? PLATFORM_ACTION_ROUTE : null;
}

export async function alarmEvents(
  client: SqlClient,
  id: string,
): Promise<
  Array<{
    from: AlarmState;
    to: AlarmState;
    ts: number;
    actor: string;
    reason: string | null;
    value: number | null;
    /** Decided from replayed readings: `ts` is the source time it happened. */
    late: boolean;
  }>
> {
  const { rows } = await client.query<{
    from_state: AlarmState;
    to_state: AlarmState;
    ts_ms: number;
    actor: string;
    reason: string | null;
    value: number | null;
    late: boolean;
  }>(
    `SELECT from_state, to_state, ${MS('ts')} AS ts_ms, actor, reason, value, late FROM alarm_events WHERE alarm_id = $1 ORDER BY id`,
    [id],
  );
  return rows.map((r) => ({
    from: r.from_state,
    to: r.to_state,
    ts: r.ts_ms,
    actor: r.actor,
    reason: r.reason,
    value: r.value,
    late: r.late,
  }));
}
