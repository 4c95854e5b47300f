import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApi, COUNTY_A, E1, E3, NOW, PARK_A, type TestApi } from './support/api-fixture.js';

describe('alarm and 预警 actions, overview, values', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await buildTestApi();
  });
  afterAll(() => api.close());
  beforeEach(() => {
    api.control.calls.length = 0;
    api.control.next = undefined;
  });

  it('passes a shelve to the alarm engine as the caller and audits before/after, actor and address', async () => {
    api.control.next = {
      ok: true,
      before: { state: 'UNACK' },
      after: { state: 'SHLVD', shelvedUntilMs: NOW + 3_600_000 },
    };
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/v1/alarms/alarm-e1/shelve',
      headers: api.auth('opE1'),
      payload: { reason: 'level transmitter recalibration', until: NOW + 3_600_000 },
      remoteAddress: '10.9.8.7',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: 'alarm-e1', action: 'shelve', alarm: { state: 'SHLVD' } });
    expect(api.control.calls).toEqual([
      {
        op: 'act',
        id: 'alarm-e1',
        args: [
          {
            action: 'shelve',
            actor: 'opE1',
            reason: 'level transmitter recalibration',
            untilMs: NOW + 3_600_000,
          },
        ],
      },
    ]);
    const audit = await api.app.inject({
      method: 'GET',
      url: '/api/v1/audit?action=alarm.shelve',
      headers: api.auth('regCounty'),
    });
    expect(audit.json<{ items: unknown[] }>().items).toEqual([
      expect.objectContaining({
        actor: 'opE1',
        action: 'alarm.shelve',
        targetType: 'alarm',
        targetId: 'alarm-e1',
        before: { state: 'UNACK' },
        after: {
          record: { state: 'SHLVD', shelvedUntilMs: NOW + 3_600_000 },
          reason: 'level transmitter recalibration',
        },
        ip: '10.9.8.7',
        scopeEnterprise: E1,
        scopeRegion: PARK_A,
      }),
    ]);
    // The other county's regulator does not see the entry.
    const other = await api.app.inject({
      method: 'GET',
      url: '/api/v1/audit?action=alarm.shelve',
      headers: api.auth('regOther'),
    });
    expect(other.json<{ items: unknown[] }>().items).toEqual([]);
  });

  it("answers the engine's refusal with its own code and status, and audits nothing", async () => {
    api.control.next = {
      ok: false,
      error: {
        code: 'HW_CORE_ALARM_INVALID_TRANSITION',
        message: 'ISA-18.2: cannot ack an alarm in state NORM',
        status: 409,
      },
    };
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/v1/alarms/alarm-e1/ack',
      headers: api.auth('opE1'),
      payload: {},
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      code: 'HW_CORE_ALARM_INVALID_TRANSITION',
      message: 'ISA-18.2: cannot ack an alarm in state NORM',
    });
    const audit = await api.app.inject({
      method: 'GET',
      url: '/api/v1/audit?action=alarm.ack',
      headers: api.auth('admin'),
    });
    expect(audit.json<{ total: number }>().total).toBe(0);
  });

  it('runs the 预警 loop through the seam: sign, feedback, close', async () => {
    // 签收 and 处置反馈 are the enterprise's, 消警 of a red 预警 the regulator's (docs/warnings.md).
    for (const [user, path, payload] of [
      ['opE1', 'sign', {}],
      ['opE1', 'feedback', { text: '已关闭进料阀，液位回落' }],
      ['regCounty', 'close', { reason: 'cause removed' }],
    ] as const) {
      const res = await api.app.inject({
        method: 'POST',
        url: `/api/v1/warnings/warning-e1/${path}`,
        headers: api.auth(user),
        payload,
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    expect(api.control.calls.map((c) => [c.op, ...c.args])).toEqual([
      ['sign', 'opE1'],
      ['feedback', 'opE1', '已关闭进料阀，液位回落'],
      ['close', 'regCounty', 'cause removed'],
    ]);
    const audit = await api.app.inject({
      method: 'GET',
      url: '/api/v1/audit?action=warning.',
      headers: api.auth('admin'),
    });
    // Each step audited with what the caller sent beside the engine's record; 签收 sends nothing,
    // so its entry is the record itself.
    expect(
      audit
        .json<{ items: Array<{ action: string; targetId: string; after: Record<string, unknown> }> }>()
        .items.map((e) => [e.action, e.targetId, e.after]),
    ).toEqual([
      ['warning.close', 'warning-e1', expect.objectContaining({ reason: 'cause removed' })],
      ['warning.feedback', 'warning-e1', expect.objectContaining({ text: '已关闭进料阀，液位回落' })],
      ['warning.sign', 'warning-e1', expect.not.objectContaining({ record: expect.anything() })],
    ]);
  });

  it('lists alarms with filters and shows one with its journal', async () => {
    const get = async (url: string) =>
      (await api.app.inject({ method: 'GET', url, headers: api.auth('admin') })).json<{
        items: Array<{ id: string }>;
        total: number;
      }>();
    expect((await get('/api/v1/alarms/active')).items.map((a) => a.id).sort()).toEqual([
      'alarm-e1',
      'alarm-e3',
      'gw-e1',
    ]);
    expect((await get(`/api/v1/alarms/active?region=${COUNTY_A}`)).items.map((a) => a.id).sort()).toEqual([
      'alarm-e1',
      'gw-e1',
    ]);
    expect(
      (await get(`/api/v1/alarms/active?enterprise=${E1}&hazard=CL-TF01`)).items.map((a) => a.id),
    ).toEqual(['alarm-e1']);
    expect((await get('/api/v1/alarms/active?colour=blue')).items.map((a) => a.id)).toEqual(['gw-e1']);
    expect(
      (await get(`/api/v1/alarms?from=${NOW + 1000}&to=${NOW + 2000}&enterprise=${E3}`)).items.map(
        (a) => a.id,
      ),
    ).toEqual(['alarm-e3']);
    expect((await get(`/api/v1/alarms?from=0&to=${NOW - 3_600_000}`)).total).toBe(0);
    const one = await api.app.inject({
      method: 'GET',
      url: '/api/v1/alarms/alarm-e1',
      headers: api.auth('opE1'),
    });
    expect(one.json()).toMatchObject({
      id: 'alarm-e1',
      enterprise: E1,
      tag: 'LT-1101',
      hazard: 'CL-TF01',
      state: 'UNACK',
      colour: 'red',
      events: [],
    });
    expect(
      (
        await api.app.inject({ method: 'GET', url: '/api/v1/alarms/nope', headers: api.auth('admin') })
      ).json(),
    ).toMatchObject({ code: 'HW_API_NOT_FOUND' });
  });

  it('gives a region overview from the open alarms with the four-colour roll-up', async () => {
    const res = await api.app.inject({
      method: 'GET',
      url: `/api/v1/regions/${COUNTY_A}/overview`,
      headers: api.auth('regCounty'),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      code: COUNTY_A,
      colour: 'red',
      enterprises: { red: 1, total: 2 },
      hazards: { total: 2 },
      children: [{ code: PARK_A, colour: 'red' }],
      gatewaysOffline: { count: 1, items: [{ enterprise: E1, gateway: 'GW01', since: NOW - 60_000 }] },
      stalePoints: { count: 0 },
    });
    const city = await api.app.inject({
      method: 'GET',
      url: '/api/v1/regions/320600/overview',
      headers: api.auth('regCity'),
    });
    expect(city.json()).toMatchObject({
      enterprises: { red: 2, total: 3 },
      children: [
        { code: COUNTY_A, colour: 'red' },
        { code: '320682', colour: 'red' },
      ],
    });
  });

  it('serves latest values and history with automatic resolution', async () => {
    const point = api.site.pointByKey(E1, 'LT-1101')!;
    const values = Array.from({ length: 120 }, (_, i) => ({
      ts: NOW - 120_000 + i * 1000,
      value: 50 + (i % 10),
    }));
    await api.client.query(
      `INSERT INTO readings (point_id, ts, value, quality) SELECT $1, to_timestamp(t / 1000.0), v, 0 FROM unnest($2::float8[], $3::float8[]) AS x(t, v)`,
      [point.id, values.map((v) => v.ts), values.map((v) => v.value)],
    );
    const latest = await api.app.inject({
      method: 'GET',
      url: `/api/v1/points/${point.id}/latest`,
      headers: api.auth('opE1'),
    });
    expect(latest.json()).toEqual({
      items: [
        {
          pointId: point.id,
          tag: 'LT-1101',
          unit: '%',
          ts: NOW - 1000,
          value: 59,
          quality: 0,
          stale: false,
          inService: true,
        },
      ],
    });
    const hazard = await api.app.inject({
      method: 'GET',
      url: `/api/v1/enterprises/${E1}/hazards/CL-TF01/latest`,
      headers: api.auth('opE1'),
    });
    expect(hazard.json<{ items: unknown[] }>().items).toHaveLength(1);
    const raw = await api.app.inject({
      method: 'GET',
      url: `/api/v1/points/${point.id}/history?from=${NOW - 120_000}&to=${NOW}&maxPoints=500`,
      headers: api.auth('opE1'),
    });
    expect(raw.json()).toMatchObject({ resolution: 'raw' });
    expect(raw.json<{ buckets: unknown[] }>().buckets).toHaveLength(120);
    const coarse = await api.app.inject({
      method: 'GET',
      url: `/api/v1/points/${point.id}/history?from=${NOW - 86_400_000}&to=${NOW}&maxPoints=100`,
      headers: api.auth('opE1'),
    });
    expect(coarse.json()).toMatchObject({ resolution: '1h', buckets: [] });
  });

  it('imports a site file as admin, audited, and refuses an invalid one with a coded 400', async () => {
    const invalid = await api.app.inject({
      method: 'PUT',
      url: '/api/v1/site',
      headers: api.auth('admin'),
      payload: { format: 'json', text: '{"version":1}' },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ code: 'HW_API_SITE_INVALID' });
    const exported = await api.app.inject({ method: 'GET', url: '/api/v1/site', headers: api.auth('admin') });
    const text = JSON.stringify(exported.json<{ document: unknown }>().document);
    const put = () =>
      api.app.inject({
        method: 'PUT',
        url: '/api/v1/site',
        headers: api.auth('admin'),
        payload: { format: 'json', text },
      });
    const first = await put();
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ points: api.site.points().length, defects: [] });
    // The same text again adds no version.
    expect((await put()).json()).toMatchObject({ version: first.json<{ version: number }>().version });
    const audit = await api.app.inject({
      method: 'GET',
      url: '/api/v1/audit?action=site.import',
      headers: api.auth('admin'),
    });
    expect(audit.json<{ total: number }>().total).toBe(2);
  });
});
