import type {
  AuthorityRole,
  MonitoringChange,
  MonitoringChangeKind,
  MonitoringChangeLine,
  MonitoringChangeStatus,
  MonitoringChangeTarget,
} from '@hazardwatch/contracts';
import type { SqlClient } from './sql-client.js';

/**
 * Monitoring changes under oversight (issue #19 item 2; table `monitoring_changes`, migration 14):
 * who asked, when, what (kinds and one line per weakened field, the entity before and after), why,
 * and — for a change that waits — the edit to apply on approval and the regulator's decision.
 * A decision moves a row out of `pending` once: a second decision finds it decided.
 */

/** A stored change as the API serves it, without what only the site model knows (the point id). */
export type StoredMonitoringChange = Omit<MonitoringChange, 'pointId'>;

export interface NewMonitoringChange {
  readonly enterprise: string;
  readonly region: string | null;
  readonly targetType: MonitoringChangeTarget;
  readonly targetId: string;
  readonly lines: readonly MonitoringChangeLine[];
  readonly before: unknown;
  readonly after: unknown;
  /** What to apply on approval (a pending change); null for one that took effect. */
  readonly edit: unknown;
  readonly reason: string;
  readonly requestedBy: string;
  readonly requestedRole: AuthorityRole;
  /** ms UTC */
  readonly requestedAt: number;
  readonly status: Extract<MonitoringChangeStatus, 'applied' | 'pending'>;
  readonly siteVersion: number | null;
}

export interface MonitoringChangeDecision {
  readonly status: Extract<MonitoringChangeStatus, 'approved' | 'denied' | 'withdrawn' | 'failed'>;
  readonly decidedBy: string;
  /** ms UTC */
  readonly decidedAt: number;
  readonly note: string | null;
  readonly siteVersion: number | null;
}

/** Rows visible through either list: their enterprise, or the region stored on them. */
export interface ChangeScope {
  readonly regions: readonly string[];
  readonly enterprises: readonly string[];
}

export interface MonitoringChangeQuery {
  /** Who may see: undefined = everything (admins). */
  readonly within?: ChangeScope;
  /** A filter of the same shape (the `region` filter: the subtree's regions and enterprises). */
  readonly match?: ChangeScope;
  readonly enterprise?: string;
  /** One target's history, e.g. a point's 停用 history: `{ type: 'point', id: 'E1/AT-1101' }`. */
  readonly target?: { readonly type: MonitoringChangeTarget; readonly id: string };
  readonly statuses?: readonly MonitoringChangeStatus[];
  /** Rows containing any of these kinds. */
  readonly kinds?: readonly MonitoringChangeKind[];
  /** Requested in [fromMs, toMs), ms UTC. */
  readonly fromMs?: number;
  readonly toMs?: number;
  readonly limit: number;
  readonly offset: number;
}

interface Row {
  id: string;
  enterprise: string;
  region: string | null;
  target_type: MonitoringChangeTarget;
  target_id: string;
  kinds: MonitoringChangeKind[];
  summary: MonitoringChangeLine[];
  before: unknown;
  after: unknown;
  reason: string;
  requested_by: string;
  requested_role: AuthorityRole;
  requested_at_ms: number;
  status: MonitoringChangeStatus;
  decided_by: string | null;
  decided_at_ms: number | null;
  decision_note: string | null;
  site_version: number | null;
}

const COLUMNS = `id::text, enterprise, region, target_type, target_id, kinds, summary, before, after, reason,
  requested_by, requested_role, (extract(epoch FROM requested_at) * 1000)::float8 AS requested_at_ms, status,
  decided_by, (extract(epoch FROM decided_at) * 1000)::float8 AS decided_at_ms, decision_note, site_version`;

const toChange = (r: Row): StoredMonitoringChange => ({
  id: r.id,
  enterprise: r.enterprise,
  region: r.region,
  targetType: r.target_type,
  targetId: r.target_id,
  kinds: r.kinds,
  lines: r.summary,
  before: r.before,
  after: r.after,
  reason: r.reason,
  requestedBy: r.requested_by,
  requestedRole: r.requested_role,
  requestedAt: r.requested_at_ms,
  status: r.status,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at_ms,
  decisionNote: r.decision_note,
  siteVersion: r.site_version,
});

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));
const ID = /^[0-9]{1,18}$/;

export class MonitoringChangeRepository {
  constructor(private readonly client: SqlClient) {}

  async record(change: NewMonitoringChange, tx?: SqlClient): Promise<StoredMonitoringChange> {
    const kinds = [...new Set(change.lines.map((l) => l.kind))];
    const { rows } = await (tx ?? this.client).query<Row>(
      `INSERT INTO monitoring_changes (enterprise, region, target_type, target_id, kinds, summary, before, after,
         edit, reason, requested_by, requested_role, requested_at, status, site_version)
       VALUES ($1, $2, $3, $4, $5::text[], $6::jsonb, $7::jsonb, $8::jsonb, $9::jsonb, $10, $11, $12,
         to_timestamp($13 / 1000.0), $14, $15)
       RETURNING ${COLUMNS}`,
      [
        change.enterprise,
        change.region,
        change.targetType,
        change.targetId,
        kinds,
        JSON.stringify(change.lines),
        json(change.before),
        json(change.after),
        json(change.edit),
        change.reason,
        change.requestedBy,
        change.requestedRole,
        change.requestedAt,
        change.status,
        change.siteVersion,
      ],
    );
    return toChange(rows[0]!);
  }

