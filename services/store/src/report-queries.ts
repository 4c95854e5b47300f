/**
 * What a duty report (日报 / 周报 / 月报, issue #21; docs/reports.md) reads from the store: alarms
 * raised in a period grouped per source, condition and colour; the 预警 standing in it with their
 * loop events; the events of the gateway-offline alarms standing in it. Aggregation is core's
 * (`reportAlarms`, `reportWarnings`, `reportOnline`); these only read, bounded by the period.
 */
import type {
  AlarmCondition,
  AlarmState,
  WarningColour,
  WarningEventType,
  WarningState,
} from '@hazardwatch/contracts';
import type { ReportAlarmGroup, ReportOfflineEvent, ReportWarningInput } from '@hazardwatch/core';
import type { SqlClient } from './sql-client.js';

const MS = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;
const ENTERPRISE = 'coalesce(p.enterprise_code, a.enterprise)';

/**
 * Alarms raised in [fromMs, toMs) of these enterprises (their points and gateways), counted per
 * enterprise, source, condition and colour. Platform alarms have no enterprise and never match.
 */
export async function reportAlarmGroups(
  client: SqlClient,
  enterprises: readonly string[],
  fromMs: number,
  toMs: number,
): Promise<ReportAlarmGroup[]> {
  if (enterprises.length === 0) return [];
  const { rows } = await client.query<{
    enterprise: string;
    point_id: number | null;
    gateway: string | null;
    condition: AlarmCondition;
    colour: WarningColour | null;
    n: number;
  }>(
    `SELECT ${ENTERPRISE} AS enterprise, a.point_id, a.gateway, a.condition, a.colour, count(*)::int AS n
       FROM alarms a LEFT JOIN point_ids p ON p.id = a.point_id
      WHERE a.raised_at >= to_timestamp($2 / 1000.0) AND a.raised_at < to_timestamp($3 / 1000.0)
        AND ${ENTERPRISE} = ANY($1::text[])
      GROUP BY 1, 2, 3, 4, 5`,
    [enterprises, fromMs, toMs],
  );
  return rows.map((r) => ({
    enterprise: r.enterprise,
    pointId: r.point_id,
    gateway: r.gateway,
    condition: r.condition,
    colour: r.colour,
    count: r.n,
  }));
}

/**
 * 预警 of these enterprises standing at some time in [fromMs, toMs) (opened before its end, not
 * closed before its start), each with its loop events in order (type, time, a 督办's deadline).
 */
export async function reportWarningInputs(
  client: SqlClient,
  enterprises: readonly string[],
  fromMs: number,
  toMs: number,
): Promise<ReportWarningInput[]> {
  if (enterprises.length === 0) return [];
  const { rows } = await client.query<{
    id: string;
    enterprise: string;
    hazard: string | null;
    colour: WarningColour;
    state: WarningState;
    opened_ms: number;
    closed_ms: number | null;
    events: Array<{ type: WarningEventType; ts: number; deadline: unknown }> | null;
  }>(
    `SELECT w.id, w.enterprise, w.hazard, w.colour, w.state, ${MS('w.opened_at')} AS opened_ms,
            CASE WHEN w.closed_at IS NULL THEN NULL ELSE ${MS('w.closed_at')} END AS closed_ms,
            (SELECT json_agg(json_build_object('type', e.type, 'ts', ${MS('e.ts')}, 'deadline', e.detail->'deadline')
                             ORDER BY e.id)
               FROM warning_events e WHERE e.warning_id = w.id) AS events
       FROM warnings w
      WHERE w.enterprise = ANY($1::text[])
        AND w.opened_at < to_timestamp($3 / 1000.0)
        AND (w.closed_at IS NULL OR w.closed_at >= to_timestamp($2 / 1000.0))
      ORDER BY w.opened_at, w.id`,
    [enterprises, fromMs, toMs],
  );
  return rows.map((r) => ({
    id: r.id,
    enterprise: r.enterprise,
    hazard: r.hazard,
    colour: r.colour,
    state: r.state,
    openedAt: r.opened_ms,
    closedAt: r.closed_ms,
    events: (r.events ?? []).map((e) => ({
      type: e.type,
      ts: e.ts,
      deadline: typeof e.deadline === 'number' && Number.isFinite(e.deadline) ? e.deadline : null,
    })),
  }));
}

/**
 * Events before `toMs` of the GATEWAY_OFFLINE alarms of these enterprises standing at some time in
 * [fromMs, toMs), in time order (events before the period too: they say since when).
 */
export async function reportOfflineEvents(
  client: SqlClient,
  enterprises: readonly string[],
  fromMs: number,
  toMs: number,
): Promise<ReportOfflineEvent[]> {
  if (enterprises.length === 0) return [];
  const { rows } = await client.query<{
    alarm_id: string;
    enterprise: string;
    gateway: string;
    from_state: AlarmState;
    to_state: AlarmState;
    ts_ms: number;
  }>(
    `SELECT e.alarm_id, a.enterprise, a.gateway, e.from_state, e.to_state, ${MS('e.ts')} AS ts_ms
       FROM alarms a JOIN alarm_events e ON e.alarm_id = a.id
      WHERE a.condition = 'GATEWAY_OFFLINE' AND a.enterprise = ANY($1::text[]) AND a.gateway IS NOT NULL
        AND a.raised_at < to_timestamp($3 / 1000.0)
        AND (a.closed_at IS NULL OR a.closed_at >= to_timestamp($2 / 1000.0))
        AND e.ts < to_timestamp($3 / 1000.0)
      ORDER BY e.ts, e.id`,
    [enterprises, fromMs, toMs],
  );
  return rows.map((r) => ({
    alarmId: r.alarm_id,
    enterprise: r.enterprise,
    gateway: r.gateway,
    from: r.from_state,
    to: r.to_state,
    ts: r.ts_ms,
  }));
}
