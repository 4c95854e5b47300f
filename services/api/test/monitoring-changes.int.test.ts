import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MonitoringChange, MonitoringChangePage } from '@hazardwatch/contracts';
import type { SiteIndex } from '@hazardwatch/core';
import { latestSiteVersion } from '@hazardwatch/store';
import { buildTestApi, COUNTY_B, E1, type TestApi, type TestUser } from './support/api-fixture.js';

/**
 * Issue #19 item 2, end to end through REST: changes that weaken monitoring need a reason, are
 * kept as change records the regulator sees, and by the authority table's default either take
 * effect at once or wait for the regulator's decision.
 */
describe('monitoring changes under oversight', () => {
  let api: TestApi;
  /** The site model in force: site edits and approvals replace it (siteSource.replaced). */
  const inForce: { index?: SiteIndex } = {};

  beforeEach(async () => {
    api = await buildTestApi({
      deps: { site: { current: () => inForce.index, replaced: (next) => (inForce.index = next.index) } },
    });
    inForce.index = api.site;
  });
  afterEach(() => api.close());

  const send = (user: TestUser, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    api.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: api.auth(user),
      ...(payload ? { payload } : {}),
    });
  const point = (tag: string) => inForce.index!.pointByKey(E1, tag)!;
  const reason = (text: string) => `reason=${encodeURIComponent(text)}`;
  const changesAs = async (user: TestUser, query = ''): Promise<MonitoringChange[]> => {
    const res = await send(user, 'GET', `/changes${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<MonitoringChangePage>().items;
  };

  async function requestChlorineDetectorDisable(): Promise<MonitoringChange> {
    const id = point('AT-1101').id;
    const res = await send('smE1', 'PATCH', `/points/${id}?${reason('探头更换，停用两小时')}`, {
      enabled: false,
    });
    expect(res.statusCode, res.body).toBe(202);
    return res.json<{ change: MonitoringChange }>().change;
  }

  it('a safety manager disables the chlorine detector: 202 pending, still enabled; the county approves: disabled', async () => {
    const versionBefore = await latestSiteVersion(api.client);
    const change = await requestChlorineDetectorDisable();
    expect(change).toMatchObject({
      enterprise: E1,
      targetType: 'point',
      targetId: `${E1}/AT-1101`,
      pointId: point('AT-1101').id,
      kinds: ['monitoring.gas-detector.disable'],
      lines: [{ kind: 'monitoring.gas-detector.disable', field: 'enabled', before: true, after: false }],
      reason: '探头更换，停用两小时',
      requestedBy: 'smE1',
      requestedRole: 'safety_manager',
      requestedAt: api.now,
      status: 'pending',
      siteVersion: null,
    });
    // Nothing changed: not in the stored site, not in force.
    expect(await latestSiteVersion(api.client)).toBe(versionBefore);
    expect(point('AT-1101').enabled).toBe(true);

    // The county regulator sees it in its list and by id; the other county does not.
    expect((await changesAs('regCounty', '?status=pending')).map((c) => c.id)).toEqual([change.id]);
    expect((await send('regCounty', 'GET', `/changes/${change.id}`)).json()).toMatchObject({
      status: 'pending',
    });
    expect(await changesAs('regOther')).toEqual([]);
    expect((await send('regOther', 'GET', `/changes/${change.id}`)).statusCode).toBe(403);
    expect((await send('regOther', 'POST', `/changes/${change.id}/approve`, {})).statusCode).toBe(403);
    // The enterprise cannot approve its own change.
    expect((await send('smE1', 'POST', `/changes/${change.id}/approve`, {})).statusCode).toBe(403);
    expect((await send('opE1', 'POST', `/changes/${change.id}/approve`, {})).statusCode).toBe(403);

    const approved = await send('regCounty', 'POST', `/changes/${change.id}/approve`, {
      note: '同意，限两小时',
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json<MonitoringChange>()).toMatchObject({
      status: 'approved',
      decidedBy: 'regCounty',
      decidedAt: api.now,
      decisionNote: '同意，限两小时',
      siteVersion: versionBefore! + 1,
    });
    expect(point('AT-1101').enabled).toBe(false);
    expect(await latestSiteVersion(api.client)).toBe(versionBefore! + 1);
    // Decided once.
    const again = await send('regCounty', 'POST', `/changes/${change.id}/deny`, { note: '不' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'HW_API_CHANGE_NOT_PENDING' });
    const audit = await send('admin', 'GET', '/audit?action=change.');
    expect(audit.json<{ items: Array<{ action: string }> }>().items.map((e) => e.action)).toEqual([
      'change.approve',
      'change.request',
    ]);
  });

  it('the same, denied: the point stays enabled', async () => {
    const change = await requestChlorineDetectorDisable();
    // A denial says why (its body needs the note); a withdrawal may not.
    expect((await send('regCounty', 'POST', `/changes/${change.id}/deny`, {})).statusCode).toBe(400);
    const denied = await send('regCounty', 'POST', `/changes/${change.id}/deny`, {
      note: '罐区作业期间不得停用',
    });
    expect(denied.statusCode, denied.body).toBe(200);
    expect(denied.json()).toMatchObject({
      status: 'denied',
      decisionNote: '罐区作业期间不得停用',
      siteVersion: null,
    });
    expect(point('AT-1101').enabled).toBe(true);
    expect((await send('regCounty', 'POST', `/changes/${change.id}/approve`, {})).statusCode).toBe(409);
    expect(point('AT-1101').enabled).toBe(true);
  });

  it('the enterprise may withdraw its pending change; a regulator may not', async () => {
    const change = await requestChlorineDetectorDisable();
    expect((await send('regCounty', 'POST', `/changes/${change.id}/withdraw`, {})).statusCode).toBe(403);
    const withdrawn = await send('smE1', 'POST', `/changes/${change.id}/withdraw`, {});
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect(withdrawn.json()).toMatchObject({ status: 'withdrawn', decidedBy: 'smE1' });
  });

  it('an approval that no longer applies fails (409) and changes nothing', async () => {
    const change = await requestChlorineDetectorDisable();
    // The admin edits the same detector meanwhile: the regulator's before/after no longer holds.
    const renamed = await send('admin', 'PATCH', `/points/${point('AT-1101').id}`, {
      name: '罐区氯气探测器（新）',
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    const res = await send('regCounty', 'POST', `/changes/${change.id}/approve`, {});
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json()).toMatchObject({ code: 'HW_API_CHANGE_FAILED' });
    expect((await send('regCounty', 'GET', `/changes/${change.id}`)).json()).toMatchObject({
      status: 'failed',
    });
    expect(point('AT-1101').enabled).toBe(true);
  });

  it('a weakening write without a reason is refused (400) and changes nothing', async () => {
    const res = await send('smE1', 'PATCH', `/points/${point('AT-1101').id}`, { enabled: false });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 'HW_API_CHANGE_REASON_REQUIRED' });
    const admin = await send('admin', 'DELETE', `/points/${point('TT-1101').id}`);
    expect(admin.json()).toMatchObject({ code: 'HW_API_CHANGE_REASON_REQUIRED' });
    // A write that weakens nothing needs none.
    const renamed = await send('smE1', 'PATCH', `/points/${point('TT-1101').id}`, { name: '储罐温度' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).not.toHaveProperty('change');
    expect(await changesAs('admin')).toEqual([]);
  });

  it('a create of an existing entity is refused naming it by its key (the shared SiteWriter)', async () => {
    const res = await send('smE1', 'POST', `/enterprises/${E1}/gateways`, { code: 'GW01', name: '重复网关' });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json()).toMatchObject({ code: 'HW_API_SITE_ENTITY_EXISTS' });
    expect(res.json<{ message: string }>().message).toContain(`${E1}/GW01`);
    expect(res.json<{ message: string }>().message).not.toContain('重复网关');
  });

  it('raising HH 85 → 99 is applied at once, with a change record the regulator sees', async () => {
    const id = point('LT-1101').id;
    const res = await send('smE1', 'PATCH', `/points/${id}?${reason('液位计标定后调整')}`, {
      limits: { hh: 99 },
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ siteVersion: number; change: MonitoringChange }>();
    expect(body.change).toMatchObject({
      status: 'applied',
      kinds: ['monitoring.limit.weaken'],
      lines: [{ kind: 'monitoring.limit.weaken', field: 'limits.hh', before: 85, after: 99 }],
      siteVersion: body.siteVersion,
    });
    expect(point('LT-1101').limits.hh).toBe(99);
    expect((await changesAs('regCounty')).map((c) => c.id)).toEqual([body.change.id]);
    expect((await changesAs('regCity', '?kind=monitoring.limit.weaken')).map((c) => c.id)).toEqual([
      body.change.id,
    ]);
    expect(await changesAs('regCounty', '?kind=monitoring.point.disable')).toEqual([]);
    expect(await changesAs('opE2')).toEqual([]);
  });

  it('lowering the hazard level waits for approval', async () => {
    const res = await send('smE1', 'PATCH', `/enterprises/${E1}/hazards/CL-TF01?${reason('重新辨识')}`, {
      declaredLevel: 4,
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json<{ change: MonitoringChange }>().change).toMatchObject({
      targetType: 'hazard',
      targetId: `${E1}/CL-TF01`,
      kinds: ['monitoring.hazard.level.lower'],
      status: 'pending',
    });
    expect(inForce.index!.hazard(E1, 'CL-TF01')!.declaredLevel).toBe(1);
    // The city approves: the stored hazard (nested objects, read back from jsonb) still matches.
    const { id } = res.json<{ change: MonitoringChange }>().change;
    const approved = await send('regCity', 'POST', `/changes/${id}/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    expect(inForce.index!.hazard(E1, 'CL-TF01')!.declaredLevel).toBe(4);
  });

  it("an operator or safety manager may not move the enterprise to another county; the old county keeps seeing its changes after the admin's move", async () => {
    for (const user of ['opE1', 'smE1'] as const) {
      const res = await send(user, 'PATCH', `/enterprises/${E1}?${reason('迁址')}`, { region: COUNTY_B });
      expect(res.statusCode, `${user}: ${res.body}`).toBe(403);
    }
    expect(inForce.index!.enterprise(E1)!.region).not.toBe(COUNTY_B);
    const raised = await send('smE1', 'PATCH', `/points/${point('LT-1101').id}?${reason('调整')}`, {
      limits: { hh: 99 },
    });
    const hh = raised.json<{ change: MonitoringChange }>().change;

    const moved = await send('admin', 'PATCH', `/enterprises/${E1}?${reason('行政区划调整')}`, {
      region: COUNTY_B,
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json<{ change: MonitoringChange }>().change).toMatchObject({
      kinds: ['site.enterprise.identity'],
      lines: [{ field: 'region', after: COUNTY_B }],
      requestedRole: 'admin',
      status: 'applied',
    });
    expect(inForce.index!.enterprise(E1)!.region).toBe(COUNTY_B);
    // The old county still sees the change made under its supervision (and the move itself).
    const seen = await changesAs('regCounty');
    expect(seen.map((c) => c.id)).toContain(hh.id);
    expect((await send('regCounty', 'GET', `/changes/${hh.id}`)).statusCode).toBe(200);
    // The new county sees the enterprise's changes too.
    expect((await changesAs('regOther')).map((c) => c.id)).toContain(hh.id);
  });

  it('filters by region subtree, status and time; pages newest first', async () => {
    await requestChlorineDetectorDisable();
    const hh = await send('smE1', 'PATCH', `/points/${point('LT-1101').id}?${reason('调整')}`, {
      limits: { hh: 99 },
    });
    expect(hh.statusCode).toBe(200);
    const all = await changesAs('admin');
    expect(all.map((c) => c.status)).toEqual(['applied', 'pending']);
    expect(await changesAs('admin', `?region=${COUNTY_B}`)).toEqual([]);
    expect((await changesAs('admin', '?status=applied')).map((c) => c.status)).toEqual(['applied']);
    expect(await changesAs('admin', `?from=${api.now + 1}`)).toEqual([]);
    const detector = point('AT-1101').id;
    expect((await changesAs('regCounty', `?point=${detector}`)).map((c) => c.pointId)).toEqual([detector]);
    expect(await changesAs('regCounty', `?point=${point('TT-1101').id}`)).toEqual([]);
    expect(await changesAs('admin', '?point=999999')).toEqual([]);
    const page = await send('admin', 'GET', '/changes?limit=1&offset=1');
    expect(page.json()).toMatchObject({ total: 2, limit: 1, offset: 1 });
    expect((await send('admin', 'GET', '/changes/999')).statusCode).toBe(404);
  });
});

describe('a change kind refused by configuration', () => {
  it('refuses the write (403, audited as authority.refused) though the route is allowed', async () => {
    const api = await buildTestApi({
      config: { authority: { 'monitoring.point.delete': { safety_manager: 'refuse' } } },
    });
    try {
      const id = api.site.pointByKey(E1, 'TT-1101')!.id;
      const res = await api.app.inject({
        method: 'DELETE',
        url: `/api/v1/points/${id}?reason=${encodeURIComponent('拆除')}`,
        headers: api.auth('smE1'),
      });
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json<{ message: string }>().message).toContain(
        'safety_manager may not monitoring.point.delete',
      );
      const { rows } = await api.client.query<{ after: Record<string, unknown> }>(
        `SELECT after FROM audit_log WHERE action = 'authority.refused' AND actor = 'smE1'`,
      );
      expect(rows.map((r) => r.after['action'])).toEqual(['monitoring.point.delete']);
      const { rows: changes } = await api.client.query('SELECT id FROM monitoring_changes');
      expect(changes).toEqual([]);
    } finally {
      await api.close();
    }
  });
});
