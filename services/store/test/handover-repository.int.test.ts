import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HandoverSnapshot } from '@hazardwatch/contracts';
import {
  HandoverRepository,
  migrate,
  sqlClientFromPg,
  sqlState,
  type NewHandover,
  type SqlClient,
} from '@hazardwatch/store';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';

const T0 = Date.UTC(2026, 11, 6, 0, 0, 0);
const HOUR = 3_600_000;

const SNAPSHOT: HandoverSnapshot = {
  takenAt: T0,
  alarms: [
    {
      id: 'a1',
      condition: 'HH',
      state: 'UNACK',
      colour: 'red',
      enterprise: 'E1',
      pointId: 7,
      tag: 'LT-1101',
      hazard: 'CL-TF01',
      since: T0 - 60_000,
    },
  ],
  alarmTotal: 1,
  warnings: [],
  warningTotal: 0,
};

const handover = (over: Partial<NewHandover> = {}): NewHandover => ({
  desk: { kind: 'enterprise', code: 'E1' },
  region: 'PARK1',
  outgoingUser: 'op1',
  outgoingRole: 'operator',
  notes: '2号液氯储罐液位高高报警未消除，已通知维修',
  createdAt: T0,
  snapshot: SNAPSHOT,
  ...over,
});

// Issue #21: the shift handover log on a real PostgreSQL (migration 17).
describe('HandoverRepository (PostgreSQL)', () => {
  let db: TestDatabase;
  let client: SqlClient;
  let repo: HandoverRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = sqlClientFromPg(db.pool());
    await migrate(client, { logger: silentLogger, dialect: 'postgres' });
    repo = new HandoverRepository(client);
  });
  beforeEach(async () => {
    await client.exec('TRUNCATE handovers RESTART IDENTITY');
  });
  afterAll(() => db.drop());

  it('records a pending handover with notes and snapshot, and reads it back', async () => {
    const out = await repo.record(handover());
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.handover).toEqual({
      id: '1',
      desk: { kind: 'enterprise', code: 'E1' },
      region: 'PARK1',
      outgoingUser: 'op1',
      outgoingRole: 'operator',
      notes: '2号液氯储罐液位高高报警未消除，已通知维修',
      createdAt: T0,
      snapshot: SNAPSHOT,
      status: 'pending',
      incomingUser: null,
      incomingRole: null,
      acceptedAt: null,
      acceptNote: null,
    });
    expect(await repo.byId('1')).toEqual(out.handover);
    expect(await repo.pendingOf({ kind: 'enterprise', code: 'E1' })).toEqual(out.handover);
    expect(await repo.byId('x1')).toBeUndefined();
  });

  it('keeps at most one pending handover per desk, and names it', async () => {
    await repo.record(handover());
    expect(await repo.record(handover({ outgoingUser: 'op2', createdAt: T0 + 1 }))).toEqual({
      ok: false,
      pendingId: '1',
    });
    // Another desk (another enterprise, or a region desk of the same code) is free.
    expect((await repo.record(handover({ desk: { kind: 'enterprise', code: 'E2' } }))).ok).toBe(true);
    expect((await repo.record(handover({ desk: { kind: 'region', code: 'E1' } }))).ok).toBe(true);
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM handovers');
    expect(rows[0]!.n).toBe(3);
  });

  it('accepts once, by another user; the desk is free again afterwards', async () => {
    await repo.record(handover());
    const accept = { incomingRole: 'operator' as const, acceptedAt: T0 + HOUR, note: '已了解' };
    expect(await repo.accept('1', { ...accept, incomingUser: 'op1' }), 'own handover').toBeUndefined();
    const accepted = await repo.accept('1', { ...accept, incomingUser: 'op2' });
    expect(accepted).toMatchObject({
      status: 'accepted',
      incomingUser: 'op2',
      incomingRole: 'operator',
      acceptedAt: T0 + HOUR,
      acceptNote: '已了解',
      notes: '2号液氯储罐液位高高报警未消除，已通知维修',
    });
    expect(await repo.accept('1', { ...accept, incomingUser: 'op3' }), 'twice').toBeUndefined();
    expect((await repo.byId('1'))?.incomingUser).toBe('op2');
    expect(await repo.pendingOf({ kind: 'enterprise', code: 'E1' })).toBeUndefined();
    expect((await repo.record(handover({ outgoingUser: 'op2', createdAt: T0 + 8 * HOUR }))).ok).toBe(true);
  });

  it('lets one of two racing writers win: one pending handover per desk, one acceptance', async () => {
    const recorded = await Promise.all(
      ['op1', 'op2', 'op3'].map((u) => repo.record(handover({ outgoingUser: u }))),
    );
    expect(recorded.filter((r) => r.ok)).toHaveLength(1);
    const winner = recorded.find((r) => r.ok)!;
    if (!winner.ok) return;
    expect(recorded.filter((r) => !r.ok)).toEqual([
      { ok: false, pendingId: winner.handover.id },
      { ok: false, pendingId: winner.handover.id },
    ]);
    const others = ['op1', 'op2', 'op3', 'op4'].filter((u) => u !== winner.handover.outgoingUser);
    const accepted = await Promise.all(
      others.map((u) =>
        repo.accept(winner.handover.id, {
          incomingUser: u,
          incomingRole: 'operator',
          acceptedAt: T0 + 1,
          note: null,
        }),
      ),
    );
    expect(accepted.filter((a) => a !== undefined)).toHaveLength(1);
  });

  it('is append-only in the database: no edit of notes or snapshot, no change of an accepted row, no self-acceptance', async () => {
    await repo.record(handover());
    const refused = async (sql: string): Promise<string | undefined> => {
      try {
        await client.query(sql);
        return undefined;
      } catch (error) {
        return sqlState(error);
      }
    };
    expect(await refused(`UPDATE handovers SET notes = '改过' WHERE id = 1`)).toBe('42501');
    expect(await refused(`UPDATE handovers SET snapshot = '{}' WHERE id = 1`)).toBe('42501');
    expect(
      await refused(
        `UPDATE handovers SET status = 'accepted', incoming_user = 'op1', incoming_role = 'operator', accepted_at = now() WHERE id = 1`,
      ),
    ).toBe('23514');
    await repo.accept('1', { incomingUser: 'op2', incomingRole: 'operator', acceptedAt: T0 + 1, note: null });
    expect(await refused(`UPDATE handovers SET accept_note = '补充' WHERE id = 1`)).toBe('42501');
    expect(await refused(`UPDATE handovers SET status = 'pending' WHERE id = 1`)).toBe('42501');
    expect((await repo.byId('1'))?.acceptNote).toBeNull();
  });

  it('finds records by scope, desk, user, text in the notes, status and time, newest first, paged', async () => {
    await repo.record(handover({ notes: '液氯储罐 100% 正常' }));
    await repo.accept('1', {
      incomingUser: 'op2',
      incomingRole: 'operator',
      acceptedAt: T0 + 1,
      note: '收到 维修单',
    });
    await repo.record(handover({ outgoingUser: 'op2', notes: '夜班无异常_', createdAt: T0 + 8 * HOUR }));
    await repo.record(
      handover({
        desk: { kind: 'enterprise', code: 'E2' },
        region: 'PARK1',
        outgoingUser: 'opE2',
        notes: 'E2 交班',
        createdAt: T0 + HOUR,
      }),
    );
    await repo.record(
      handover({
        desk: { kind: 'region', code: 'COUNTY' },
        region: 'COUNTY',
        outgoingUser: 'reg1',
        outgoingRole: 'regulator_county',
        notes: '县值班：红色预警1起督办中',
        createdAt: T0 + 2 * HOUR,
      }),
    );
    const ids = async (q: Partial<Parameters<HandoverRepository['query']>[0]>) =>
      (await repo.query({ limit: 100, offset: 0, ...q })).items.map((h) => h.id);

    expect(await ids({})).toEqual(['2', '4', '3', '1']);
    expect(await ids({ within: { enterprises: ['E1'], regions: [] } })).toEqual(['2', '1']);
    // A region's regulators: its own desk and the enterprise desks stored in their regions.
    expect(await ids({ within: { enterprises: [], regions: ['COUNTY'] } })).toEqual(['4']);
    expect(await ids({ within: { enterprises: [], regions: ['COUNTY', 'PARK1'] } })).toEqual([
      '2',
      '4',
      '3',
      '1',
    ]);
    expect(await ids({ within: { enterprises: [], regions: [] } })).toEqual([]);
    expect(await ids({ desk: 'E2' })).toEqual(['3']);
    expect(await ids({ user: 'op2' }), 'outgoing or incoming').toEqual(['2', '1']);
    expect(await ids({ text: '液氯' })).toEqual(['1']);
    expect(await ids({ text: '维修单' }), 'the acceptance note too').toEqual(['1']);
    expect(await ids({ text: 'e2 交班' }), 'case-insensitive').toEqual(['3']);
    expect(await ids({ text: '100%' }), '% is literal').toEqual(['1']);
    expect(await ids({ text: '%' })).toEqual(['1']);
    expect(await ids({ text: '_' }), '_ is literal').toEqual(['2']);
    expect(await ids({ statuses: ['pending'] })).toEqual(['2', '4', '3']);
    expect(await ids({ statuses: ['accepted'] })).toEqual(['1']);
    expect(await ids({ fromMs: T0 + HOUR, toMs: T0 + 8 * HOUR })).toEqual(['4', '3']);
    const page = await repo.query({ limit: 2, offset: 1 });
    expect([page.items.map((h) => h.id), page.total]).toEqual([['4', '3'], 4]);
  });

  it('lists handovers of one time newest first by id across a decimal digit', async () => {
    // Twelve handovers (ids 1 to 12, one desk each) written at one time: only the id orders them.
    // It was selected as text and the tie sorted by that output column ("9" > "10"), so the log
    // came out of order past the 9th (99th, …) and a page showed the wrong handovers.
    for (let i = 1; i <= 12; i++)
      expect((await repo.record(handover({ desk: { kind: 'enterprise', code: `E${i}` } }))).ok).toBe(true);
    const newestFirst = Array.from({ length: 12 }, (_, i) => String(12 - i));
    expect((await repo.query({ limit: 100, offset: 0 })).items.map((h) => h.id)).toEqual(newestFirst);
    expect((await repo.query({ limit: 3, offset: 0 })).items.map((h) => h.id)).toEqual(['12', '11', '10']);
  });
});
