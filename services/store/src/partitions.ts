import type { Logger } from 'pino';
import { AdvisoryLock, lockForTransaction } from './locks.js';
import type { Retention } from './options.js';
import { MS_PER_DAY } from './options.js';
import { READINGS_TABLE } from './scaled-values.js';
import type { SqlClient } from './sql-client.js';

const PARTITION_NAME = /^readings_p(\d{4})(\d{2})(\d{2})$/;

/** Start of the UTC day containing `ms`. Partitions are UTC days so DST never makes a 23 h one. */
export function utcDayStart(ms: number): number {
  return Math.floor(ms / MS_PER_DAY) * MS_PER_DAY;
}

/** `readings_pYYYYMMDD` for the UTC day starting at `dayStartMs`. */
export function partitionName(dayStartMs: number): string {
  return `readings_p${new Date(dayStartMs).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** Day start encoded in a partition name, or undefined for a table that is not ours. */
export function partitionDayStart(name: string): number | undefined {
  const m = PARTITION_NAME.exec(name);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

export interface PartitionMaintainerOptions {
  client: SqlClient;
  logger: Logger;
  /** Wall clock, ms since epoch. */
  now: () => number;
  retention: Pick<Retention, 'rawRetentionMs'>;
  /** Oldest reading ingestion accepts, ms before now: partitions exist back to here. @default 86_400_000 (1 day) */
  maxAcceptedAgeMs?: number;
  /** Daily partitions created ahead of today, so a midnight rollover never finds none. @default 3 */
  aheadDays?: number;
}

export interface PartitionRun {
  readonly created: readonly string[];
  readonly dropped: readonly string[];
}

/**
 * Plain-dialect partition lifecycle for the raw readings (the table `readings_encoded` since schema
 * version 23; its partitions keep the names `readings_pYYYYMMDD`). TimescaleDB does this itself
 * with chunks and its retention policy. Idempotent, and serialised across processes by an
 * advisory lock, so every ingest/API instance may run it on its own schedule.
 */
export class PartitionMaintainer {
  readonly #client: SqlClient;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #rawRetentionMs: number;
  readonly #maxAcceptedAgeMs: number;
  readonly #aheadDays: number;

  constructor(options: PartitionMaintainerOptions) {
    this.#client = options.client;
    this.#log = options.logger.child({ component: 'store-partitions' });
    this.#now = options.now;
    this.#rawRetentionMs = options.retention.rawRetentionMs;
    this.#maxAcceptedAgeMs = options.maxAcceptedAgeMs ?? MS_PER_DAY;
    this.#aheadDays = options.aheadDays ?? 3;
  }

  /** Oldest instant whose partition must be kept. Order 40: electronic records kept ≥ 30 days. */
  retentionCutoffMs(): number {
    return this.#now() - this.#rawRetentionMs;
  }

  /**
   * Creates the partitions from now − maxAcceptedAge (never before the retention cutoff) to
   * now + aheadDays, and drops partitions that end at or before the retention cutoff. A partition
   * is dropped only when all of its day is older than the cutoff, so retention is never shorter
   * than configured.
   */
  async run(): Promise<PartitionRun> {
    const now = this.#now();
    const cutoff = this.retentionCutoffMs();
    const from = Math.max(now - this.#maxAcceptedAgeMs, cutoff);
    const to = now + this.#aheadDays * MS_PER_DAY;
    return this.#client.transaction(async (tx) => {
      await lockForTransaction(tx, AdvisoryLock.partitions);
      const existing = await existingPartitions(tx);
      const created = await createDays(tx, utcDayStart(from), to, existing);
      const dropped: string[] = [];
      for (const name of existing) {
        const day = partitionDayStart(name);
        if (day !== undefined && day + MS_PER_DAY <= cutoff) {
          await tx.exec(`DROP TABLE IF EXISTS ${name}`);
          dropped.push(name);
        }
      }
      if (created.length > 0 || dropped.length > 0) {
        this.#log.info({ created, dropped }, 'readings partitions maintained');
      }
      return { created, dropped };
    });
  }

  /**
   * Creates partitions covering [fromMs, toMs] inside the retention window, e.g. before a backfill
   * of older data. Days already past retention are skipped: they would be dropped on the next run.
   */
  async ensureCovering(fromMs: number, toMs: number): Promise<readonly string[]> {
    const start = utcDayStart(Math.max(fromMs, this.retentionCutoffMs()));
    if (start > toMs) return [];
    return this.#client.transaction(async (tx) => {
      await lockForTransaction(tx, AdvisoryLock.partitions);
      const created = await createDays(tx, start, toMs, await existingPartitions(tx));
      if (created.length > 0) this.#log.info({ created }, 'readings partitions created for range');
      return created;
    });
  }
}

async function existingPartitions(tx: SqlClient): Promise<Set<string>> {
  const { rows } = await tx.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = '${READINGS_TABLE}'::regclass`,
  );
  return new Set(rows.map((r) => r.name));
}

/** Creates every missing daily partition whose day intersects [fromDayMs, toMs]. */
async function createDays(
  tx: SqlClient,
  fromDayMs: number,
  toMs: number,
  existing: Set<string>,
): Promise<string[]> {
  const created: string[] = [];
  for (let day = fromDayMs; day <= toMs; day += MS_PER_DAY) {
    const name = partitionName(day);
    if (existing.has(name)) continue;
    const lower = new Date(day).toISOString();
    const upper = new Date(day + MS_PER_DAY).toISOString();
    await tx.exec(
      `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${READINGS_TABLE} FOR VALUES FROM ('${lower}') TO ('${upper}')`,
    );
    existing.add(name);
    created.push(name);
  }
  return created;
}
