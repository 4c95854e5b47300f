import type {
  AuthorityRole,
  Handover,
  HandoverDesk,
  HandoverSnapshot,
  HandoverStatus,
} from '@hazardwatch/contracts';
import type { SqlClient } from './sql-client.js';

/**
 * The shift handover log, 交接班记录 (issue #21; table `handovers`, migration 17; docs/handover.md).
 * A handover is recorded pending with the outgoing person's notes and the snapshot the API took;
 * the incoming person accepts it once. The database refuses a second pending handover of a desk,
 * an acceptance by the outgoing user, and any other change of a row.
 */

export interface NewHandover {
  readonly desk: HandoverDesk;
  readonly region: string | null;
  readonly outgoingUser: string;
  readonly outgoingRole: AuthorityRole;
  readonly notes: string;
  /** ms UTC */
  readonly createdAt: number;
  readonly snapshot: HandoverSnapshot;
}

export interface HandoverAcceptance {
  readonly incomingUser: string;
  readonly incomingRole: AuthorityRole;
  /** ms UTC */
  readonly acceptedAt: number;
  readonly note: string | null;
}

/** Desks visible: enterprise desks of these enterprises (or stored in these regions), region desks of these regions. */
export interface HandoverScope {
  readonly enterprises: readonly string[];
  readonly regions: readonly string[];
}

export interface HandoverQuery {
  /** Who may see: undefined = everything (admins). */
  readonly within?: HandoverScope;
  /** One desk's records (an enterprise's or a region's code). */
  readonly desk?: string;
  /** Handed over or taken over by this user. */
  readonly user?: string;
  /** Substring of the notes or the acceptance note (case-insensitive; `%` and `_` are literal). */
  readonly text?: string;
  readonly statuses?: readonly HandoverStatus[];
  /** Handed over in [fromMs, toMs), ms UTC. */
  readonly fromMs?: number;
  readonly toMs?: number;
  readonly limit: number;
  readonly offset: number;
}

export type HandoverRecordOutcome =
  | { readonly ok: true; readonly handover: Handover }
  /** The desk already has a pending handover: it must be accepted first. */
  | { readonly ok: false; readonly pendingId: string };

interface Row {
  id: string;
  desk_kind: HandoverDesk['kind'];
  desk_code: string;
  region: string | null;
  outgoing_user: string;
  outgoing_role: AuthorityRole;
  notes: string;
  created_at_ms: number;
  snapshot: HandoverSnapshot;
  status: HandoverStatus;
  incoming_user: string | null;
  incoming_role: AuthorityRole | null;
  accepted_at_ms: number | null;
  accept_note: string | null;
}

const COLUMNS = `id::text, desk_kind, desk_code, region, outgoing_user, outgoing_role, notes,
  (extract(epoch FROM created_at) * 1000)::float8 AS created_at_ms, snapshot, status, incoming_user, incoming_role,
  (extract(epoch FROM accepted_at) * 1000)::float8 AS accepted_at_ms, accept_note`;

const toHandover = (r: Row): Handover => ({
  id: r.id,
  desk: { kind: r.desk_kind, code: r.desk_code },
  region: r.region,
  outgoingUser: r.outgoing_user,
  outgoingRole: r.outgoing_role,
  notes: r.notes,
  createdAt: r.created_at_ms,
  snapshot: r.snapshot,
  status: r.status,
  incomingUser: r.incoming_user,
  incomingRole: r.incoming_role,
  acceptedAt: r.accepted_at_ms,
  acceptNote: r.accept_note,
});

