import type { AlarmCondition, AlarmState, WarningColour } from '@hazardwatch/contracts';
import type { SqlClient } from '@hazardwatch/store';

/** One stored alarm event (`alarm_events` row) with its id. */
export interface LoggedAlarmEvent {
  readonly id: number;
  readonly alarmId: string;
  readonly sourceKey: string;
  readonly pointId: number | null;
  readonly condition: AlarmCondition;
  readonly from: AlarmState;
  readonly to: AlarmState;
  readonly ts: number;
  readonly actor: string;
  readonly reason: string | null;
  readonly value: number | null;
  readonly colour: WarningColour | null;
}

interface Row {
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
}

/**
 * Reads the append-only `alarm_events` table by id: its bigserial id is the live event id, the
 * cursor clients replay from after a reconnect, and what the gateway tails to learn the ids of
 * events the engine has just stored.
 */
export class AlarmEventLog {
  constructor(private readonly client: SqlClient) {}

  /** Largest stored id (0 when empty). */
  async lastId(): Promise<number> {
    const { rows } = await this.client.query<{ id: string }>(
      'SELECT coalesce(max(id), 0)::text AS id FROM alarm_events',
    );
    return Number(rows[0]?.id ?? 0);
  }

  /** Events with id > `afterId`, in id order, at most `limit`. */
  async after(afterId: number, limit: number): Promise<LoggedAlarmEvent[]> {
    const { rows } = await this.client.query<Row>(
      `SELECT id::text, alarm_id, source_key, condition, from_state, to_state,
         (extract(epoch FROM ts) * 1000)::float8 AS ts_ms, actor, reason, value, colour
       FROM alarm_events WHERE id > $1 ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      alarmId: r.alarm_id,
      sourceKey: r.source_key,
      pointId: r.source_key.startsWith('point:') ? Number(r.source_key.slice('point:'.length)) : null,
      condition: r.condition,
      from: r.from_state,
      to: r.to_state,
      ts: r.ts_ms,
      actor: r.actor,
      reason: r.reason,
      value: r.value,
      colour: r.colour,
    }));
  }
}
