import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AlarmEvent } from '@hazardwatch/contracts';
import type { AlarmRecord } from '@hazardwatch/core';
import {
  AlarmRepository,
  LeaseRepository,
  migrate,
  sqlClientFromPg,
  storeErrors,
  type SqlClient,
} from '@hazardwatch/store';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';

// Issue #23 step 2: partition leases with a fencing epoch on a real PostgreSQL (migration 20).

const T0 = Date.UTC(2026, 11, 6, 8, 0, 0);
const LEASE_MS = 60_000;

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

const write = (a: AlarmRecord) => ({ alarms: [a], events: [raised(a)], colourChanges: [] });

describe('LeaseRepository (PostgreSQL)', () => {
  let db: TestDatabase;
  let client: SqlClient;
  let leases: LeaseRepository;
  let alarms: AlarmRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = sqlClientFromPg(db.pool());
    await migrate(client, { logger: silentLogger, dialect: 'postgres' });
    leases = new LeaseRepository(client);
    alarms = new AlarmRepository(client);
  });
  afterAll(() => db.drop());
  beforeEach(async () => {
    await client.exec(
      'DELETE FROM alarm_events; DELETE FROM alarms; DELETE FROM ingest_workers; DELETE FROM partition_leases',
    );
    await leases.ensurePartitions(8);
  });

  it('grants a free partition once, at a new epoch; a live lease is not taken by another', async () => {
    expect(await leases.acquire('w-a', [0, 1, 2], LEASE_MS)).toEqual([
      { partition: 0, epoch: 1 },
      { partition: 1, epoch: 1 },
      { partition: 2, epoch: 1 },
    ]);
    expect(await leases.acquire('w-b', [1, 2, 3], LEASE_MS)).toEqual([{ partition: 3, epoch: 1 }]);
    await leases.heartbeat('w-a', [], LEASE_MS);
    await leases.heartbeat('w-b', [], LEASE_MS);
    const snap = await leases.snapshot();
    expect(snap.workers).toEqual(['w-a', 'w-b']);
    expect([...snap.owners].sort(([a], [b]) => a - b)).toEqual([
      [0, 'w-a'],
      [1, 'w-a'],
      [2, 'w-a'],
      [3, 'w-b'],
    ]);
    // The earliest expiry of the others' memberships and leases, on the database's clock; one's own
    // left out: w-c's membership (5 s) is the earliest for everyone else.
    await leases.heartbeat('w-c', [], 5000);
    for (const self of ['w-a', 'w-b']) {
      const { nextExpiryInMs } = await leases.snapshot(self);
      expect(nextExpiryInMs).toBeGreaterThan(0);
      expect(nextExpiryInMs).toBeLessThanOrEqual(5000);
    }
    expect((await leases.snapshot('w-c')).nextExpiryInMs).toBeGreaterThan(5000);
  });

  it('renews only what is still held at the same epoch; an expired lease is taken over at epoch + 1', async () => {
    // A lease of 0 ms has ended at once (the database's clock decides, not ours).
    const [first] = await leases.acquire('w-a', [4], 0);
    expect(first).toEqual({ partition: 4, epoch: 1 });
    expect(await leases.acquire('w-b', [4], LEASE_MS)).toEqual([{ partition: 4, epoch: 2 }]);
    // The old owner's heartbeat no longer renews it: lost.
    expect(await leases.heartbeat('w-a', [first!], LEASE_MS)).toEqual([]);
    expect(await leases.heartbeat('w-b', [{ partition: 4, epoch: 2 }], LEASE_MS)).toEqual([
      { partition: 4, epoch: 2 },
    ]);
    // A worker whose membership expired is not among the live workers.
    await leases.heartbeat('w-c', [], 0);
    expect((await leases.snapshot()).workers).toEqual(['w-a', 'w-b']);
  });

  it('a released lease is free at once; leave() releases everything and ends the membership', async () => {
    const held = await leases.acquire('w-a', [5, 6], LEASE_MS);
    await leases.heartbeat('w-a', held, LEASE_MS);
    await leases.release('w-a', [held[0]!]);
    expect(await leases.acquire('w-b', [5], LEASE_MS)).toEqual([{ partition: 5, epoch: 2 }]);
    // Another worker's release cannot free what it does not hold.
    await leases.release('w-b', [held[1]!]);
    expect(await leases.acquire('w-b', [6], LEASE_MS)).toEqual([]);
    await leases.leave('w-a');
    expect((await leases.snapshot()).workers).toEqual([]);
    expect(await leases.acquire('w-b', [6], LEASE_MS)).toEqual([{ partition: 6, epoch: 2 }]);
  });

  it('prunes memberships expired longer than asked, and only those', async () => {
    await leases.heartbeat('w-live', [], LEASE_MS);
    await leases.heartbeat('w-dead-long', [], 1);
    await leases.heartbeat('w-dead-just', [], 1);
    await client.query(
      "UPDATE ingest_workers SET expires_at = now() - interval '2 hours' WHERE worker_id = 'w-dead-long'",
    );
    expect(await leases.pruneWorkers(3_600_000)).toBe(1);
    const { rows } = await client.query<{ worker_id: string }>(
      'SELECT worker_id FROM ingest_workers ORDER BY worker_id',
    );
    expect(rows.map((r) => r.worker_id)).toEqual(['w-dead-just', 'w-live']);
  });

  it('refuses an alarm write under a stale epoch (HW_STORE_LEASE_STALE) and stores nothing of it', async () => {
    const [old] = await leases.acquire('w-a', [7], 0);
    const [taken] = await leases.acquire('w-b', [7], LEASE_MS);
    const stale = alarms.write(write(alarm('stale-1', 11)), undefined, {
      partitions: [old!.partition],
      epochs: [old!.epoch],
    });
    await expect(stale).rejects.toSatisfy((err: unknown) => storeErrors.is(err, 'HW_STORE_LEASE_STALE'));
    await expect(stale).rejects.toMatchObject({ retryable: false });
    expect(await alarms.openAlarms()).toEqual([]);
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM alarm_events');
    expect(rows[0]?.n).toBe(0);

    // The current owner's write, fenced with its epoch, is stored.
    await alarms.write(write(alarm('fresh-1', 11)), undefined, {
      partitions: [taken!.partition],
      epochs: [taken!.epoch],
    });
    expect((await alarms.openAlarms()).map((a) => a.id)).toEqual(['fresh-1']);
  });

  it('refuses the whole write when one of its partitions is stale, also inside a transaction', async () => {
    const held = await leases.acquire('w-a', [0, 1], LEASE_MS);
    await leases.release('w-a', [held[1]!]);
    const fence = { partitions: held.map((h) => h.partition), epochs: held.map((h) => h.epoch) };
    const inTx = client.transaction((tx) => alarms.write(write(alarm('tx-1', 12)), tx, fence));
    await expect(inTx).rejects.toSatisfy((err: unknown) => storeErrors.is(err, 'HW_STORE_LEASE_STALE'));
    expect(await alarms.openAlarms()).toEqual([]);
  });

  it('a takeover waits for a fenced write still in its transaction; the write is then part of what it restores', async () => {
    const [held] = await leases.acquire('w-a', [2], 0);
    const fence = { partitions: [held!.partition], epochs: [held!.epoch] };
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    let writeDone!: () => void;
    const written = new Promise<void>((r) => (writeDone = r));
    const tx = client.transaction(async (t) => {
      await alarms.write(write(alarm('inflight-1', 13)), t, fence);
      writeDone();
      await hold;
    });
    await written;
    let takenOver = false;
    const takeover = leases.acquire('w-b', [2], LEASE_MS).then((g) => {
      takenOver = true;
      return g;
    });
    // The lease row is share-locked by the open write: the takeover cannot have happened yet.
    await new Promise((r) => setTimeout(r, 200));
    expect(takenOver).toBe(false);
    release();
    await tx;
    expect(await takeover).toEqual([{ partition: 2, epoch: 2 }]);
    expect((await alarms.openAlarms()).map((a) => a.id)).toEqual(['inflight-1']);
  });

  it('unfenced writes (a pinned or single worker) are unchanged', async () => {
    await alarms.write(write(alarm('plain-1', 14)));
    expect((await alarms.openAlarms()).map((a) => a.id)).toEqual(['plain-1']);
  });
});
