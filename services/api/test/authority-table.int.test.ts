import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUTHORITY_ACTIONS,
  DEFAULT_AUTHORITY_TABLE,
  isApprovable,
  verdictOf,
  type AuthorityAction,
  type AuthorityRole,
} from '@hazardwatch/api';
import {
  buildTestApi,
  CITY,
  COUNTY_A,
  E1,
  PARK_A,
  testSiteJson,
  type TestApi,
  type TestUser,
} from './support/api-fixture.js';
import { seedPendingChanges } from './support/change-seed.js';
import { pngImage } from './support/images.js';

/**
 * The authority table (issue #19 item 1, "Must show"): every route × seven users, one of each
 * table role, all in scope of enterprise E1 (county 320623 ⊂ city 320600 ⊂ province 320000). Each
 * user's answer follows the table's verdict for its role on the route's action: `refuse` → 403
 * HW_API_FORBIDDEN and an `authority.refused` audit row; `allow` → not refused by authority.
 *
 * Requests that would destroy what later rows need name resources that do not exist: the table is
 * checked before the resource is looked up, so an allowed caller gets 404 and a refused one 403.
 */
const SEVEN: Readonly<Record<AuthorityRole, TestUser>> = {
  operator: 'opE1',
  safety_manager: 'smE1',
  regulator_county: 'regCounty',
  regulator_city: 'regCity',
  regulator_province: 'regProvince',
  viewer: 'viewerCounty',
  admin: 'admin',
};

interface Request {
  readonly url: string;
  readonly body?: Record<string, unknown>;
  readonly raw?: { readonly contentType: string; readonly payload: Buffer };
  /** Region routes: enterprise roles see no region, so scope refuses them even when allowed. */
  readonly regionScoped?: boolean;
}

const range = 'from=1772400000000&to=1772440000000';
const pointE1 = 1;
const NO_USER = '00000000-0000-4000-8000-000000000000';
const example = JSON.parse(testSiteJson()) as Record<'hazards' | 'points', Array<Record<string, unknown>>>;
const withoutEnterprise = ({ enterprise: _e, ...rest }: Record<string, unknown>) => rest;
const newPoint = {
  ...withoutEnterprise(example.points.find((p) => p['enterprise'] === E1)!),
  tag: 'AUTH-NEW-1',
};
/** E1's own hazard again: allowed callers get 409 (it exists), the site stays as it is. */
const sameHazard = withoutEnterprise(example.hazards.find((h) => h['code'] === 'CL-TF01')!);

