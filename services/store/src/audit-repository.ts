import type { SqlClient } from './sql-client.js';

export interface AuditEntry {
  /** ms since epoch */
  readonly ts: number;
  /** Username (or `system`). */
  readonly actor: string;
  /** Dotted verb, e.g. `auth.login`, `alarm.ack`, `warning.sign`, `site.import`. */
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string | null;
  readonly before?: unknown;
  readonly after?: unknown;
  /** Client address as the API saw it (after trusted proxies). */
  readonly ip: string | null;
  /** Region and enterprise the entry belongs to, for scoped reading by regulators. */
  readonly scopeRegion: string | null;
  readonly scopeEnterprise: string | null;
}

export interface StoredAuditEntry extends AuditEntry {
  readonly id: number;
  readonly before: unknown;
  readonly after: unknown;
}

export interface AuditQuery {
  /** Inclusive, ms. */
  readonly fromMs?: number;
  /** Exclusive, ms. */
  readonly toMs?: number;
  readonly actor?: string;
  /** Exact action, or a prefix ending in `.` (`alarm.`). */
  readonly action?: string;
  readonly targetType?: string;
  readonly targetId?: string;
  /**
   * Restrict to entries whose scope region is in `regions` or whose scope enterprise is in
   * `enterprises`. Undefined = no restriction (admins).
   */
  readonly within?: { readonly regions: readonly string[]; readonly enterprises: readonly string[] };
  readonly limit: number;
  readonly offset: number;
}

interface Row {
  id: string;
  ts_ms: number;
  actor: string;
  action: string;
  target_type: string;
  target_id: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  scope_region: string | null;
  scope_enterprise: string | null;
  total: number;
}

/** The append-only audit log (the table refuses UPDATE). Newest entries first when read. */
export class AuditRepository {
  constructor(private readonly client: SqlClient) {}

  async append(entry: AuditEntry, tx?: SqlClient): Promise<number> {
    const { rows } = await (tx ?? this.client).query<{ id: string }>(
      `INSERT INTO audit_log (ts, actor, action, target_type, target_id, before, after, ip, scope_region, scope_enterprise)
       VALUES (to_timestamp($1 / 1000.0), $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10) RETURNING id::text`,
      [
        entry.ts,
        entry.actor,
        entry.action,
        entry.targetType,
        entry.targetId,
        toJson(entry.before),
        toJson(entry.after),
        entry.ip,
        entry.scopeRegion,
        entry.scopeEnterprise,
      ],
    );
    return Number(rows[0]!.id);
  }

  /**
   * Deletes entries older than `beforeMs` (ms since epoch, exclusive) in batches, so a first prune
   * of a long backlog never holds one huge delete; the number deleted. Callers keep at least the
   * legal minimum (Cybersecurity Law art. 21: network logs ≥ 6 months).
   */
  async pruneBefore(beforeMs: number, batchSize = 10_000): Promise<number> {
    let total = 0;
    for (;;) {
      const { rows } = await this.client.query<{ n: number }>(
        `WITH gone AS (
           DELETE FROM audit_log WHERE id IN (
             SELECT id FROM audit_log WHERE ts < to_timestamp($1 / 1000.0) LIMIT $2
           ) RETURNING 1
         )
         SELECT count(*)::int AS n FROM gone`,
        [beforeMs, batchSize],
      );
      const n = rows[0]?.n ?? 0;
      total += n;
      if (n < batchSize) return total;
    }
  }

  async query(q: AuditQuery): Promise<{ items: StoredAuditEntry[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (n: number) => string, value: unknown): void => {
      params.push(value);
      where.push(sql(params.length));
    };
    if (q.fromMs !== undefined) add((n) => `ts >= to_timestamp($${n} / 1000.0)`, q.fromMs);
    if (q.toMs !== undefined) add((n) => `ts < to_timestamp($${n} / 1000.0)`, q.toMs);
    if (q.actor !== undefined) add((n) => `actor = $${n}`, q.actor);
    if (q.action !== undefined) {
      if (q.action.endsWith('.')) add((n) => `starts_with(action, $${n})`, q.action);
      else add((n) => `action = $${n}`, q.action);
    }
    if (q.targetType !== undefined) add((n) => `target_type = $${n}`, q.targetType);
    if (q.targetId !== undefined) add((n) => `target_id = $${n}`, q.targetId);
    if (q.within !== undefined) {
      params.push([...q.within.regions], [...q.within.enterprises]);
      where.push(
        `(scope_region = ANY($${params.length - 1}::text[]) OR scope_enterprise = ANY($${params.length}::text[]))`,
      );
    }
    params.push(q.limit, q.offset);
    const { rows } = await this.client.query<Row>(
      `SELECT id::text, (extract(epoch FROM ts) * 1000)::float8 AS ts_ms, actor, action, target_type, target_id,
              before, after, ip, scope_region, scope_enterprise, (count(*) OVER ())::int AS total
       FROM audit_log ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY audit_log.ts DESC, audit_log.id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return {
      items: rows.map((r) => ({
        id: Number(r.id),
        ts: r.ts_ms,
        actor: r.actor,
        action: r.action,
        targetType: r.target_type,
        targetId: r.target_id,
        before: r.before,
        after: r.after,
        ip: r.ip,
        scopeRegion: r.scope_region,
        scopeEnterprise: r.scope_enterprise,
      })),
      total: rows[0]?.total ?? 0,
    };
  }
}

const toJson = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));
