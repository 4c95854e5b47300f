import { afterEach, describe, expect, it } from 'vitest';
import type { MonitoringChange, MonitoringChangePage } from '@hazardwatch/contracts';
import { apiErrors, compileApiConfig } from '@hazardwatch/api';
import { buildTestApi, E1, NOW, type TestApi, type TestUser } from './support/api-fixture.js';

const HOUR = 3_600_000;

/**
 * Issue #19 item 2, alarm side: shelving longer than the notice threshold (default one 8-h shift)
 * and taking an alarm out of service are monitoring changes — on record with the action's reason,
 * seen by the regulator, decided per kind by the authority table.
 */
describe('long shelving and out-of-service as monitoring changes', () => {
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  const send = (user: TestUser, url: string, payload: object) =>
    api!.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: api!.auth(user), payload });
  const changes = async (user: TestUser): Promise<MonitoringChange[]> =>
    (
      await api!.app.inject({ method: 'GET', url: '/api/v1/changes', headers: api!.auth(user) })
    ).json<MonitoringChangePage>().items;

  it('a shelve beyond one shift is recorded with its reason; a short one is not', async () => {
    api = await buildTestApi();
    const short = await send('opE1', '/alarms/alarm-e1/shelve', {
      reason: '仪表检修',
      until: NOW + 2 * HOUR,
    });
    expect(short.statusCode, short.body).toBe(200);
    expect(await changes('regCounty')).toEqual([]);

    const long = await send('opE1', '/alarms/alarm-e1/shelve', {
      reason: '仪表返厂维修',
      until: NOW + 9 * HOUR,
    });
    expect(long.statusCode, long.body).toBe(200);
    const [record] = await changes('regCounty');
    expect(record).toMatchObject({
      enterprise: E1,
      targetType: 'alarm',
      targetId: 'alarm-e1',
      kinds: ['monitoring.shelve.long'],
      lines: [{ kind: 'monitoring.shelve.long', field: 'shelvedUntilMs', after: NOW + 9 * HOUR }],
      reason: '仪表返厂维修',
      requestedBy: 'opE1',
      status: 'applied',
    });
    expect(await changes('regOther')).toEqual([]);
  });

  it('the notice threshold is a setting', async () => {
    api = await buildTestApi({ config: { shelveNoticeAfterSec: 3600 } });
    await send('opE1', '/alarms/alarm-e1/shelve', { reason: '检修', until: NOW + 2 * HOUR });
    expect((await changes('regCounty')).map((c) => c.kinds)).toEqual([['monitoring.shelve.long']]);
  });

  it('refuses a bad threshold by its key', () => {
    const base = { auth: { jwtSecret: 's'.repeat(32) } };
    let error: unknown;
    try {
      compileApiConfig({ ...base, shelveNoticeAfterSec: 5 });
    } catch (e) {
      error = e;
    }
    expect(apiErrors.is(error, 'HW_API_CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain('shelveNoticeAfterSec');
    expect(compileApiConfig(base).shelveNoticeAfterMs).toBe(8 * HOUR);
  });

  it('out of service by the safety manager is recorded; the operator may not', async () => {
    api = await buildTestApi();
    expect((await send('opE1', '/alarms/alarm-e1/oos', { reason: '检修' })).statusCode).toBe(403);
    const res = await send('smE1', '/alarms/alarm-e1/oos', { reason: '变送器更换' });
    expect(res.statusCode, res.body).toBe(200);
    expect(await changes('regCounty')).toMatchObject([
      {
        kinds: ['monitoring.alarm.oos'],
        lines: [{ field: 'state', before: 'UNACK', after: 'OOSRV' }],
        reason: '变送器更换',
        requestedRole: 'safety_manager',
        status: 'applied',
      },
    ]);
  });

  it('with approval configured for out-of-service, the engine acts only once the regulator approves', async () => {
    api = await buildTestApi({
      config: { authority: { 'monitoring.alarm.oos': { safety_manager: 'approval' } } },
    });
    const calls = api.control.calls.length;
    const res = await send('smE1', '/alarms/alarm-e1/oos', { reason: '变送器更换' });
    expect(res.statusCode, res.body).toBe(202);
    const { change } = res.json<{ change: MonitoringChange }>();
    expect(change).toMatchObject({ status: 'pending', kinds: ['monitoring.alarm.oos'] });
    expect(api.control.calls.length, 'nothing done yet').toBe(calls);
    const approved = await send('regCounty', `/changes/${change.id}/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved' });
    expect(api.control.calls.at(-1)).toMatchObject({
      op: 'act',
      id: 'alarm-e1',
      args: [{ action: 'remove_from_service', actor: 'smE1', reason: '变送器更换' }],
    });
  });
});
