import type { WarningColour, WarningEvent as ContractWarningEvent } from '@hazardwatch/contracts';
import type { WarningEvent, WarningRecord } from '@hazardwatch/core';
import type { SqlClient } from './sql-client.js';

/** What one step of the warning desk produced. */
export interface WarningWrite {
  readonly events: readonly WarningEvent[];
  /** Current records of the warnings the events touched that are still open. */
  readonly openRecords: ReadonlyMap<string, WarningRecord>;
}

/**
 * 预警 and their append-only events. The warnings row is derived from the events (state, colour,
 * times) plus the open record, so a warning opened and closed within one step is stored too.
 */
export class WarningRepository {
  constructor(private readonly client: SqlClient) {}

  async write(batch: WarningWrite, tx?: SqlClient): Promise<void> {
    if (batch.events.length === 0) return;
    const run = async (t: SqlClient): Promise<void> => {
      const rows = rowsFrom(batch);
      await t.query(
        `INSERT INTO warnings (id, enterprise, hazard, colour, state, opened_at, updated_at, closed_at, record)
         SELECT id, e, h, c, s, to_timestamp(o / 1000.0), to_timestamp(u / 1000.0),
                CASE WHEN s = 'closed' THEN to_timestamp(u / 1000.0) END, r
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::jsonb[])
           AS x(id, e, h, c, s, o, u, r)
         ON CONFLICT (id) DO UPDATE SET colour = excluded.colour, state = excluded.state, updated_at = excluded.updated_at,
           closed_at = excluded.closed_at, record = excluded.record`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.enterprise),
          rows.map((r) => r.hazard),
          rows.map((r) => r.colour),
          rows.map((r) => r.state),
          rows.map((r) => r.openedAt),
          rows.map((r) => r.updatedAt),
          rows.map((r) => (r.record ? JSON.stringify(r.record) : null)),
        ],
      );
      const events = batch.events;
      await t.query(
        `INSERT INTO warning_events (warning_id, type, from_state, to_state, ts, actor, colour, level, detail)
         SELECT w, ty, f, t, to_timestamp(ts / 1000.0), a, c, l, d
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::text[], $7::text[], $8::text[], $9::jsonb[])
           AS x(w, ty, f, t, ts, a, c, l, d)`,
        [
          events.map((e) => e.warningId),
          events.map((e) => e.type),
          events.map((e) => e.from),
          events.map((e) => e.to),
          events.map((e) => e.ts),
          events.map((e) => e.actor),
          events.map((e) => e.colour),
          events.map((e) => e.level),
          events.map((e) => JSON.stringify(detailOf(e))),
        ],
      );
    };
    if (tx) await run(tx);
    else await this.client.transaction(run);
  }

  /** Open warnings' records, to reload the desk after a restart. */
  async openRecords(): Promise<WarningRecord[]> {
    const { rows } = await this.client.query<{ record: WarningRecord }>(
      'SELECT record FROM warnings WHERE closed_at IS NULL AND record IS NOT NULL ORDER BY opened_at, id',
    );
    return rows.map((r) => r.record);
  }

  /** Every event of one 预警, oldest first, with who, when and what they wrote (REST shape). */
  async events(warningId: string): Promise<WarningEventDto[]> {
    const { rows } = await this.client.query<EventRow>(
      `SELECT type, from_state, to_state, (extract(epoch FROM ts) * 1000)::float8 AS ts_ms, actor, colour, level, detail
       FROM warning_events WHERE warning_id = $1 ORDER BY id`,
      [warningId],
    );
    return rows.map(eventDto);
  }
}

/** One stored event as the REST contract answers it. */
export type WarningEventDto = ContractWarningEvent;

interface EventRow {
  type: string;
  from_state: string | null;
  to_state: string;
  ts_ms: number;
  actor: string;
  colour: string;
  level: string;
  detail: Record<string, unknown> | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The engine writes only the contract's vocabularies to these columns (core WarningEvent); the
 * detail is the event's optional part (detailOf). Rows from before issue #19 lack party, deadline.
 */
function eventDto(r: EventRow): WarningEventDto {
  const d = r.detail ?? {};
  const ids = Array.isArray(d['causeAlarmIds'])
    ? d['causeAlarmIds'].filter((x) => typeof x === 'string')
    : [];
  const forced = d['forced'];
  return {
    type: r.type as WarningEventDto['type'],
    from: r.from_state as WarningEventDto['from'],
    to: r.to_state as WarningEventDto['to'],
    ts: r.ts_ms,
    actor: r.actor,
    party: str(d['party']) as WarningEventDto['party'],
    level: r.level as WarningEventDto['level'],
    colour: r.colour as WarningColour,
    previousColour: str(d['previousColour']) as WarningColour | null,
    text: str(d['text']),
    deadline: num(d['deadline']),
    step: str(d['step']) as WarningEventDto['step'],
    forced: typeof forced === 'boolean' ? forced : null,
    causeAlarmIds: ids,
  };
}

interface WarningRow {
  id: string;
  enterprise: string;
  hazard: string | null;
  colour: string;
  state: string;
  openedAt: number;
  updatedAt: number;
  record: WarningRecord | null;
}

function rowsFrom(batch: WarningWrite): WarningRow[] {
  const rows = new Map<string, WarningRow>();
  for (const e of batch.events) {
    const row = rows.get(e.warningId);
    const record = batch.openRecords.get(e.warningId) ?? null;
    rows.set(e.warningId, {
      id: e.warningId,
      enterprise: e.enterprise,
      hazard: e.hazard,
      colour: e.colour,
      state: e.to,
      openedAt: record?.openedAt ?? row?.openedAt ?? e.ts,
      updatedAt: e.ts,
      record: e.to === 'closed' ? null : record,
    });
  }
  // Closed first, so a subject's next warning never meets the one-open-warning index early.
  return [...rows.values()].sort((a, b) => Number(a.state !== 'closed') - Number(b.state !== 'closed'));
}

function detailOf(e: WarningEvent): Record<string, unknown> {
  const {
    warningId: _w,
    enterprise: _e,
    hazard: _h,
    type: _t,
    from: _f,
    to: _to,
    ts: _ts,
    actor: _a,
    colour: _c,
    level: _l,
    ...rest
  } = e;
  return rest;
}
