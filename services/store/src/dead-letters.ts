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

/**
 * Longest text kept per field, in characters: dead letters quote untrusted input (an MQTT topic
 * may be 65,535 bytes), so every row has a bounded size. Together with `maxRawBytes` this bounds a
 * row to about maxRawBytes + 4 × (topic + detail + 2 × code + tag) bytes (UTF-8: up to 4 bytes a
 * character); the ingest's dead letters are ASCII in practice.
 */
export const DEAD_LETTER_TEXT_LIMITS = Object.freeze({
  topic: 256,
  /** Enterprise and gateway codes. */
  code: 64,
  reason: 64,
  detail: 1024,
  tag: 128,
});

export interface DeadLetterBounds {
  /** Rows the table keeps: after each append, only the newest `maxRows` remain. */
  readonly maxRows: number;
  /** Raw payload bytes kept per row; longer payloads are cut. */
  readonly maxRawBytes: number;
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

/** Rejected ingestion messages: append in batches (bounded), read for diagnosis. */
export class DeadLetterRepository {
  readonly #client: SqlClient;

  constructor(client: SqlClient) {
    this.#client = client;
  }

  /**
   * Appends dead letters and, in the same statement, deletes all but the newest `maxRows`: the
   * table is bounded by rows (and, through the per-row caps, by bytes) at all times, not only
   * after a periodic prune. Ids come from one sequence, so "the newest maxRows" is the id range
   * above (newest id − maxRows); ids lost to rolled-back inserts only make it hold fewer. With
   * several writers, rows of an insert not yet committed elsewhere can exceed the bound briefly,
   * until the next append. Of more letters than `maxRows` at once, only the newest are stored.
   * @returns rows not stored because one append held more than maxRows.
   */
  async append(letters: readonly DeadLetter[], bounds: DeadLetterBounds): Promise<number> {
    const maxRows = Math.max(1, Math.floor(bounds.maxRows));
    const kept = letters.length > maxRows ? letters.slice(letters.length - maxRows) : letters;
    if (kept.length === 0) return 0;
    const L = DEAD_LETTER_TEXT_LIMITS;
    await this.#client.query(
      `WITH added AS (
         INSERT INTO dead_letters (received_at, topic, enterprise, gateway, reason, detail, tag, raw)
         SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[],
                              $6::text[], $7::text[], $8::bytea[])
         RETURNING id)
       DELETE FROM dead_letters WHERE id <= (SELECT max(id) FROM added) - $9::bigint`,
      [
        kept.map((l) => new Date(l.receivedAtMs)),
        kept.map((l) => boundedText(l.topic, L.topic)),
        kept.map((l) => boundedTextOrNull(l.enterprise, L.code)),
        kept.map((l) => boundedTextOrNull(l.gateway, L.code)),
        kept.map((l) => boundedText(l.reason, L.reason)),
        kept.map((l) => boundedTextOrNull(l.detail, L.detail)),
        kept.map((l) => boundedTextOrNull(l.tag, L.tag)),
        kept.map((l) => (l.raw ? cutBytes(l.raw, bounds.maxRawBytes) : null)),
        maxRows,
      ],
    );
    return letters.length - kept.length;
  }

  /** Inserts without bounds (tests, tools); the ingest appends through `append`. */
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

/**
 * PostgreSQL text cannot hold U+0000; dead letters quote untrusted input, so it is made visible
 * instead. Cut to `max` characters (after escaping; never inside a surrogate pair).
 */
function boundedText(value: string, max: number): string {
  const visible = value.includes('\u0000') ? value.replaceAll('\u0000', '\\u0000') : value;
  if (visible.length <= max) return visible;
  const end = isHighSurrogate(visible.charCodeAt(max - 1)) ? max - 1 : max;
  return visible.slice(0, end);
}

function boundedTextOrNull(value: string | undefined, max: number): string | null {
  return value === undefined ? null : boundedText(value, max);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function cutBytes(raw: Uint8Array, max: number): Uint8Array {
  return raw.byteLength > max ? raw.subarray(0, Math.max(0, max)) : raw;
}
