import type { SqlClient } from './sql-client.js';

export interface PointKey {
  enterprise: string;
  tag: string;
}

/** Map key of a point: NUL cannot occur in an enterprise code or tag, so it cannot collide. */
export function pointKey(enterprise: string, tag: string): string {
  return `${enterprise}\u0000${tag}`;
}

// Only missing keys are inserted: ON CONFLICT alone would burn a sequence value per known key on
// every call, and ids are meant to stay dense.
const ENSURE_SQL = `
  WITH k AS (SELECT DISTINCT e, t FROM unnest($1::text[], $2::text[]) AS k(e, t)),
  ins AS (
    INSERT INTO point_ids (enterprise_code, tag)
    SELECT e, t FROM k
    WHERE NOT EXISTS (SELECT 1 FROM point_ids p WHERE p.enterprise_code = k.e AND p.tag = k.t)
    ORDER BY e, t
    ON CONFLICT (enterprise_code, tag) DO NOTHING
    RETURNING id, enterprise_code, tag
  )
  SELECT id, enterprise_code, tag FROM ins
  UNION ALL
  SELECT p.id, p.enterprise_code, p.tag FROM point_ids p JOIN k ON p.enterprise_code = k.e AND p.tag = k.t`;

const SELECT_SQL = `
  SELECT p.id, p.enterprise_code, p.tag
  FROM point_ids p JOIN unnest($1::text[], $2::text[]) AS k(e, t) ON p.enterprise_code = k.e AND p.tag = k.t`;

interface PointIdRow {
  id: number;
  enterprise_code: string;
  tag: string;
}

/**
 * Numeric id for each (enterprise, tag), creating missing ones in one statement. Ids are stable
 * across restarts (they are rows, not process state). Keyed by `pointKey(enterprise, tag)`.
 */
export async function ensurePointIds(
  client: SqlClient,
  keys: readonly PointKey[],
): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  if (keys.length === 0) return result;
  const enterprises = keys.map((k) => k.enterprise);
  const tags = keys.map((k) => k.tag);
  const collect = (rows: PointIdRow[]): void => {
    for (const r of rows) result.set(pointKey(r.enterprise_code, r.tag), r.id);
  };
  collect((await client.query<PointIdRow>(ENSURE_SQL, [enterprises, tags])).rows);
  // A concurrent caller that inserted the same key first is invisible to our statement's snapshot.
  if (new Set(keys.map((k) => pointKey(k.enterprise, k.tag))).size > result.size) {
    collect((await client.query<PointIdRow>(SELECT_SQL, [enterprises, tags])).rows);
  }
  return result;
}

/** Every known point id, e.g. to warm an in-memory cache at start-up. */
export async function loadPointIds(client: SqlClient): Promise<Map<string, number>> {
  const { rows } = await client.query<PointIdRow>('SELECT id, enterprise_code, tag FROM point_ids');
  return new Map(rows.map((r) => [pointKey(r.enterprise_code, r.tag), r.id]));
}