/** One request per route that names an action; a route missing here fails the first test. */
const REQUESTS: Record<string, Request> = {
  'GET /api/v1/auth/me': { url: '/api/v1/auth/me' },
  'GET /api/v1/users': { url: '/api/v1/users' },
  'POST /api/v1/users': {
    url: '/api/v1/users',
    body: { username: 'auth-new', password: 'long enough password', role: 'viewer', regionCode: COUNTY_A },
  },
  'PATCH /api/v1/users/:id': { url: `/api/v1/users/${NO_USER}`, body: { disabled: true } },
  'DELETE /api/v1/users/:id': { url: `/api/v1/users/${NO_USER}` },
  'GET /api/v1/regions': { url: '/api/v1/regions' },
  'GET /api/v1/regions/:code': { url: `/api/v1/regions/${COUNTY_A}`, regionScoped: true },
  'GET /api/v1/regions/:code/overview': { url: `/api/v1/regions/${COUNTY_A}/overview`, regionScoped: true },
  'GET /api/v1/regions/:code/kpis': { url: `/api/v1/regions/${COUNTY_A}/kpis?${range}`, regionScoped: true },
  'GET /api/v1/enterprises': { url: '/api/v1/enterprises' },
  'GET /api/v1/enterprises/:enterprise': { url: `/api/v1/enterprises/${E1}` },
  'GET /api/v1/enterprises/:enterprise/gateways': { url: `/api/v1/enterprises/${E1}/gateways` },
  'GET /api/v1/enterprises/:enterprise/latest': { url: `/api/v1/enterprises/${E1}/latest` },
  'GET /api/v1/enterprises/:enterprise/kpis': { url: `/api/v1/enterprises/${E1}/kpis?${range}` },
  'GET /api/v1/reports': { url: `/api/v1/reports?scope=enterprise:${E1}&period=day&date=2026-03-01` },
  'GET /api/v1/hazards': { url: '/api/v1/hazards' },
  'GET /api/v1/enterprises/:enterprise/hazards/:hazard': { url: `/api/v1/enterprises/${E1}/hazards/CL-TF01` },
  'GET /api/v1/enterprises/:enterprise/hazards/:hazard/latest': {
    url: `/api/v1/enterprises/${E1}/hazards/CL-TF01/latest`,
  },
  'GET /api/v1/points': { url: '/api/v1/points' },
  'GET /api/v1/points/:id': { url: `/api/v1/points/${pointE1}` },
  'GET /api/v1/points/:id/latest': { url: `/api/v1/points/${pointE1}/latest` },
  'GET /api/v1/points/:id/history': { url: `/api/v1/points/${pointE1}/history?${range}` },
  'GET /api/v1/history': { url: `/api/v1/history?points=${pointE1}&${range}` },
  'GET /api/v1/history/export': { url: `/api/v1/history/export?points=${pointE1}&${range}&format=csv` },
  'GET /api/v1/enterprises/:enterprise/plans': { url: `/api/v1/enterprises/${E1}/plans` },
  'PUT /api/v1/enterprises/:enterprise/plans/:plan': {
    url: `/api/v1/enterprises/${E1}/plans/main`,
    raw: { contentType: 'image/png', payload: pngImage(2, 2) },
  },
  'GET /api/v1/enterprises/:enterprise/plans/:plan': { url: `/api/v1/enterprises/${E1}/plans/main` },
  'DELETE /api/v1/enterprises/:enterprise/plans/:plan': { url: `/api/v1/enterprises/${E1}/plans/none` },
  'GET /api/v1/site': { url: '/api/v1/site' },
  'PUT /api/v1/site': { url: '/api/v1/site', body: { format: 'json', text: '{}' } },
  'POST /api/v1/regions': {
    url: '/api/v1/regions',
    body: { code: '320698', name: '测试区', kind: 'county', parent: CITY },
  },
  'PATCH /api/v1/regions/:code': {
    url: `/api/v1/regions/${COUNTY_A}`,
    body: { name: '如东县' },
    regionScoped: true,
  },
  'DELETE /api/v1/regions/:code': { url: '/api/v1/regions/999999', regionScoped: true },
  'POST /api/v1/enterprises': {
    url: '/api/v1/enterprises',
    body: { code: 'AUTH-NEW-E', name: '新企业', region: PARK_A, location: { lon: 121, lat: 32.5 } },
  },
  'PATCH /api/v1/enterprises/:enterprise': {
    url: `/api/v1/enterprises/${E1}`,
    body: { name: '如东示例化工' },
  },
  'DELETE /api/v1/enterprises/:enterprise': { url: '/api/v1/enterprises/NO-SUCH-E' },
  'POST /api/v1/enterprises/:enterprise/hazards': {
    url: `/api/v1/enterprises/${E1}/hazards`,
    body: sameHazard,
  },
  'PATCH /api/v1/enterprises/:enterprise/hazards/:hazard': {
    url: `/api/v1/enterprises/${E1}/hazards/CL-TF01`,
    body: { name: '液氯罐区' },
  },
  'DELETE /api/v1/enterprises/:enterprise/hazards/:hazard': {
    url: `/api/v1/enterprises/${E1}/hazards/NO-SUCH-H`,
  },
  'POST /api/v1/enterprises/:enterprise/gateways': {
    url: `/api/v1/enterprises/${E1}/gateways`,
    body: { code: 'GW01', name: '重复网关' },
  },
  'PATCH /api/v1/enterprises/:enterprise/gateways/:gateway': {
    url: `/api/v1/enterprises/${E1}/gateways/GW01`,
    body: { offlineAfterSec: 180 },
  },
  'DELETE /api/v1/enterprises/:enterprise/gateways/:gateway': {
    url: `/api/v1/enterprises/${E1}/gateways/NO-SUCH-GW`,
  },
  'POST /api/v1/enterprises/:enterprise/points': { url: `/api/v1/enterprises/${E1}/points`, body: newPoint },
  'PATCH /api/v1/points/:id': { url: `/api/v1/points/${pointE1}`, body: { name: '液氯储罐压力' } },
  'POST /api/v1/site/check': {
    url: '/api/v1/site/check',
    body: { op: 'update', entity: 'point', key: { enterprise: E1, tag: 'LT-1101' }, patch: { name: '液位' } },
  },
  'DELETE /api/v1/points/:id': { url: '/api/v1/points/999999' },
  'GET /api/v1/enterprises/:enterprise/gateways/:gateway/credentials': {
    url: `/api/v1/enterprises/${E1}/gateways/GW01/credentials`,
  },
  'POST /api/v1/enterprises/:enterprise/gateways/:gateway/credentials': {
    url: `/api/v1/enterprises/${E1}/gateways/GW01/credentials`,
    body: {},
  },
  'DELETE /api/v1/enterprises/:enterprise/gateways/:gateway/credentials': {
    url: `/api/v1/enterprises/${E1}/gateways/GW01/credentials`,
  },
  'GET /api/v1/alarms/active': { url: '/api/v1/alarms/active' },
  'GET /api/v1/alarms': { url: '/api/v1/alarms' },
  'GET /api/v1/alarms/active/export': { url: '/api/v1/alarms/active/export?format=csv' },
  'GET /api/v1/alarm-journal': { url: `/api/v1/alarm-journal?${range}` },
  'GET /api/v1/alarm-journal/export': { url: `/api/v1/alarm-journal/export?${range}&format=csv` },
  'GET /api/v1/alarms/:id': { url: '/api/v1/alarms/alarm-e1' },
  'POST /api/v1/alarms/:id/ack': { url: '/api/v1/alarms/alarm-e1/ack', body: {} },
  'POST /api/v1/alarms/:id/shelve': {
    url: '/api/v1/alarms/alarm-e1/shelve',
    body: { reason: 'sensor recalibration', until: 1772500000000 },
  },
  'POST /api/v1/alarms/:id/unshelve': { url: '/api/v1/alarms/alarm-e1/unshelve', body: {} },
  'POST /api/v1/alarms/:id/oos': { url: '/api/v1/alarms/alarm-e1/oos', body: { reason: 'maintenance' } },
  'POST /api/v1/alarms/:id/return': { url: '/api/v1/alarms/alarm-e1/return', body: {} },
  'POST /api/v1/alarms/:id/comment': {
    url: '/api/v1/alarms/alarm-e1/comment',
    body: { text: 'checked on site' },
  },
  'POST /api/v1/alarms/horn/silence': {
    url: '/api/v1/alarms/horn/silence',
    body: { sounding: 1, alarms: ['alarm-e1'] },
  },
  'GET /api/v1/warnings': { url: '/api/v1/warnings' },
  'GET /api/v1/warnings/records': { url: '/api/v1/warnings/records' },
  'GET /api/v1/warnings/:id': { url: '/api/v1/warnings/warning-e1' },
  'POST /api/v1/warnings/:id/sign': { url: '/api/v1/warnings/warning-e1/sign', body: {} },
  'POST /api/v1/warnings/:id/feedback': {
    url: '/api/v1/warnings/warning-e1/feedback',
    body: { text: 'valve closed' },
  },
  'POST /api/v1/warnings/:id/urge': {
    url: '/api/v1/warnings/warning-e1/urge',
    body: { text: '请于今日17时前反馈', deadline: 1772500000000 },
  },
  'POST /api/v1/warnings/:id/verify': {
    url: '/api/v1/warnings/warning-e1/verify',
    body: { text: '现场核查属实' },
  },
  'POST /api/v1/warnings/:id/close': { url: '/api/v1/warnings/warning-e1/close', body: {} },
  // Monitoring changes (issue #19): seeded pending changes 1–3 of E1; approval of 1 fails (409).
  'GET /api/v1/changes': { url: '/api/v1/changes' },
  'GET /api/v1/changes/:id': { url: '/api/v1/changes/1' },
  'POST /api/v1/changes/:id/approve': { url: '/api/v1/changes/1/approve', body: {} },
  'POST /api/v1/changes/:id/deny': { url: '/api/v1/changes/2/deny', body: { note: '不同意' } },
  'POST /api/v1/changes/:id/withdraw': { url: '/api/v1/changes/3/withdraw', body: {} },
  // Shift handovers (issue #21): accept names no record (allowed → 404), the table decides first.
  'GET /api/v1/handovers': { url: '/api/v1/handovers' },
  'GET /api/v1/handovers/snapshot': { url: '/api/v1/handovers/snapshot' },
  'GET /api/v1/handovers/:id': { url: '/api/v1/handovers/1' },
  'POST /api/v1/handovers': { url: '/api/v1/handovers', body: { notes: '交班：无异常' } },
  'POST /api/v1/handovers/:id/accept': { url: '/api/v1/handovers/999999/accept', body: {} },
  'GET /api/v1/data-loss': { url: '/api/v1/data-loss' },
  'GET /api/v1/audit': { url: '/api/v1/audit' },
};

