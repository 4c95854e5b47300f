import type { SqlClient } from './sql-client.js';
import type { DeliveryRecipient, NotificationDelivery } from '@hazardwatch/contracts';

/** One delivery to write: a notification (payload) to one recipient over one channel. */
export interface OutboxEnqueueItem {
  readonly channel: string;
  readonly payload: unknown;
  /** The 预警 it belongs to (deliveriesOf({ warningId })). */
  readonly warningId?: string | null;
  /** The alarm it belongs to (fire-control-room deliveries, deliveriesOf({ alarmId })). */
  readonly alarmId?: string | null;
  /** opened, upgraded, escalated, reminder, urged, closed, summary, fire_control … */
  readonly kind?: string | null;
  readonly recipient?: DeliveryRecipient | null;
  /** Recorded as failed at once with this reason (never attempted). */
  readonly failedReason?: string;
}

export interface OutboxItem {
  readonly id: number;
  readonly channel: string;
  readonly payload: unknown;
  readonly attempts: number;
  readonly createdAtMs: number;
}

interface Row {
  id: string;
  channel: string;
  payload: unknown;
  attempts: number;
  created_at_ms: number;
}

/**
 * The notification outbox: notifications are written in the same transaction as the alarm or
 * warning events that caused them, then delivered by a worker. Claiming uses FOR UPDATE SKIP
 * LOCKED with a lease (next_attempt_at pushed forward), so several workers never deliver the same
 * item at once and a worker that dies mid-delivery only delays it by the lease.
 */
export class NotificationOutbox {
  constructor(private readonly client: SqlClient) {}

  /**
   * Writes deliveries (one row = one notification to one recipient over one channel). An item
   * with `failedReason` is recorded as already failed (e.g. a recipient no channel reaches), so
   * the 预警 record never pretends someone was told.
   */
  async enqueue(
    items: readonly OutboxEnqueueItem[],
    nowMs: number,
    tx: SqlClient = this.client,
  ): Promise<void> {
    if (items.length === 0) return;
    await tx.query(
      `INSERT INTO notification_outbox
         (channel, payload, warning_id, alarm_id, kind, recipient, last_error, failed_at, created_at, next_attempt_at)
       SELECT c, p, w, a, k, r, f, CASE WHEN f IS NULL THEN NULL ELSE to_timestamp($8 / 1000.0) END,
         to_timestamp($8 / 1000.0), to_timestamp($8 / 1000.0)
       FROM unnest($1::text[], $2::jsonb[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[])
         AS t(c, p, w, a, k, r, f)`,
      [
        items.map((i) => i.channel),
        items.map((i) => JSON.stringify(i.payload)),
        items.map((i) => i.warningId ?? null),
        items.map((i) => i.alarmId ?? null),
        items.map((i) => i.kind ?? null),
        items.map((i) => (i.recipient ? JSON.stringify(i.recipient) : null)),
        items.map((i) => i.failedReason ?? null),
        nowMs,
      ],
    );
  }

  /** Up to `limit` due items, leased for `leaseMs` to this caller. */
  async claimDue(limit: number, nowMs: number, leaseMs: number): Promise<OutboxItem[]> {
    const { rows } = await this.client.query<Row>(
      `UPDATE notification_outbox o SET next_attempt_at = to_timestamp(($2 + $3) / 1000.0)
       WHERE o.id IN (
         SELECT id FROM notification_outbox
         WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= to_timestamp($2 / 1000.0)
         ORDER BY next_attempt_at, id
         LIMIT $1
         FOR UPDATE SKIP LOCKED)
       RETURNING o.id::text AS id, o.channel, o.payload, o.attempts,
         (extract(epoch FROM o.created_at) * 1000)::float8 AS created_at_ms`,
      [limit, nowMs, leaseMs],
    );
    return rows
      .map((r) => ({
        id: Number(r.id),
        channel: r.channel,
        payload: r.payload,
        attempts: r.attempts,
        createdAtMs: r.created_at_ms,
      }))
      .sort((a, b) => a.id - b.id);
  }

  async markDelivered(id: number, nowMs: number): Promise<void> {
    await this.client.query(
      'UPDATE notification_outbox SET delivered_at = to_timestamp($2 / 1000.0), attempts = attempts + 1, last_error = NULL WHERE id = $1',
      [id, nowMs],
    );
  }

  /** Records a failed attempt; `retryAtMs` null gives up on the item (it stays, marked failed). */
  async markAttemptFailed(id: number, error: string, nowMs: number, retryAtMs: number | null): Promise<void> {
    await this.client.query(
      `UPDATE notification_outbox SET attempts = attempts + 1, last_error = $2,
         next_attempt_at = coalesce(to_timestamp($4 / 1000.0), next_attempt_at),
         failed_at = CASE WHEN $4::float8 IS NULL THEN to_timestamp($3 / 1000.0) END
       WHERE id = $1`,
      [id, error.slice(0, 2000), nowMs, retryAtMs],
    );
  }

  async counts(): Promise<{ pending: number; delivered: number; failed: number }> {
    const { rows } = await this.client.query<{ pending: string; delivered: string; failed: string }>(
      `SELECT count(*) FILTER (WHERE delivered_at IS NULL AND failed_at IS NULL) AS pending,
              count(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered,
              count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed
       FROM notification_outbox`,
    );
    const r = rows[0]!;
    return { pending: Number(r.pending), delivered: Number(r.delivered), failed: Number(r.failed) };
  }
}

interface DeliveryRow {
  id: string;
  channel: string;
  kind: string | null;
  recipient: NotificationDelivery['recipient'];
  attempts: number;
  last_error: string | null;
  created_at_ms: number;
  next_attempt_at_ms: number | null;
  delivered_at_ms: number | null;
  failed_at_ms: number | null;
}

/**
 * Every delivery of one 预警 (or of one alarm, for the fire-control-room channel), oldest first:
 * who was notified, over which channel, when, and whether it arrived.
 */
export async function deliveriesOf(
  client: SqlClient,
  of: { readonly warningId: string } | { readonly alarmId: string },
): Promise<NotificationDelivery[]> {
  const column = 'warningId' in of ? 'warning_id' : 'alarm_id';
  const id = 'warningId' in of ? of.warningId : of.alarmId;
  const { rows } = await client.query<DeliveryRow>(
    `SELECT id::text AS id, channel, kind, recipient, attempts, last_error,
       (extract(epoch FROM created_at) * 1000)::float8 AS created_at_ms,
       CASE WHEN delivered_at IS NULL AND failed_at IS NULL
         THEN (extract(epoch FROM next_attempt_at) * 1000)::float8 END AS next_attempt_at_ms,
       (extract(epoch FROM delivered_at) * 1000)::float8 AS delivered_at_ms,
       (extract(epoch FROM failed_at) * 1000)::float8 AS failed_at_ms
     FROM notification_outbox WHERE ${column} = $1 ORDER BY notification_outbox.id`,
    [id],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    channel: r.channel,
    kind: r.kind,
    recipient: r.recipient,
    state: r.delivered_at_ms !== null ? 'delivered' : r.failed_at_ms !== null ? 'failed' : 'pending',
    attempts: r.attempts,
    lastError: r.last_error,
    createdAt: r.created_at_ms,
    nextAttemptAt: r.next_attempt_at_ms,
    deliveredAt: r.delivered_at_ms,
    failedAt: r.failed_at_ms,
  }));
}
