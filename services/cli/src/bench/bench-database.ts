import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { compileRetention, migrate, PartitionMaintainer, sqlClientFromPg } from '@hazardwatch/store';

/** A throw-away, migrated database on the benchmark's server. */
export interface BenchDatabase {
  readonly pool: pg.Pool;
  readonly name: string;
  drop(): Promise<void>;
}

/** An empty throw-away database on the benchmark's server (the service under test migrates it). */
export interface ScratchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

export async function createScratchDatabase(adminUrl: string): Promise<ScratchDatabase> {
  const name = `hw_bench_${randomBytes(5).toString('hex')}`;
  await adminExec(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => adminExec(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

export async function createBenchDatabase(
  adminUrl: string,
  logger: Logger,
  poolSize: number,
): Promise<BenchDatabase> {
  const scratch = await createScratchDatabase(adminUrl);
  const { name } = scratch;
  const pool = new pg.Pool({ connectionString: scratch.url, max: poolSize });
  pool.on('error', (err) => logger.warn({ err }, 'bench pool error'));
  const client = sqlClientFromPg(pool);
  await migrate(client, { logger, dialect: 'auto' });
  await new PartitionMaintainer({ client, logger, now: Date.now, retention: compileRetention() }).run();
  return {
    pool,
    name,
    drop: async () => {
      await pool.end();
      await scratch.drop();
    },
  };
}

async function adminExec(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