describe('authority table over every route × seven roles', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await buildTestApi();
    await seedPendingChanges(api.client);
  });
  afterAll(() => api.close());

  const actionOf = (key: string): AuthorityAction | null =>
    api.app.routeScopes.find((r) => `${r.method} ${r.url}` === key)?.action ?? null;

  it('every non-public route names an action of the table, and has a request here', () => {
    const guarded = api.app.routeScopes.filter((r) => r.scope.kind !== 'public');
    expect(guarded.length).toBeGreaterThan(40);
    for (const r of guarded) {
      expect(r.action, `${r.method} ${r.url}`).not.toBeNull();
      expect(AUTHORITY_ACTIONS, `${r.method} ${r.url}`).toContain(r.action);
    }
    const keys = guarded.map((r) => `${r.method} ${r.url}`);
    expect(
      keys.filter((k) => !(k in REQUESTS)),
      'routes without a request',
    ).toEqual([]);
    expect(
      Object.keys(REQUESTS).filter((k) => !keys.includes(k)),
      'requests for unknown routes',
    ).toEqual([]);
  });

  it('has no dead rows: every action but the monitoring-change kinds is used by a route', () => {
    const used = new Set(
      api.app.routeScopes.flatMap((r) => [
        ...(r.action ? [r.action] : []),
        ...Object.values(r.scope.kind === 'public' ? {} : (r.scope.fields ?? {})),
      ]),
    );
    expect(AUTHORITY_ACTIONS.filter((a) => !isApprovable(a) && !used.has(a))).toEqual([]);
  });

  const inject = (key: string, user: TestUser, request: Request = REQUESTS[key]!) =>
    api.app.inject({
      method: key.split(' ')[0] as 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
      url: request.url,
      headers: { ...api.auth(user), ...(request.raw ? { 'content-type': request.raw.contentType } : {}) },
      ...(request.body ? { payload: request.body } : {}),
      ...(request.raw ? { payload: request.raw.payload } : {}),
    });

  /** `authority.refused` rows of this user on this route, with what they record. */
  const refusals = async (user: TestUser, key: string) => {
    const { rows } = await api.client.query<{ after: Record<string, unknown> }>(
      `SELECT after FROM audit_log WHERE action = 'authority.refused' AND actor = $1 AND target_id = $2 ORDER BY id`,
      [user, key],
    );
    return rows.map((r) => r.after);
  };

  for (const [key, request] of Object.entries(REQUESTS)) {
    it(`${key}: each role as the table says`, async () => {
      const action = actionOf(key);
      expect(action, `${key} names an action`).not.toBeNull();
      for (const [role, user] of Object.entries(SEVEN) as Array<[AuthorityRole, TestUser]>) {
        const verdict = verdictOf(DEFAULT_AUTHORITY_TABLE, action!, role);
        const seen = (await refusals(user, key)).length;
        const answer = await inject(key, user, request);
        const after = await refusals(user, key);
        if (verdict === 'refuse') {
          expect(answer.statusCode, `${role} ${key}: ${answer.body}`).toBe(403);
          expect(answer.json()).toMatchObject({ code: 'HW_API_FORBIDDEN' });
          expect(after.length, `${role} ${key}: refusal audited`).toBe(seen + 1);
          expect(after.at(-1)).toMatchObject({
            action,
            role,
            method: key.split(' ')[0],
            url: request.url.split('?')[0],
          });
        } else {
          expect(after.length, `${role} ${key}: no authority refusal`).toBe(seen);
          if (request.regionScoped === true && (role === 'operator' || role === 'safety_manager')) {
            expect(answer.statusCode, `${role} ${key}: ${answer.body}`).toBe(403);
            expect(answer.body).toContain('outside your scope');
          } else expect(answer.statusCode, `${role} ${key}: ${answer.body}`).not.toBe(403);
        }
      }
    });
  }
});