const ID = /^[0-9]{1,18}$/;
/** A LIKE pattern matching `text` literally anywhere. */
const contains = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export class HandoverRepository {
  constructor(private readonly client: SqlClient) {}

  /** Records a pending handover, or names the desk's pending one (nothing is written then). */
  async record(h: NewHandover): Promise<HandoverRecordOutcome> {
    const { rows } = await this.client.query<Row>(
      `INSERT INTO handovers (desk_kind, desk_code, region, outgoing_user, outgoing_role, notes, created_at,
         snapshot, status)
       VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7 / 1000.0), $8::jsonb, 'pending')
       ON CONFLICT (desk_kind, desk_code) WHERE status = 'pending' DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        h.desk.kind,
        h.desk.code,
        h.region,
        h.outgoingUser,
        h.outgoingRole,
        h.notes,
        h.createdAt,
        JSON.stringify(h.snapshot),
      ],
    );
    if (rows[0]) return { ok: true, handover: toHandover(rows[0]) };
    const pending = await this.pendingOf(h.desk);
    // Accepted between the insert and this read: the desk is free again; try once more.
    return pending === undefined ? this.record(h) : { ok: false, pendingId: pending.id };
  }

  /** The desk's pending handover, if any. */
  async pendingOf(desk: HandoverDesk): Promise<Handover | undefined> {
    const { rows } = await this.client.query<Row>(
      `SELECT ${COLUMNS} FROM handovers WHERE desk_kind = $1 AND desk_code = $2 AND status = 'pending'`,
      [desk.kind, desk.code],
    );
    return rows[0] ? toHandover(rows[0]) : undefined;
  }

  async byId(id: string): Promise<Handover | undefined> {
    if (!ID.test(id)) return undefined;
    const { rows } = await this.client.query<Row>(`SELECT ${COLUMNS} FROM handovers WHERE id = $1`, [id]);
    return rows[0] ? toHandover(rows[0]) : undefined;
  }

  /**
   * Accepts a pending handover; undefined when it is not pending (accepted already, or no such
   * record) or the incoming user is the outgoing one, so two people accepting at once never both
   * win. The caller tells these apart by reading the record.
   */
  async accept(id: string, a: HandoverAcceptance): Promise<Handover | undefined> {
    if (!ID.test(id)) return undefined;
    const { rows } = await this.client.query<Row>(
      `UPDATE handovers SET status = 'accepted', incoming_user = $2, incoming_role = $3,
         accepted_at = to_timestamp($4 / 1000.0), accept_note = $5
       WHERE id = $1 AND status = 'pending' AND outgoing_user <> $2
       RETURNING ${COLUMNS}`,
      [id, a.incomingUser, a.incomingRole, a.acceptedAt, a.note],
    );
    return rows[0] ? toHandover(rows[0]) : undefined;
  }

  /** Newest first. */
  async query(q: HandoverQuery): Promise<{ items: Handover[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (n: number) => string, value: unknown): void => {
      params.push(value);
      where.push(sql(params.length));
    };
    if (q.within !== undefined) {
      params.push([...q.within.enterprises], [...q.within.regions]);
      const e = params.length - 1;
      const r = params.length;
      where.push(
        `((desk_kind = 'enterprise' AND (desk_code = ANY($${e}::text[]) OR region = ANY($${r}::text[])))
          OR (desk_kind = 'region' AND desk_code = ANY($${r}::text[])))`,
      );
    }
    if (q.desk !== undefined) add((n) => `desk_code = $${n}`, q.desk);
    if (q.user !== undefined) add((n) => `(outgoing_user = $${n} OR incoming_user = $${n})`, q.user);
    if (q.text !== undefined) add((n) => `(notes ILIKE $${n} OR accept_note ILIKE $${n})`, contains(q.text));
    if (q.statuses !== undefined && q.statuses.length > 0)
      add((n) => `status = ANY($${n}::text[])`, [...q.statuses]);
    if (q.fromMs !== undefined) add((n) => `created_at >= to_timestamp($${n} / 1000.0)`, q.fromMs);
    if (q.toMs !== undefined) add((n) => `created_at < to_timestamp($${n} / 1000.0)`, q.toMs);
    params.push(q.limit, q.offset);
    const { rows } = await this.client.query<Row & { total: number }>(
      `SELECT ${COLUMNS}, (count(*) OVER ())::int AS total FROM handovers
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, handovers.id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return { items: rows.map(toHandover), total: rows[0]?.total ?? 0 };
  }
}
