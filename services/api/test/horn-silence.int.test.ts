import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditPage } from '@hazardwatch/contracts';
import { buildTestApi, COUNTY_A, E1, NOW, PARK_A, type TestApi } from './support/api-fixture.js';

/**
 * Issue #21 (a): silencing a console's horn is audited — who, when, how many alarms were sounding
 * — under the caller's scope, so the enterprise's regulators see it; it changes no alarm.
 */
describe('POST /alarms/horn/silence', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await buildTestApi();
  });
  afterAll(() => api.close());

  const silence = (user: 'opE1' | 'regCounty', payload: unknown) =>
    api.app.inject({
      method: 'POST',
      url: '/api/v1/alarms/horn/silence',
      headers: api.auth(user),
      payload: payload as Record<string, unknown>,
    });
  const audit = async (actor: string) => {
    const res = await api.app.inject({
      method: 'GET',
      url: `/api/v1/audit?action=alarm.horn.silence&actor=${actor}`,
      headers: api.auth('regCounty'),
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<AuditPage>().items;
  };

  it('records the silence with user, time, count and alarms, in the enterprise’s scope', async () => {
    const res = await silence('opE1', { sounding: 2, alarms: ['alarm-e1', 'gw-e1'] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ at: NOW, sounding: 2 });
    const [entry, ...more] = await audit('opE1');
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      ts: NOW,
      actor: 'opE1',
      action: 'alarm.horn.silence',
      targetType: 'horn',
      targetId: null,
      after: { sounding: 2, alarms: ['alarm-e1', 'gw-e1'] },
      scopeEnterprise: E1,
      // E1 lies in the chemical park under county A.
      scopeRegion: PARK_A,
    });
    // A silence acknowledges nothing.
    expect(api.control.calls).toEqual([]);
  });

  it('records a regulator’s silence under its region', async () => {
    expect((await silence('regCounty', { sounding: 1 })).statusCode).toBe(200);
    const [entry] = await audit('regCounty');
    expect(entry).toMatchObject({ after: { sounding: 1, alarms: [] }, scopeRegion: COUNTY_A });
  });

  it.each([
    ['no count', {}],
    ['a count of 0', { sounding: 0 }],
    ['an unknown field', { sounding: 1, muted: true }],
  ])('refuses %s (400), recording nothing', async (_name, body) => {
    const before = (await audit('opE1')).length;
    const res = await silence('opE1', body);
    expect(res.statusCode, res.body).toBe(400);
    expect((await audit('opE1')).length).toBe(before);
  });
});
