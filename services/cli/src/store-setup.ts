import pg from 'pg';
import type { Logger } from 'pino';
import {
  migrate,
  PartitionMaintainer,
  sqlClientFromPg,
  storeErrors,
  type MigrateResult,
  type SqlClient,
} from '@hazardwatch/store';
import { ConfigError } from './errors.js';
import type { RuntimeConfig } from './config.js';

export interface OpenedStore {
  readonly pool: pg.Pool;
  readonly client: SqlClient;
  readonly migration: MigrateResult;
  close(): Promise<void>;
}

/** Connects, applies migrations (idempotent, safe beside other instances) and ensures partitions. */
export async function openStore(
  databaseUrl: string,
  config: RuntimeConfig,
  logger: Logger,
  options: { maxAcceptedAgeMs?: number; now?: () => number } = {},
): Promise<OpenedStore> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: config.database.poolSize });
  // Idle clients that lose their connection report it here; the pool replaces them.
  pool.on('error', (err) => logger.warn({ err }, 'idle database connection lost'));
  const client = sqlClientFromPg(pool);
  try {
    // Retention relations (raw ≤ 1 min ≤ 1 h) are checked by the store and reported as config errors.
    const migration = await migrate(client, {
      logger,
      dialect: config.database.dialect,
      rawRetentionDays: config.database.rawRetentionDays,
      rollup1mRetentionDays: config.database.rollup1mRetentionDays,
      rollup1hRetentionDays: config.database.rollup1hRetentionDays,
      compressAfterDays: config.database.compressAfterDays,
    });
    if (migration.dialect === 'postgres') {
      await new PartitionMaintainer({
        client,
        logger,
        now: options.now ?? Date.now,
        retention: migration.retention,
        ...(options.maxAcceptedAgeMs !== undefined ? { maxAcceptedAgeMs: options.maxAcceptedAgeMs } : {}),
      }).run();
    }
    return { pool, client, migration, close: () => pool.end() };
  } catch (error) {
    await pool.end();
    if (storeErrors.is(error, 'HW_STORE_CONFIG_INVALID')) {
      throw new ConfigError([`database.${String(error.data['key'])}: ${String(error.data['reason'])}`]);
    }
    throw error;
  }
}
