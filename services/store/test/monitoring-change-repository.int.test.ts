import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  migrate,
  MonitoringChangeRepository,
  sqlClientFromPg,
  type NewMonitoringChange,
  type SqlClient,
} from '@hazardwatch/store';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

const change = (over: Partial<NewMonitoringChange> = {}): NewMonitoringChange => ({
  enterprise: 'E1',
  region: 'PARK1',
  targetType: 'point',
  targetId: 'E1/AT-1101',
  lines: [{ kind: 'monitoring.gas-detector.disable', field: 'enabled', before: true, after: false }],
  before: { tag: 'AT-1101' },
  after: { tag: 'AT-1101', enabled: false },
  edit: {
    op: 'update',
    entity: 'point',
    key: { enterprise: 'E1', tag: 'AT-1101' },
    patch: { enabled: false },
  },
  reason: '探头更换',
  requestedBy: 'sm1',
  requestedRole: 'safety_manager',
  requestedAt: T0,
  status: 'pending',
  siteVersion: null,
  ...over,
});

describe('MonitoringChangeRepository (PostgreSQL)', () => {
  let db: TestDatabase;
  let client: SqlClient;
  let repo: MonitoringChangeRepository;

  beforeEach(async () => {
    db = await createTestDatabase();
    client = sqlClientFromPg(db.pool());
    await migrate(client, { logger: silentLogger, dialect: 'postgres' });
    repo = new MonitoringChangeRepository(client);
  });
  afterEach(() => db.drop());

  it('records a change with who, when, what, before/after and why, and reads it back', async () => {
    const stored = await repo.record(change());
    expect(stored).toEqual({
      id: stored.id,
      enterprise: 'E1',
      region: 'PARK1',
      targetType: 'point',
      targetId: 'E1/AT-1101',
      kinds: ['monitoring.gas-detector.disable'],
      lines: [{ kind: 'monitoring.gas-detector.disable', field: 'enabled', before: true, after: false }],
      before: { tag: 'AT-1101' },
      after: { tag: 'AT-1101', enabled: false },
      reason: '探头更换',
      requestedBy: 'sm1',
      requestedRole: 'safety_manager',
      requestedAt: T0,
      status: 'pending',
      decidedBy: null,
      decidedAt: null,
      decisionNote: null,
      siteVersion: null,
    });
    expect(await repo.byId(stored.id)).toEqual(stored);
    expect(await repo.editOf(stored.id)).toMatchObject({ op: 'update', patch: { enabled: false } });
    expect(await repo.scopeOf(stored.id)).toEqual({ enterprise: 'E1', region: 'PARK1' });
    expect(await repo.byId('999')).toBeUndefined();
    expect(await repo.byId('not-a-number')).toBeUndefined();
  });

  it('decides a pending change once', async () => {
    const { id } = await repo.record(change());
    const approved = await repo.decide(id, {
      status: 'approved',
      decidedBy: 'reg',
      decidedAt: T0 + 60_000,
      note: '同意',
      siteVersion: 7,
    });
    expect(approved).toMatchObject({
      status: 'approved',
      decidedBy: 'reg',
      decidedAt: T0 + 60_000,
      decisionNote: '同意',
      siteVersion: 7,
    });
    const again = await repo.decide(id, {
      status: 'denied',
      decidedBy: 'reg2',
      decidedAt: T0 + 120_000,
      note: 'no',
      siteVersion: null,
    });
    expect(again).toBeUndefined();
    expect((await repo.byId(id))?.status).toBe('approved');
  });

  it('lists newest first, by scope (enterprise or stored region), status, kind and time', async () => {
    const a = await repo.record(change());
    const b = await repo.record(
      change({
        enterprise: 'E2',
        region: 'COUNTY_B',
        targetId: 'E2/LT-1',
        lines: [{ kind: 'monitoring.limit.weaken', field: 'limits.hh', before: 85, after: 99 }],
        status: 'applied',
        siteVersion: 3,
        requestedAt: T0 + 1000,
      }),
    );
    const all = await repo.query({ limit: 10, offset: 0 });
    expect(all.items.map((c) => c.id)).toEqual([b.id, a.id]);
    expect(all.total).toBe(2);
    // The old region still shows E2's change although E2 is not in the enterprise list.
    const oldRegion = await repo.query({
      within: { regions: ['COUNTY_B'], enterprises: [] },
      limit: 10,
      offset: 0,
    });
    expect(oldRegion.items.map((c) => c.id)).toEqual([b.id]);
    const byEnterprise = await repo.query({
      within: { regions: [], enterprises: ['E1'] },
      limit: 10,
      offset: 0,
    });
    expect(byEnterprise.items.map((c) => c.id)).toEqual([a.id]);
    expect((await repo.query({ within: { regions: [], enterprises: [] }, limit: 10, offset: 0 })).total).toBe(
      0,
    );
    expect(
      (await repo.query({ statuses: ['pending'], limit: 10, offset: 0 })).items.map((c) => c.id),
    ).toEqual([a.id]);
    expect(
      (await repo.query({ kinds: ['monitoring.limit.weaken'], limit: 10, offset: 0 })).items.map((c) => c.id),
    ).toEqual([b.id]);
    expect((await repo.query({ fromMs: T0 + 1, limit: 10, offset: 0 })).items.map((c) => c.id)).toEqual([
      b.id,
    ]);
    expect((await repo.query({ toMs: T0 + 1, limit: 10, offset: 0 })).items.map((c) => c.id)).toEqual([a.id]);
    expect((await repo.query({ enterprise: 'E2', limit: 10, offset: 0 })).items.map((c) => c.id)).toEqual([
      b.id,
    ]);
    expect(
      (await repo.query({ target: { type: 'point', id: 'E1/AT-1101' }, limit: 10, offset: 0 })).items.map(
        (c) => c.id,
      ),
    ).toEqual([a.id]);
    const page = await repo.query({ limit: 1, offset: 1 });
    expect(page).toMatchObject({ total: 2 });
    expect(page.items.map((c) => c.id)).toEqual([a.id]);
  });

  it('finds the change that took each point out of use', async () => {
    const first = await repo.record(change({ status: 'applied', siteVersion: 2 }));
    const pending = await repo.record(change({ requestedAt: T0 + 1000 }));
    await repo.record(
      change({
        targetId: 'E1/LT-1101',
        lines: [{ kind: 'monitoring.limit.weaken', field: 'limits.hh', before: 85, after: 99 }],
        status: 'applied',
      }),
    );
    expect(await repo.disablingChanges(null)).toEqual(
      new Map([['E1/AT-1101', { id: first.id, sinceMs: T0 }]]),
    );
    await repo.decide(pending.id, {
      status: 'approved',
      decidedBy: 'r',
      decidedAt: T0 + 2000,
      note: null,
      siteVersion: 3,
    });
    expect(await repo.disablingChanges(['E1'])).toEqual(
      new Map([['E1/AT-1101', { id: pending.id, sinceMs: T0 + 2000 }]]),
    );
    expect(await repo.disablingChanges(['E2'])).toEqual(new Map());
  });

  it('orders changes of one time by id across a decimal digit: newest first, and the latest of a point', async () => {
    // Twelve changes (ids 1 to 12) requested at one time: only the id orders them. It was selected
    // as text and the tie sorted by that output column ("9" > "10"), so the list came out of order
    // past the 9th (99th, …) and the latest disable of a point was taken to be an older one.
    const made: string[] = [];
    for (let i = 0; i < 12; i++)
      made.push((await repo.record(change({ status: 'applied', siteVersion: i }))).id);
    expect(made).toEqual(Array.from({ length: 12 }, (_, i) => String(i + 1)));
    const newestFirst = [...made].reverse();
    expect.soft((await repo.query({ limit: 100, offset: 0 })).items.map((c) => c.id)).toEqual(newestFirst);
    expect
      .soft((await repo.query({ limit: 3, offset: 0 })).items.map((c) => c.id))
      .toEqual(['12', '11', '10']);
    expect
      .soft(await repo.disablingChanges(null))
      .toEqual(new Map([['E1/AT-1101', { id: '12', sinceMs: T0 }]]));
  });
});
