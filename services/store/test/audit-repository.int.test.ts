import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AuditRepository,
  migrate,
  sqlClientFromPg,
  type AuditEntry,
  type SqlClient,
} from '@hazardwatch/store';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

const entry = (over: Partial<AuditEntry>): AuditEntry => ({
  ts: T0,
  actor: 'alice',
  action: 'alarm.ack',
  targetType: 'alarm',
  targetId: 'a1',
  before: { state: 'UNACK' },
  after: { state: 'ACKED' },
  ip: '10.0.0.1',
  scopeRegion: 'P1',
  scopeEnterprise: 'E1',
  ...over,
});

describe('AuditRepository (PostgreSQL)', () => {
  let db: TestDatabase;
  let client: SqlClient;
  let repo: AuditRepository;

  beforeEach(async () => {
    db = await createTestDatabase();
    client = sqlClientFromPg(db.pool());
    await migrate(client, { logger: silentLogger, dialect: 'postgres' });
    repo = new AuditRepository(client);
  });
  afterEach(() => db.drop());

  it('appends entries and reads them newest first with filters and scope', async () => {
    await repo.append(entry({}));
    await repo.append(
      entry({
        ts: T0 + 1000,
        actor: 'bob',
        action: 'warning.sign',
        targetType: 'warning',
        targetId: 'w1',
        scopeEnterprise: 'E2',
        scopeRegion: 'P2',
      }),
    );
    await repo.append(
      entry({
        ts: T0 + 2000,
        action: 'auth.login',
        targetType: 'user',
        targetId: 'u1',
        before: undefined,
        after: undefined,
        scopeEnterprise: null,
        scopeRegion: 'P1',
      }),
    );

    const all = await repo.query({ limit: 10, offset: 0 });
    expect(all.total).toBe(3);
    expect(all.items.map((e) => e.action)).toEqual(['auth.login', 'warning.sign', 'alarm.ack']);
    expect(all.items[2]).toMatchObject({
      ts: T0,
      before: { state: 'UNACK' },
      after: { state: 'ACKED' },
      ip: '10.0.0.1',
    });
    expect(all.items[0]).toMatchObject({ before: null, after: null });

    expect((await repo.query({ actor: 'bob', limit: 10, offset: 0 })).items.map((e) => e.targetId)).toEqual([
      'w1',
    ]);
    expect((await repo.query({ action: 'alarm.', limit: 10, offset: 0 })).total).toBe(1);
    expect(
      (await repo.query({ fromMs: T0 + 1000, toMs: T0 + 2000, limit: 10, offset: 0 })).items.map(
        (e) => e.targetId,
      ),
    ).toEqual(['w1']);
    const scoped = await repo.query({
      within: { regions: ['P1'], enterprises: ['E1'] },
      limit: 10,
      offset: 0,
    });
    expect(scoped.items.map((e) => e.action)).toEqual(['auth.login', 'alarm.ack']);
    expect(
      (await repo.query({ within: { regions: [], enterprises: [] }, limit: 10, offset: 0 })).items,
    ).toEqual([]);
    expect((await repo.query({ limit: 1, offset: 1 })).items.map((e) => e.action)).toEqual(['warning.sign']);
  });

  it('orders entries of the same instant by insertion, numerically', async () => {
    for (let i = 0; i < 12; i += 1) await repo.append(entry({ targetId: `a${i}` }));
    const { items } = await repo.query({ limit: 3, offset: 0 });
    expect(items.map((e) => e.targetId)).toEqual(['a11', 'a10', 'a9']);
  });

  it('is append-only: an entry cannot be edited', async () => {
    const id = await repo.append(entry({}));
    const err = await client
      .query('UPDATE audit_log SET actor = $1 WHERE id = $2', ['mallory', id])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((await repo.query({ limit: 10, offset: 0 })).items[0]!.actor).toBe('alice');
  });

  it('prunes entries older than the cut-off, in batches, and keeps the rest', async () => {
    const day = 86_400_000;
    for (let i = 0; i < 7; i += 1) await repo.append(entry({ ts: T0 - i * day, targetId: `d${i}` }));
    // Cut-off exactly at an entry's instant: that entry is kept (exclusive bound).
    expect(await repo.pruneBefore(T0 - 3 * day, 2)).toBe(3);
    const left = await repo.query({ limit: 10, offset: 0 });
    expect(left.items.map((e) => e.targetId)).toEqual(['d0', 'd1', 'd2', 'd3']);
    expect(await repo.pruneBefore(T0 - 3 * day)).toBe(0);
  });
});
