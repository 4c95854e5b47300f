import type { SqlClient } from './sql-client.js';

/** The last known state of one gateway (table `gateway_status`). */
export interface GatewayStatusRecord {
  readonly enterprise: string;
  readonly gateway: string;
  readonly online: boolean;
  /** Ingest clock when the gateway was last heard from, ms UTC. */
  readonly lastSeenMs: number;
  /** Readings waiting in the gateway's disk spool as last reported; null = never reported. */
  readonly spoolDepth: number | null;
  /**
   * Since when the gateway has been in this state (online or offline), ms UTC. On upsert: the
   * writer's own since, used when the row is created or `online` changes; a stored since of the
   * same state is kept; absent = `lastSeenMs`. Read: null for a row written before migration 18 and not since.
   */
  readonly sinceMs?: number | null;
}

interface Row {
  enterprise: string;
  gateway: string;
  online: boolean;
  last_seen_ms: number;
  spool_depth: number | null;
  since_ms: number | null;
}

/**
 * Gateway presence as the ingest last saw it, for processes that only read the database (the
 * REST API). Written in batches: status messages arrive per gateway every few seconds, so the
 * writer coalesces them and upserts one statement per flush.
 */
export class GatewayStatusRepository {
  constructor(private readonly client: SqlClient) {}

  /**
   * Upserts the given states in one statement. A row older than the stored one (by `lastSeenMs`)
   * does not overwrite it, so a late retry or a second ingest worker cannot move a gateway back in
   * time. Several rows for one gateway in a batch are allowed; the newest wins.
   * @param nowMs written as `updated_at`.
   */
  async upsert(records: readonly GatewayStatusRecord[], nowMs: number): Promise<void> {
    const newest = new Map<string, GatewayStatusRecord>();
    for (const r of records) {
      const key = `${r.enterprise}/${r.gateway}`;
      const seen = newest.get(key);
      if (!seen || r.lastSeenMs >= seen.lastSeenMs) newest.set(key, r);
    }
    if (newest.size === 0) return;
    const rows = [...newest.values()];
    await this.client.query(
      `INSERT INTO gateway_status AS s (enterprise, gateway, online, last_seen, spool_depth, updated_at, since)
       SELECT e, g, o, to_timestamp(ts / 1000.0), d, to_timestamp($6 / 1000.0), to_timestamp(si / 1000.0)
         FROM unnest($1::text[], $2::text[], $3::boolean[], $4::float8[], $5::int[], $7::float8[])
              AS x(e, g, o, ts, d, si)
       ON CONFLICT (enterprise, gateway) DO UPDATE
         SET online = excluded.online,
             last_seen = excluded.last_seen,
             spool_depth = excluded.spool_depth,
             updated_at = excluded.updated_at,
             -- Same state: it began when the stored since says (the writer may have started later).
             since = CASE WHEN s.online = excluded.online THEN coalesce(s.since, excluded.since)
                          ELSE excluded.since END
         WHERE s.last_seen <= excluded.last_seen`,
      [
        rows.map((r) => r.enterprise),
        rows.map((r) => r.gateway),
        rows.map((r) => r.online),
        rows.map((r) => r.lastSeenMs),
        rows.map((r) => r.spoolDepth),
        nowMs,
        rows.map((r) => r.sinceMs ?? r.lastSeenMs),
      ],
    );
  }

  /**
   * Removes the rows of every gateway `known` refuses: gateways the site in force no longer has, or
   * never had (codes a device made up before the ingest checked them). Reads the stored keys, then
   * deletes the refused ones in one statement; a row a second ingest writes in between is judged
   * at its next prune.
   * @returns how many rows were removed.
   */
  async retain(known: (enterprise: string, gateway: string) => boolean): Promise<number> {
    const { rows } = await this.client.query<{ enterprise: string; gateway: string }>(
      'SELECT enterprise, gateway FROM gateway_status',
    );
    const gone = rows.filter((r) => !known(r.enterprise, r.gateway));
    if (gone.length === 0) return 0;
    const { rows: removed } = await this.client.query<{ n: number }>(
      `WITH d AS (
         DELETE FROM gateway_status s
          USING unnest($1::text[], $2::text[]) AS x(e, g)
          WHERE s.enterprise = x.e AND s.gateway = x.g
         RETURNING 1)
       SELECT count(*)::int AS n FROM d`,
      [gone.map((r) => r.enterprise), gone.map((r) => r.gateway)],
    );
    return removed[0]?.n ?? 0;
  }

  /** Stored states of the gateways of these enterprises, ordered by enterprise and gateway. */
  async byEnterprises(enterprises: readonly string[]): Promise<GatewayStatusRecord[]> {
    if (enterprises.length === 0) return [];
    const { rows } = await this.client.query<Row>(
      `SELECT enterprise, gateway, online, (extract(epoch FROM last_seen) * 1000)::float8 AS last_seen_ms,
              spool_depth, (extract(epoch FROM since) * 1000)::float8 AS since_ms
         FROM gateway_status
        WHERE enterprise = ANY($1::text[])
        ORDER BY enterprise, gateway`,
      [enterprises],
    );
    return rows.map((r) => ({
      enterprise: r.enterprise,
      gateway: r.gateway,
      online: r.online,
      lastSeenMs: r.last_seen_ms,
      spoolDepth: r.spool_depth,
      sinceMs: r.since_ms,
    }));
  }
}
