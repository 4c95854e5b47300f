import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmEvent } from '@hazardwatch/contracts';
import type { AlarmRecord } from '@hazardwatch/core';
import { ingestErrors, PARTITION_COUNT, PartitionAlarmRepository, partitionOf } from '@hazardwatch/ingest';
import { LeaseRepository, migrate, sqlClientFromPg, storeErrors, type SqlClient } from '@hazardwatch/store';
import { createTestDatabase, openTestPool, providedServices, type TestDatabase } from '@hazardwatch/testkit';
import type pg from 'pg';

// Issue #23: a leased worker's alarm store — restore only the partitions it holds, every write
// fenced with their epochs on a real PostgreSQL.

const logger = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 11, 6, 10, 0, 0);

/** Two enterprise codes in different partitions, neither partition 0. */
function twoEnterprises(): [string, string] {
  const first = '91320623MA1W000001';
  for (let i = 2; ; i++) {
    const code = `91320623MA1W${String(i).padStart(6, '0')}`;
    const p = partitionOf(code);
    if (p !== partitionOf(first) && p !== 0 && partitionOf(first) !== 0) return [first, code];
  }
}

function alarm(id: string, pointId: number): AlarmRecord {
  return {
    id,
    source: { kind: 'point', pointId },
    sourceKey: `point:${pointId}`,
    condition: 'HH',
    state: 'UNACK',
    active: true,
    latched: false,
    colour: 'red',
    raisedAt: T0,
    stateSinceMs: T0,
    lastActivationMs: T0,
    ackedAt: null,
    ackedBy: null,
    value: 2.1,
    limit: 2,
    shelvedUntilMs: null,
    shelveReason: null,
    suppressReason: null,
    suppressedBy: null,
    outOfServiceReason: null,
    chattering: false,
  };
}

function raised(a: AlarmRecord): AlarmEvent {
  return {
    alarmId: a.id,
    sourceKey: a.sourceKey,
    pointId: a.source.kind === 'point' ? a.source.pointId : null,
    condition: a.condition,
    from: 'NORM',
    to: 'UNACK',
    ts: a.raisedAt,
    actor: 'system',
    reason: null,
    value: a.value,
  };
}

const batch = (a: AlarmRecord) => ({ alarms: [a], events: [raised(a)], colourChanges: [] });

describe('PartitionAlarmRepository (PostgreSQL)', () => {
  const [eA, eB] = twoEnterprises();
  const [pA, pB] = [partitionOf(eA), partitionOf(eB)];
  // Point 1 belongs to enterprise A, point 2 to B.
  const enterpriseOfPoint = (id: number): string | undefined => (id === 1 ? eA : id === 2 ? eB : undefined);
  let db: TestDatabase;
  let pool: pg.Pool;
  let client: SqlClient;
  let leases: LeaseRepository;

  beforeAll(async () => {
    db = await createTestDatabase(providedServices().postgresAdminUrl);
    pool = openTestPool(db.url, { max: 4 });
    client = sqlClientFromPg(pool);
    await migrate(client, { logger, dialect: 'postgres' });
    leases = new LeaseRepository(client);
    await leases.ensurePartitions(PARTITION_COUNT);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('restores only the held partitions, fences writes with their epochs, and is refused once taken over', async () => {
    // Worker 1 holds both partitions and raises one alarm in each.
    const held1 = new Map((await leases.acquire('w-1', [pA, pB], 0)).map((g) => [g.partition, g.epoch]));
    const repo1 = new PartitionAlarmRepository(
      client,
      { count: PARTITION_COUNT, epochOf: (p) => held1.get(p) },
      enterpriseOfPoint,
    );
    await repo1.write(batch(alarm('a-1', 1)));
    await repo1.write(batch(alarm('b-1', 2)));

    // Its leases ran out (0 ms); worker 2 takes partition A over and restores just that one.
    const held2 = new Map((await leases.acquire('w-2', [pA], 60_000)).map((g) => [g.partition, g.epoch]));
    expect(held2.get(pA)).toBe(held1.get(pA)! + 1);
    const repo2 = new PartitionAlarmRepository(
      client,
      { count: PARTITION_COUNT, epochOf: (p) => held2.get(p) },
      enterpriseOfPoint,
    );
    expect((await repo2.openAlarms()).map((a) => a.id)).toEqual(['a-1']);

    // Worker 1, not knowing yet, writes for partition A under its old epoch: refused, nothing kept.
    const closing = { ...alarm('a-1', 1), state: 'NORM' as const, active: false, stateSinceMs: T0 + 1000 };
    await expect(repo1.write({ alarms: [closing], events: [], colourChanges: [] })).rejects.toSatisfy(
      (err: unknown) => storeErrors.is(err, 'HW_STORE_LEASE_STALE'),
    );
    expect((await repo2.openAlarms()).map((a) => a.id)).toEqual(['a-1']);

    // Worker 2 may not write for partition B, which it does not hold: refused before the database.
    await expect(repo2.write(batch(alarm('b-2', 2)))).rejects.toSatisfy((err: unknown) =>
      ingestErrors.is(err, 'HW_INGEST_PARTITION_NOT_OWNED'),
    );
    // Its own write is stored.
    await repo2.write({ alarms: [closing], events: [], colourChanges: [] });
    expect((await repo2.openAlarms()).map((a) => a.id)).toEqual([]);
  });
});