  async byId(id: string): Promise<StoredMonitoringChange | undefined> {
    if (!ID.test(id)) return undefined;
    const { rows } = await this.client.query<Row>(`SELECT ${COLUMNS} FROM monitoring_changes WHERE id = $1`, [
      id,
    ]);
    return rows[0] ? toChange(rows[0]) : undefined;
  }

  /** The edit stored with a change (what approval applies); undefined when there is no such change. */
  async editOf(id: string): Promise<unknown> {
    if (!ID.test(id)) return undefined;
    const { rows } = await this.client.query<{ edit: unknown }>(
      'SELECT edit FROM monitoring_changes WHERE id = $1',
      [id],
    );
    return rows[0]?.edit ?? undefined;
  }

  /**
   * Decides a pending change; undefined when it is not pending any more (decided, withdrawn) or
   * does not exist, so two regulators deciding at once never both win.
   */
  async decide(id: string, decision: MonitoringChangeDecision): Promise<StoredMonitoringChange | undefined> {
    if (!ID.test(id)) return undefined;
    const { rows } = await this.client.query<Row>(
      `UPDATE monitoring_changes SET status = $2, decided_by = $3, decided_at = to_timestamp($4 / 1000.0),
         decision_note = $5, site_version = $6
       WHERE id = $1 AND status = 'pending'
       RETURNING ${COLUMNS}`,
      [id, decision.status, decision.decidedBy, decision.decidedAt, decision.note, decision.siteVersion],
    );
    return rows[0] ? toChange(rows[0]) : undefined;
  }

  /** Newest first. */
  async query(q: MonitoringChangeQuery): Promise<{ items: StoredMonitoringChange[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (n: number) => string, value: unknown): void => {
      params.push(value);
      where.push(sql(params.length));
    };
    const scoped = (scope: ChangeScope): void => {
      params.push([...scope.regions], [...scope.enterprises]);
      where.push(
        `(region = ANY($${params.length - 1}::text[]) OR enterprise = ANY($${params.length}::text[]))`,
      );
    };
    if (q.within !== undefined) scoped(q.within);
    if (q.match !== undefined) scoped(q.match);
    if (q.enterprise !== undefined) add((n) => `enterprise = $${n}`, q.enterprise);
    if (q.target !== undefined) {
      add((n) => `target_type = $${n}`, q.target.type);
      add((n) => `target_id = $${n}`, q.target.id);
    }
    if (q.statuses !== undefined && q.statuses.length > 0)
      add((n) => `status = ANY($${n}::text[])`, [...q.statuses]);
    if (q.kinds !== undefined && q.kinds.length > 0) add((n) => `kinds && $${n}::text[]`, [...q.kinds]);
    if (q.fromMs !== undefined) add((n) => `requested_at >= to_timestamp($${n} / 1000.0)`, q.fromMs);
    if (q.toMs !== undefined) add((n) => `requested_at < to_timestamp($${n} / 1000.0)`, q.toMs);
    params.push(q.limit, q.offset);
    const { rows } = await this.client.query<Row & { total: number }>(
      `SELECT ${COLUMNS}, (count(*) OVER ())::int AS total FROM monitoring_changes
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY requested_at DESC, monitoring_changes.id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return { items: rows.map(toChange), total: rows[0]?.total ?? 0 };
  }

  /**
   * The change that took each point of `enterprises` out of use (停用), keyed `enterprise/tag`: the
   * latest applied or approved change containing a disable, and since when (its decision, else its
   * request, ms UTC), for showing an out-of-service point with the record behind it. A point
   * disabled with no record (a site file import) has none.
   */
  async disablingChanges(
    enterprises: readonly string[] | null,
  ): Promise<Map<string, { readonly id: string; readonly sinceMs: number }>> {
    const { rows } = await this.client.query<{ target_id: string; id: string; since_ms: number }>(
      `SELECT DISTINCT ON (target_id) target_id, id::text,
              (extract(epoch FROM coalesce(decided_at, requested_at)) * 1000)::float8 AS since_ms
       FROM monitoring_changes
       WHERE target_type = 'point' AND status IN ('applied', 'approved')
         AND kinds && ARRAY['monitoring.point.disable', 'monitoring.gas-detector.disable']::text[]
         AND ($1::text[] IS NULL OR enterprise = ANY($1::text[]))
       ORDER BY target_id, coalesce(decided_at, requested_at) DESC, monitoring_changes.id DESC`,
      [enterprises === null ? null : [...enterprises]],
    );
    return new Map(rows.map((r) => [r.target_id, { id: r.id, sinceMs: r.since_ms }]));
  }

  /** Enterprise and stored region of a change (the scope guard); undefined when there is none. */
  async scopeOf(id: string): Promise<{ enterprise: string; region: string | null } | undefined> {
    if (!ID.test(id)) return undefined;
    const { rows } = await this.client.query<{ enterprise: string; region: string | null }>(
      'SELECT enterprise, region FROM monitoring_changes WHERE id = $1',
      [id],
    );
    return rows[0];
  }
}
