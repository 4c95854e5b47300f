import type { SqlClient } from './sql-client.js';

/**
 * What a gateway's bounded disk spool dropped, as the gateway reported it (`data_loss` on its
 * status topic, issue #16 item 4). Table `data_loss_events`.
 */
export interface DataLossRecord {
  readonly enterprise: string;
  readonly gateway: string;
  /** Why the spool dropped, as the collector says it (e.g. `max_bytes`). */
  readonly reason: string;
  readonly readings: number;
  readonly entries: number;
  /** Source time of the oldest / newest dropped reading, ms UTC; null when not reported. */
  readonly fromMs: number | null;
  readonly toMs: number | null;
  /** Gateway clock of the report, ms UTC. */
  readonly reportedMs: number;
  /** Ingest clock when the report arrived, ms UTC. */
  readonly receivedMs: number;
}

export interface StoredDataLoss extends DataLossRecord {
  readonly id: number;
}

interface Row {
  id: string;
  enterprise: string;
  gateway: string;
  reason: string;
  readings: number;
  entries: number;
  from_ms: number | null;
  to_ms: number | null;
  reported_ms: number;
  received_ms: number;
}

const MS = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;
/** The dropped span overlaps [from, to) (ms parameters); a report without a span counts at its report time. */
const OVERLAPS = (from: string, to: string) =>
  `coalesce(from_ts, reported_at) < to_timestamp(${to} / 1000.0)
          AND coalesce(to_ts, reported_at) >= to_timestamp(${from} / 1000.0)`;

/**
 * Data-loss reports: stored once each (a QoS 1 redelivery of the same report is a no-op), read
 * back by source-time span so history and the data-quality view can show the hole.
 */
export class DataLossRepository {
  constructor(private readonly client: SqlClient) {}

  /** @returns true when stored, false when this report was already stored. */
  async insert(r: DataLossRecord): Promise<boolean> {
    const { rows } = await this.client.query<{ id: string }>(
      `INSERT INTO data_loss_events (enterprise, gateway, reason, readings, entries, from_ts, to_ts, reported_at, received_at)
       VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0), to_timestamp($7 / 1000.0),
               to_timestamp($8 / 1000.0), to_timestamp($9 / 1000.0))
       ON CONFLICT (enterprise, gateway, reported_at, reason, readings) DO NOTHING
       RETURNING id::text`,
      [
        r.enterprise,
        r.gateway,
        r.reason,
        r.readings,
        r.entries,
        r.fromMs,
        r.toMs,
        r.reportedMs,
        r.receivedMs,
      ],
    );
    return rows.length > 0;
  }

  /**
   * Reports of these enterprises whose dropped span overlaps [fromMs, toMs) (a report without a
   * span counts at its report time), oldest first, at most `limit`.
   */
  async overlapping(
    enterprises: readonly string[],
    fromMs: number,
    toMs: number,
    limit = 1000,
  ): Promise<StoredDataLoss[]> {
    if (enterprises.length === 0) return [];
    return this.#select(
      `enterprise = ANY($1::text[]) AND ${OVERLAPS('$2', '$3')}
        ORDER BY coalesce(from_ts, reported_at), data_loss_events.id LIMIT $4`,
      [enterprises, fromMs, toMs, limit],
    );
  }

  /**
   * As `overlapping`, for these gateways only (a trend's points map to their gateways): the holes
   * a trend of [fromMs, toMs) shows, oldest first.
   */
  async ofGateways(
    gateways: ReadonlyArray<{ readonly enterprise: string; readonly gateway: string }>,
    fromMs: number,
    toMs: number,
    limit = 1000,
  ): Promise<StoredDataLoss[]> {
    if (gateways.length === 0) return [];
    return this.#select(
      `(enterprise, gateway) IN (SELECT * FROM unnest($1::text[], $2::text[]))
          AND ${OVERLAPS('$3', '$4')}
        ORDER BY coalesce(from_ts, reported_at), data_loss_events.id LIMIT $5`,
      [gateways.map((g) => g.enterprise), gateways.map((g) => g.gateway), fromMs, toMs, limit],
    );
  }

  /**
   * The newest reports as they arrived, at most `perGateway` of each gateway (one gateway dropping
   * often does not hide the others) and `limit` in all, newest received first. `enterprises` null:
   * every enterprise (an admin without a filter).
   */
  async recent(
    enterprises: readonly string[] | null,
    bounds: { readonly perGateway: number; readonly limit: number },
  ): Promise<StoredDataLoss[]> {
    if (enterprises !== null && enterprises.length === 0) return [];
    return this.#select(
      `id IN (SELECT id FROM (
                SELECT id, row_number() OVER (PARTITION BY enterprise, gateway ORDER BY received_at DESC, id DESC) AS n
                  FROM data_loss_events
                 WHERE $1::text[] IS NULL OR enterprise = ANY($1::text[])) AS ranked
               WHERE n <= $2)
        ORDER BY received_at DESC, data_loss_events.id DESC LIMIT $3`,
      [enterprises, bounds.perGateway, bounds.limit],
    );
  }

  async #select(where: string, params: readonly unknown[]): Promise<StoredDataLoss[]> {
    const { rows } = await this.client.query<Row>(
      `SELECT id::text, enterprise, gateway, reason, readings, entries,
              CASE WHEN from_ts IS NULL THEN NULL ELSE ${MS('from_ts')} END AS from_ms,
              CASE WHEN to_ts IS NULL THEN NULL ELSE ${MS('to_ts')} END AS to_ms,
              ${MS('reported_at')} AS reported_ms, ${MS('received_at')} AS received_ms
         FROM data_loss_events
        WHERE ${where}`,
      params,
    );
    return rows.map((r) => ({
      id: Number(r.id),
      enterprise: r.enterprise,
      gateway: r.gateway,
      reason: r.reason,
      readings: r.readings,
      entries: r.entries,
      fromMs: r.from_ms,
      toMs: r.to_ms,
      reportedMs: r.reported_ms,
      receivedMs: r.received_ms,
    }));
  }
}
