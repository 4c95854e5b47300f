import type { WarningColour, WarningRow, WarningState } from '@hazardwatch/contracts';
import type { SqlClient } from './sql-client.js';

export interface WarningQuery {
  readonly openOnly: boolean;
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
const COLUMNS = `id, enterprise, hazard, colour, state, record->>'level' AS level, ${MS('opened_at')} AS opened_ms, ${MS('updated_at')} AS updated_ms,
  CASE WHEN closed_at IS NULL THEN NULL ELSE ${MS('closed_at')} END AS closed_ms`;

const toDto = (r: Row): WarningDto => ({
  id: r.id,
  enterprise: r.enterprise,
  hazard: r.hazard,
  // The engine writes only the four colours and WARNING_STATES to these text columns.
  colour: r.colour as WarningColour,
  state: r.state as WarningState,
  level: r.level,
  openedAt: r.opened_ms,
  updatedAt: r.updated_ms,
  closedAt: r.closed_ms,
});

/** 预警 from the `warnings` table, newest first; time filter = open at some time in [from, to). */
export async function queryWarnings(
  client: SqlClient,
  q: WarningQuery,
): Promise<{ items: WarningDto[]; total: number }> {
  if (q.enterprises?.length === 0) return { items: [], total: 0 };
  const { rows } = await client.query<Row>(
    `SELECT ${COLUMNS}, (count(*) OVER ())::int AS total FROM warnings
     WHERE (NOT $1::bool OR closed_at IS NULL)
       AND ($2::text[] IS NULL OR enterprise = ANY($2::text[]))
       AND ($3::text IS NULL OR hazard = $3)
       AND ($4::text[] IS NULL OR colour = ANY($4::text[]))
       AND ($5::text[] IS NULL OR state = ANY($5::text[]))
       AND ($6::float8 IS NULL OR closed_at IS NULL OR closed_at >= to_timestamp($6 / 1000.0))
       AND ($7::float8 IS NULL OR opened_at < to_timestamp($7 / 1000.0))
     ORDER BY opened_at DESC, id LIMIT $8 OFFSET $9`,
    [
      q.openOnly,
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
