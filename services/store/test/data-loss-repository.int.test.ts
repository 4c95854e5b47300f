import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataLossRepository, migrate, sqlClientFromPg, type DataLossRecord } from '@hazardwatch/store';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';

const T0 = Date.UTC(2026, 11, 6, 4, 0, 0);

const report = (over: Partial<DataLossRecord> = {}): DataLossRecord => ({
  enterprise: 'E1',
  gateway: 'GW1',
  reason: 'max_bytes',
  readings: 11_297,
  entries: 56,
  fromMs: T0,
  toMs: T0 + 55_000,
  reportedMs: T0 + 60_000,
  receivedMs: T0 + 61_000,
  ...over,
});

describe('DataLossRepository (PostgreSQL)', () => {
  let db: TestDatabase;
  let repo: DataLossRepository;
  beforeEach(async () => {
    db = await createTestDatabase();
    const client = sqlClientFromPg(db.pool());
    await migrate(client, { logger: silentLogger, dialect: 'postgres' });
    repo = new DataLossRepository(client);
  });
  afterEach(() => db.drop());

  it('stores a report once (a QoS 1 redelivery is a no-op) and finds it by the source-time hole', async () => {
    expect(await repo.insert(report())).toBe(true);
    expect(await repo.insert(report({ receivedMs: T0 + 62_000 }))).toBe(false);
    const [stored, ...rest] = await repo.overlapping(['E1'], T0 + 10_000, T0 + 20_000);
    expect(rest).toEqual([]);
    expect(stored).toMatchObject({ ...report(), id: expect.any(Number) as number });
    expect(await repo.overlapping(['E1'], T0 + 55_001, T0 + 90_000)).toEqual([]);
    expect(await repo.overlapping(['E2'], T0, T0 + 90_000)).toEqual([]);
  });

  it('a report without a span counts at its report time', async () => {
    await repo.insert(report({ fromMs: null, toMs: null }));
    expect(await repo.overlapping(['E1'], T0 + 59_000, T0 + 61_000)).toHaveLength(1);
    expect(await repo.overlapping(['E1'], T0, T0 + 59_000)).toHaveLength(0);
  });

  it('finds the holes of given gateways only (enterprise and code together)', async () => {
    await repo.insert(report());
    await repo.insert(report({ enterprise: 'E2', reportedMs: T0 + 60_001 }));
    await repo.insert(report({ gateway: 'GW2', reportedMs: T0 + 60_002 }));
    const found = await repo.ofGateways([{ enterprise: 'E1', gateway: 'GW1' }], T0, T0 + 90_000);
    expect(found.map((r) => [r.enterprise, r.gateway])).toEqual([['E1', 'GW1']]);
    expect(await repo.ofGateways([{ enterprise: 'E1', gateway: 'GW1' }], T0 + 55_001, T0 + 90_000)).toEqual(
      [],
    );
    expect(await repo.ofGateways([], T0, T0 + 90_000)).toEqual([]);
  });

  it('lists the newest reports per gateway, newest received first, within the enterprises asked', async () => {
    for (let i = 0; i < 4; i++)
      await repo.insert(
        report({ reportedMs: T0 + i * 1000, receivedMs: T0 + i * 1000 + 500, readings: 10 + i }),
      );
    await repo.insert(report({ gateway: 'GW2', receivedMs: T0 + 100 }));
    await repo.insert(report({ enterprise: 'E2', receivedMs: T0 + 9000 }));
    const recent = await repo.recent(['E1'], { perGateway: 2, limit: 100 });
    expect(recent.map((r) => [r.gateway, r.readings, r.receivedMs])).toEqual([
      ['GW1', 13, T0 + 3500],
      ['GW1', 12, T0 + 2500],
      ['GW2', 11_297, T0 + 100],
    ]);
    expect(await repo.recent(['E1'], { perGateway: 2, limit: 1 })).toHaveLength(1);
    expect((await repo.recent(null, { perGateway: 10, limit: 100 })).map((r) => r.enterprise)).toContain(
      'E2',
    );
    expect(await repo.recent([], { perGateway: 10, limit: 100 })).toEqual([]);
  });

  it('orders reports of one time by id across a decimal digit (oldest first, newest received first)', async () => {
    // Twelve reports (ids 1 to 12) of one span, reported and received at one time: only the id
    // orders them. It was selected as text and the tie sorted by that output column ("10" < "2"),
    // so the lists came out of order past the 9th (99th, …) and a limit kept the wrong reports.
    for (let i = 0; i < 12; i++) await repo.insert(report({ readings: 100 + i }));
    const ascending = Array.from({ length: 12 }, (_, i) => i + 1);
    const ids = (rows: readonly { id: number }[]): number[] => rows.map((r) => r.id);
    expect.soft(ids(await repo.overlapping(['E1'], T0, T0 + 90_000))).toEqual(ascending);
    expect.soft(ids(await repo.overlapping(['E1'], T0, T0 + 90_000, 10))).toEqual(ascending.slice(0, 10));
    const gw = [{ enterprise: 'E1', gateway: 'GW1' }];
    expect.soft(ids(await repo.ofGateways(gw, T0, T0 + 90_000))).toEqual(ascending);
    expect.soft(ids(await repo.ofGateways(gw, T0, T0 + 90_000, 10))).toEqual(ascending.slice(0, 10));
    const descending = [...ascending].reverse();
    expect.soft(ids(await repo.recent(['E1'], { perGateway: 100, limit: 100 }))).toEqual(descending);
    expect.soft(ids(await repo.recent(['E1'], { perGateway: 100, limit: 3 }))).toEqual([12, 11, 10]);
    expect.soft(ids(await repo.recent(null, { perGateway: 100, limit: 5 }))).toEqual([12, 11, 10, 9, 8]);
  });
});
