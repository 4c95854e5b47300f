import pg from 'pg';
import type { Logger } from 'pino';
import { createScratchDatabase, migrate, PartitionMaintainer, sqlClientFromPg } from '@hazardwatch/store';
import type { DialectPreference, SqlClient, StoreDialect } from '@hazardwatch/store';

/** A throw-away, migrated database on the benchmark's server. */
export interface BenchDatabase {
  readonly pool: pg.Pool;
  readonly name: string;
  /** What the migration chose (or was told). */
  readonly dialect: StoreDialect;
  drop(): Promise<void>;
}

/** The benchmarks' throw-away databases: `hw_bench_<hex>`. */
export const BENCH_PREFIX = 'hw_bench';

/**
 * What a migrated database still needs before the bench writes readings: plain PostgreSQL's
 * partitions. TimescaleDB's hypertable makes its chunks itself and has no partitions to run the
 * plain maintainer on ("readings" is not partitioned, issue #20).
 */
export function needsPartitions(dialect: StoreDialect): boolean {
  return dialect === 'postgres';
}

/** Migrates `client` (dialect `auto` unless told) and makes it writable now, as a service's start does. */
export async function prepareBenchStore(
  client: SqlClient,
  logger: Logger,
  dialect: DialectPreference = 'auto',
): Promise<StoreDialect> {
  const migration = await migrate(client, { logger, dialect });
  if (needsPartitions(migration.dialect)) {
    await new PartitionMaintainer({ client, logger, now: Date.now, retention: migration.retention }).run();
  }
  return migration.dialect;
}

export async function createBenchDatabase(
  adminUrl: string,
  logger: Logger,
  poolSize: number,
  dialect: DialectPreference = 'auto',
): Promise<BenchDatabase> {
  const scratch = await createScratchDatabase(adminUrl, BENCH_PREFIX);
  const { name } = scratch;
  const pool = new pg.Pool({ connectionString: scratch.url, max: poolSize });
  pool.on('error', (err) => logger.warn({ err }, 'bench pool error'));
  const drop = async (): Promise<void> => {
    await pool.end();
    await scratch.drop();
  };
  let chosen: StoreDialect;
  try {
    chosen = await prepareBenchStore(sqlClientFromPg(pool), logger, dialect);
  } catch (err) {
    // The caller gets no handle to drop it with: a failed preparation must not leave it behind.
    await drop().catch((dropErr: unknown) =>
      logger.warn({ err: dropErr, name }, 'bench database not dropped'),
    );
    throw err;
  }
  return { pool, name, dialect: chosen, drop };
}
