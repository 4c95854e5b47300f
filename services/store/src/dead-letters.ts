import type { SqlClient } from './sql-client.js';

export interface DeadLetter {
  /** When ingestion received the message, ms since epoch. */
  receivedAtMs: number;
  topic: string;
  enterprise?: string | undefined;
  gateway?: string | undefined;
  /** Machine-readable rejection code (an error code of the rejecting package). */
  reason: string;
  detail?: string | undefined;
  tag?: string | undefined;
  /** The payload as received, kept so it can be replayed once the cause is fixed. */
  raw?: Uint8Array | undefined;
}

export interface StoredDeadLetter extends DeadLetter {
  id: number;
}

const COLUMNS = 8;
/** Rows per INSERT: keeps well under PostgreSQL's 65 535 bind parameters. */
const ROWS_PER_STATEMENT = 1000;

interface DeadLetterRow {
  id: number;
  received_at_ms: number;
  topic: string;
  enterprise: string | null;
  gateway: string | null;
  reason: string;
  detail: string | null;
  tag: string | null;
  raw: Uint8Array | null;
}

/** Rejected ingestion messages: append in batches, read for diagnosis, pruned to a bound. */
export class DeadLetterRepository {
  readonly #client: SqlClient;

  constructor(client: SqlClient) {
    this.#client = client;
  }

  async insertMany(rows: readonly DeadLetter[]): Promise<void> {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
      const params: unknown[] = [];
      const tuples = chunk.map((r, n) => {
        params.push(
          new Date(r.receivedAtMs),
          r.topic,
          r.enterprise ?? null,
          r.gateway ?? null,
          r.reason,
          r.detail ?? null,
          r.tag ?? null,
          r.raw ?? null,
        );
        const b = n * COLUMNS;
        return `($${b + 1}::timestamptz, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8}::bytea)`;
      });
      await this.#client.query(
        `INSERT INTO dead_letters (received_at, topic, enterprise, gateway, reason, detail, tag, raw)
         VALUES ${tuples.join(', ')}`,
        params,
      );
    }
  }

  /** Keeps the newest `maxRows` dead letters (by id, i.e. arrival order); returns rows deleted. */
  async pruneTo(maxRows: number): Promise<number> {
    const { rows } = await this.#client.query<{ n: number }>(
      `WITH boundary AS (SELECT id FROM dead_letters ORDER BY id DESC OFFSET $1 LIMIT 1),
            gone AS (DELETE FROM dead_letters WHERE id <= (SELECT id FROM boundary) RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [Math.max(0, Math.floor(maxRows))],
    );
    return rows[0]?.n ?? 0;
  }

  /** Deletes dead letters received before `cutoffMs`; returns rows deleted. */
  async pruneOlderThan(cutoffMs: number): Promise<number> {
    const { rows } = await this.#client.query<{ n: number }>(
      `WITH gone AS (DELETE FROM dead_letters WHERE received_at < $1 RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [new Date(cutoffMs)],
    );
    return rows[0]?.n ?? 0;
  }

  /** Count per reason, most frequent first. */
  async countsByReason(): Promise<{ reason: string; count: number }[]> {
    const { rows } = await this.#client.query<{ reason: string; count: number }>(
      'SELECT reason, count(*)::int AS count FROM dead_letters GROUP BY reason ORDER BY count DESC, reason',
    );
    return rows;
  }

  /** Newest first. */
  async recent(limit: number): Promise<StoredDeadLetter[]> {
    const { rows } = await this.#client.query<DeadLetterRow>(
      `SELECT id::float8 AS id, (extract(epoch FROM received_at) * 1000)::float8 AS received_at_ms,
              topic, enterprise, gateway, reason, detail, tag, raw
       FROM dead_letters ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      id: r.id,
      receivedAtMs: r.received_at_ms,
      topic: r.topic,
      enterprise: r.enterprise ?? undefined,
      gateway: r.gateway ?? undefined,
      reason: r.reason,
      detail: r.detail ?? undefined,
      tag: r.tag ?? undefined,
      raw: r.raw ?? undefined,
    }));
  }
}