/** The cases, each refused, audited, and with nothing done. */
describe('duties of the issue', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await buildTestApi();
  });
  afterAll(() => api.close());

  const send = (user: TestUser, method: 'POST' | 'PATCH', url: string, payload: Record<string, unknown>) =>
    api.app.inject({ method, url, headers: api.auth(user), payload });
  const refused = async (user: TestUser, action: string): Promise<number> => {
    const { rows } = await api.client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'authority.refused' AND actor = $1 AND after->>'action' = $2`,
      [user, action],
    );
    return rows[0]?.n ?? 0;
  };

  it('a county regulator may not acknowledge a plant alarm nor sign its 预警; the operator may', async () => {
    const calls = api.control.calls.length;
    const ack = await send('regCounty', 'POST', '/api/v1/alarms/alarm-e1/ack', {});
    expect([ack.statusCode, ack.json<{ code: string }>().code]).toEqual([403, 'HW_API_FORBIDDEN']);
    expect(ack.json<{ message: string }>().message).toContain('regulator_county may not alarm.ack');
    const sign = await send('regCounty', 'POST', '/api/v1/warnings/warning-e1/sign', {});
    expect([sign.statusCode, sign.json<{ code: string }>().code]).toEqual([403, 'HW_API_FORBIDDEN']);
    expect(api.control.calls.length, 'the alarm engine was never asked').toBe(calls);
    expect(await refused('regCounty', 'alarm.ack')).toBe(1);
    expect(await refused('regCounty', 'warning.sign')).toBe(1);
    expect((await send('opE1', 'POST', '/api/v1/alarms/alarm-e1/ack', {})).statusCode).toBe(200);
  });

  it('an operator may not edit limits; the safety manager may', async () => {
    const limits = { limits: { h: 80, hh: 99 } };
    const op = await send('opE1', 'PATCH', '/api/v1/points/1', limits);
    expect([op.statusCode, op.json<{ code: string }>().code]).toEqual([403, 'HW_API_FORBIDDEN']);
    expect(await refused('opE1', 'site.point.write')).toBe(1);
    const sm = await send('smE1', 'PATCH', '/api/v1/points/1', { name: '液氯储罐液位' });
    expect(sm.statusCode, sm.body).toBe(200);
  });

  it("an enterprise's region changes by the administrator only, its risk grade by the regulator", async () => {
    const move = await send('smE1', 'PATCH', `/api/v1/enterprises/${E1}`, { region: CITY });
    expect([move.statusCode, move.json<{ code: string }>().code]).toEqual([403, 'HW_API_FORBIDDEN']);
    expect(await refused('smE1', 'site.enterprise.identity')).toBe(1);
    const regMove = await send('regCounty', 'PATCH', `/api/v1/enterprises/${E1}`, { region: CITY });
    expect(regMove.statusCode).toBe(403);
    const selfGrade = await send('smE1', 'PATCH', `/api/v1/enterprises/${E1}`, {
      name: 'x',
      risk: { score: 99 },
    });
    expect(selfGrade.statusCode).toBe(403);
    expect(await refused('smE1', 'site.enterprise.risk')).toBe(1);
    // The regulator grades the risk: not refused by the table (the site edit may still ask for a
    // reason, as it does for every change that weakens monitoring).
    const grade = await send('regCounty', 'PATCH', `/api/v1/enterprises/${E1}`, { risk: { score: 60 } });
    expect(grade.statusCode, grade.body).not.toBe(403);
    expect(await refused('regCounty', 'site.enterprise.risk')).toBe(0);
    const rename = await send('regCounty', 'PATCH', `/api/v1/enterprises/${E1}`, { name: '监管改名' });
    expect(rename.statusCode).toBe(403);
    const admin = await send('admin', 'PATCH', `/api/v1/enterprises/${E1}`, { region: PARK_A });
    expect(admin.statusCode, admin.body).not.toBe(403);
    expect(await refused('admin', 'site.enterprise.identity')).toBe(0);
  });
});

describe('the safety manager role through the users API (issue #19)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await buildTestApi();
  });
  afterAll(() => api.close());

  const create = (payload: Record<string, unknown>) =>
    api.app.inject({ method: 'POST', url: '/api/v1/users', headers: api.auth('admin'), payload });

  it('is created with one enterprise and no region, logs in, and sees that enterprise only', async () => {
    const password = 'long enough password';
    const made = await create({ username: 'sm-new', password, role: 'safety_manager', enterpriseCode: E1 });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json()).toMatchObject({ role: 'safety_manager', enterpriseCode: E1, regionCode: null });
    const noEnterprise = await create({
      username: 'sm-bad',
      password,
      role: 'safety_manager',
      regionCode: COUNTY_A,
    });
    expect([noEnterprise.statusCode, noEnterprise.json<{ code: string }>().code]).toEqual([
      400,
      'HW_API_USER_INVALID',
    ]);

    const login = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'sm-new', password },
    });
    expect(login.statusCode, login.body).toBe(200);
    const headers = { authorization: `Bearer ${login.json<{ accessToken: string }>().accessToken}` };
    const enterprises = await api.app.inject({ method: 'GET', url: '/api/v1/enterprises', headers });
    expect(enterprises.json<{ items: Array<{ code: string }> }>().items.map((e) => e.code)).toEqual([E1]);
    const me = await api.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers });
    expect(me.json()).toMatchObject({ role: 'safety_manager', authorityRole: 'safety_manager' });
  });
});

describe('GET /auth/me answers the caller’s effective permissions', () => {
  let api: TestApi;
  beforeAll(async () => {
    // Overrides from the configuration are what the guard enforces and what /auth/me reports.
    api = await buildTestApi({
      config: {
        authority: {
          'alarm.comment': { regulator_county: 'refuse' },
          'site.export': { regulator_province: 'allow' },
        },
      },
    });
  });
  afterAll(() => api.close());

  const me = async (user: TestUser) => {
    const res = await api.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: api.auth(user) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ role: string; authorityRole: string; permissions: Record<string, string> }>();
  };

  it('gives every action its verdict for the caller’s table role', async () => {
    for (const [role, user] of Object.entries(SEVEN) as Array<[AuthorityRole, TestUser]>) {
      const body = await me(user);
      expect(body.authorityRole).toBe(role);
      expect(Object.keys(body.permissions).sort()).toEqual([...AUTHORITY_ACTIONS].sort());
    }
    // A regulator sees no Ack button; the duty room does.
    expect((await me('regCounty')).permissions['alarm.ack']).toBe('refuse');
    expect((await me('opE1')).permissions['alarm.ack']).toBe('allow');
    expect((await me('smE1')).permissions['monitoring.gas-detector.disable']).toBe('approval');
    expect((await me('regCity')).permissions['warning.urge']).toBe('allow');
  });

  it('reports and enforces the configured overrides', async () => {
    expect((await me('regCounty')).permissions['alarm.comment']).toBe('refuse');
    expect((await me('regCity')).permissions['alarm.comment']).toBe('allow');
    const comment = await api.app.inject({
      method: 'POST',
      url: '/api/v1/alarms/alarm-e1/comment',
      headers: api.auth('regCounty'),
      payload: { text: 'seen' },
    });
    expect(comment.statusCode).toBe(403);
    expect((await me('regProvince')).permissions['site.export']).toBe('allow');
    const exported = await api.app.inject({
      method: 'GET',
      url: '/api/v1/site',
      headers: api.auth('regProvince'),
    });
    expect(exported.statusCode, exported.body).toBe(200);
  });
});
