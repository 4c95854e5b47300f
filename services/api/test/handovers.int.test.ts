import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Handover, HandoverPage, HandoverPreview } from '@hazardwatch/contracts';
import { createUser } from '@hazardwatch/api';
import {
  buildTestApi,
  COUNTY_A,
  E1,
  E2,
  E3,
  PASSWORD,
  TEST_COST,
  type TestApi,
  type TestUser,
} from './support/api-fixture.js';

/**
 * Issue #21, the shift handover log (交接班) through REST: the outgoing person hands the own desk
 * over with notes, the server records what is open in the desk's scope, another person of the same
 * desk accepts once; scoped like the desk, audited, searchable. The fixture has alarm-e1, gw-e1 and
 * warning-e1 open in E1 (county 320623), alarm-e3 and warning-e3 in E3 (another county).
 */
describe('shift handover log', () => {
  let api: TestApi;
  /** Second people on duty at E1's desk and at the county's duty centre. */
  const extra: Record<string, string> = {};

  beforeAll(async () => {
    api = await buildTestApi();
    for (const [username, u] of Object.entries({
      opE1b: { role: 'operator', enterpriseCode: E1 },
      regCounty2: { role: 'regulator', regionCode: COUNTY_A },
    } as const)) {
      await createUser(api.client, { username, password: PASSWORD, ...u }, { cost: TEST_COST });
      const res = await api.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username, password: PASSWORD },
      });
      extra[username] = res.json<{ accessToken: string }>().accessToken;
    }
  });
  afterAll(() => api.close());

  type Who = TestUser | 'opE1b' | 'regCounty2';
  const headers = (who: Who) =>
    who in extra ? { authorization: `Bearer ${extra[who]}` } : api.auth(who as TestUser);
  const send = (who: Who, method: 'GET' | 'POST', url: string, payload?: object) =>
    api.app.inject({ method, url: `/api/v1${url}`, headers: headers(who), ...(payload ? { payload } : {}) });
  const list = async (who: Who, query = ''): Promise<Handover[]> => {
    const res = await send(who, 'GET', `/handovers${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<HandoverPage>().items;
  };
  const code = (res: { json: <T>() => T }) => res.json<{ code: string }>().code;
  const audited = async (action: string, id: string) =>
    (
      await api.client.query<{ actor: string; scope_enterprise: string | null; after: unknown }>(
        `SELECT actor, scope_enterprise, after FROM audit_log WHERE action = $1 AND target_id = $2`,
        [action, id],
      )
    ).rows;

  let e1: Handover;

  it('shows the operator what a handover now would record: the own enterprise’s open alarms and 预警 only', async () => {
    const res = await send('opE1', 'GET', '/handovers/snapshot');
    expect(res.statusCode, res.body).toBe(200);
    const preview = res.json<HandoverPreview>();
    expect(preview.desk).toEqual({ kind: 'enterprise', code: E1 });
    expect(preview.snapshot.alarms.map((a) => a.id).sort()).toEqual(['alarm-e1', 'gw-e1']);
    expect(preview.snapshot.warnings.map((w) => [w.id, w.colour, w.state])).toEqual([
      ['warning-e1', 'red', 'pushed'],
    ]);
    expect([preview.snapshot.alarmTotal, preview.snapshot.warningTotal]).toEqual([2, 1]);
  });

  it('the outgoing operator hands over with notes; the server snapshots what is open (never the client)', async () => {
    const forged = await send('opE1', 'POST', '/handovers', { notes: 'x', snapshot: { alarms: [] } });
    expect([forged.statusCode, code(forged)]).toEqual([400, 'HW_API_VALIDATION']);
    expect((await send('opE1', 'POST', '/handovers', { notes: '' })).statusCode).toBe(400);

    const res = await send('opE1', 'POST', '/handovers', {
      notes: '液氯储罐LT-1101高高报警未消除，已通知维修',
    });
    expect(res.statusCode, res.body).toBe(201);
    e1 = res.json<Handover>();
    expect(e1).toMatchObject({
      desk: { kind: 'enterprise', code: E1 },
      region: 'P32062301',
      outgoingUser: 'opE1',
      outgoingRole: 'operator',
      notes: '液氯储罐LT-1101高高报警未消除，已通知维修',
      createdAt: api.now,
      status: 'pending',
      incomingUser: null,
      acceptedAt: null,
    });
    expect(e1.snapshot.takenAt).toBe(api.now);
    const alarm = e1.snapshot.alarms.find((a) => a.id === 'alarm-e1');
    expect(alarm).toMatchObject({ state: 'UNACK', colour: 'red', enterprise: E1, tag: 'LT-1101' });
    expect(e1.snapshot.warnings.map((w) => w.id)).toEqual(['warning-e1']);
    expect(JSON.stringify(e1.snapshot)).not.toContain(E3);
    expect(await audited('handover.create', e1.id)).toEqual([
      {
        actor: 'opE1',
        scope_enterprise: E1,
        after: { desk: e1.desk, notes: e1.notes, alarms: 2, warnings: 1 },
      },
    ]);
    const read = await send('opE1b', 'GET', `/handovers/${e1.id}`);
    expect(read.json()).toEqual(e1);
  });

  it('refuses a second handover of the desk while one is pending', async () => {
    const again = await send('opE1b', 'POST', '/handovers', { notes: '再交一次' });
    expect([again.statusCode, code(again)]).toEqual([409, 'HW_API_HANDOVER_PENDING']);
    expect((await list('opE1', '?status=pending')).map((h) => h.id)).toEqual([e1.id]);
  });

  it('refuses acceptance by the same user, a role without a shift, another desk and another enterprise', async () => {
    const own = await send('opE1', 'POST', `/handovers/${e1.id}/accept`, {});
    expect([own.statusCode, code(own)]).toEqual([409, 'HW_API_HANDOVER_OWN']);
    const sm = await send('smE1', 'POST', `/handovers/${e1.id}/accept`, {});
    expect([sm.statusCode, code(sm)]).toEqual([403, 'HW_API_FORBIDDEN']);
    // The county's duty centre sees E1's record but is not E1's desk.
    const county = await send('regCounty', 'POST', `/handovers/${e1.id}/accept`, {});
    expect([county.statusCode, code(county)]).toEqual([403, 'HW_API_HANDOVER_OTHER_DESK']);
    for (const who of ['opE2', 'opE3', 'regOther'] as const) {
      const other = await send(who, 'POST', `/handovers/${e1.id}/accept`, {});
      expect([other.statusCode, code(other)], who).toEqual([403, 'HW_API_FORBIDDEN']);
      expect((await send(who, 'GET', `/handovers/${e1.id}`)).statusCode, who).toBe(403);
      expect(await list(who), who).toEqual([]);
    }
    const denied = await api.client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'access.denied' AND actor = 'opE2'`,
    );
    expect(denied.rows[0]!.n).toBe(2);
    expect((await send('opE1b', 'POST', '/handovers/999999/accept', {})).statusCode).toBe(404);
    expect((await send('opE1b', 'GET', `/handovers/${e1.id}`)).json<Handover>().status).toBe('pending');
  });

  it('another operator of the desk accepts once, with a note; accepting twice is refused', async () => {
    const res = await send('opE1b', 'POST', `/handovers/${e1.id}/accept`, { note: '已到现场确认' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      ...e1,
      status: 'accepted',
      incomingUser: 'opE1b',
      incomingRole: 'operator',
      acceptedAt: api.now,
      acceptNote: '已到现场确认',
    });
    expect((await audited('handover.accept', e1.id)).map((r) => [r.actor, r.after])).toEqual([
      ['opE1b', { status: 'accepted', note: '已到现场确认' }],
    ]);
    const twice = await send('opE1b', 'POST', `/handovers/${e1.id}/accept`, {});
    expect([twice.statusCode, code(twice)]).toEqual([409, 'HW_API_HANDOVER_NOT_PENDING']);
    // The desk is free again: the incoming operator hands over at the end of the shift.
    const next = await send('opE1b', 'POST', '/handovers', { notes: '夜班交班：无新增报警' });
    expect(next.statusCode, next.body).toBe(201);
  });

  it("a regulator's duty centre hands over its region's open 预警; another regulator of the region accepts", async () => {
    const res = await send('regCounty', 'POST', '/handovers', { notes: '县应急局值班：红色预警督办中' });
    expect(res.statusCode, res.body).toBe(201);
    const county = res.json<Handover>();
    expect(county).toMatchObject({
      desk: { kind: 'region', code: COUNTY_A },
      region: COUNTY_A,
      outgoingRole: 'regulator_county',
    });
    expect(county.snapshot.warnings.map((w) => w.id)).toEqual(['warning-e1']);
    expect(JSON.stringify(county.snapshot)).not.toContain(E3);
    // The city sees it (its subtree) but is another desk; E1's operators do not see it.
    expect((await list('regCity', '?desk=' + COUNTY_A)).map((h) => h.id)).toEqual([county.id]);
    expect((await send('regCity', 'POST', `/handovers/${county.id}/accept`, {})).statusCode).toBe(403);
    expect((await send('opE1', 'GET', `/handovers/${county.id}`)).statusCode).toBe(403);
    const accepted = await send('regCounty2', 'POST', `/handovers/${county.id}/accept`, {});
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json<Handover>()).toMatchObject({ incomingUser: 'regCounty2', acceptNote: null });
  });

  it('the administrator keeps no shift but reads every record; the list is searchable and paged', async () => {
    const admin = await send('admin', 'POST', '/handovers', { notes: 'x' });
    expect([admin.statusCode, code(admin)]).toEqual([403, 'HW_API_FORBIDDEN']);
    expect((await list('admin')).length).toBe(3);
    expect((await list('opE1')).map((h) => h.outgoingUser)).toEqual(['opE1b', 'opE1']);
    expect((await list('regCounty')).length, 'its own desk and E1’s').toBe(3);
    expect((await list('opE1', `?q=${encodeURIComponent('lt-1101')}`)).map((h) => h.id)).toEqual([e1.id]);
    expect((await list('opE1', `?q=${encodeURIComponent('现场确认')}`)).map((h) => h.id)).toEqual([e1.id]);
    expect((await list('opE1', '?user=opE1b')).length, 'outgoing or incoming').toBe(2);
    expect((await list('opE1', '?status=accepted')).map((h) => h.id)).toEqual([e1.id]);
    expect((await list('opE1', `?desk=${E2}`)).length).toBe(0);
    expect((await list('opE1', `?from=${api.now + 1}`)).length).toBe(0);
    expect((await list('opE1', `?from=${api.now}&to=${api.now + 1}`)).length).toBe(2);
    const page = await send('admin', 'GET', '/handovers?limit=1&offset=1');
    expect(page.json<HandoverPage>()).toMatchObject({ total: 3, limit: 1, offset: 1 });
    const badRange = await send('opE1', 'GET', `/handovers?from=${api.now}&to=${api.now}`);
    expect([badRange.statusCode, code(badRange)]).toEqual([400, 'HW_API_RANGE_INVALID']);
    expect((await send('opE1', 'GET', `/handovers?q=${'x'.repeat(201)}`)).statusCode).toBe(400);
    expect((await send('opE1', 'GET', '/handovers?status=open')).statusCode).toBe(400);
    expect((await send('opE1', 'GET', '/handovers/abc')).statusCode).toBe(400);
  });
});
