import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LiveScope, MonitoringChange } from '@hazardwatch/contracts';
import type { LiveGateway } from '@hazardwatch/api';
import type { SiteIndex } from '@hazardwatch/core';
import {
  buildTestApi,
  COUNTY_A,
  COUNTY_B,
  E1,
  E2,
  type TestApi,
  type TestUser,
} from './support/api-fixture.js';
import { attachTo, connectAs, next, record, urlOf, type LiveClient } from './live-fixture.js';

/** A round trip: everything the server sent this client before answering has arrived. */
const barrier = (c: LiveClient) =>
  c.timeout(5000).emitWithAck('unsubscribe', { scopes: [{ type: 'region', code: '0' }] });
const subscribe = (c: LiveClient, scopes: LiveScope[]) =>
  c.timeout(5000).emitWithAck('subscribe', { scopes });

/**
 * Issue #19 item 2, "shown to the enterprise's regulator at once": a change record written or
 * decided over REST reaches the regulators' consoles as a socket.io `change` event (a real
 * socket.io client on the API's own server).
 */
describe('live change events', () => {
  let api: TestApi;
  let gateway: LiveGateway;
  let url: string;
  const clients: LiveClient[] = [];
  const inForce: { index?: SiteIndex } = {};

  beforeEach(async () => {
    api = await buildTestApi({
      deps: { site: { current: () => inForce.index, replaced: (next) => (inForce.index = next.index) } },
    });
    inForce.index = api.site;
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    // No `changes` option: the gateway finds the app's feed through the server it serves.
    gateway = await attachTo(api, api.app.server, { site: { current: () => inForce.index } });
    url = urlOf(api.app.server);
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    await gateway.close();
    await api.close();
  });

  const as = async (user: TestUser, scopes: LiveScope[]): Promise<LiveClient> => {
    const c = await connectAs(url, api, user);
    clients.push(c);
    expect(await subscribe(c, scopes)).toMatchObject({ ok: true });
    return c;
  };
  const send = (user: TestUser, method: 'POST' | 'PATCH', path: string, payload: object) =>
    api.app.inject({ method, url: `/api/v1${path}`, headers: api.auth(user), payload });
  const detector = () => inForce.index!.pointByKey(E1, 'AT-1101')!.id;

  it('the county regulator hears the request and its decision; another county and enterprise hear nothing', async () => {
    const county = await as('regCounty', [{ type: 'region', code: COUNTY_A }]);
    const own = await as('smE1', [{ type: 'enterprise', code: E1 }]);
    const otherCounty = await as('regOther', [{ type: 'region', code: COUNTY_B }]);
    const otherEnterprise = await as('opE2', [{ type: 'enterprise', code: E2 }]);
    const unheard = [record(otherCounty, 'change'), record(otherEnterprise, 'change')];

    const requested = next(county, 'change');
    const ownHeard = next(own, 'change');
    const res = await send(
      'smE1',
      'PATCH',
      `/points/${detector()}?reason=${encodeURIComponent('探头更换')}`,
      {
        enabled: false,
      },
    );
    expect(res.statusCode, res.body).toBe(202);
    const { change } = res.json<{ change: MonitoringChange }>();
    expect(await requested).toEqual(change);
    expect((await ownHeard).id).toBe(change.id);

    const decided = next(county, 'change', (c) => c.status !== 'pending');
    const approved = await send('regCounty', 'POST', `/changes/${change.id}/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    expect(await decided).toMatchObject({ id: change.id, status: 'approved', decidedBy: 'regCounty' });

    await Promise.all([barrier(otherCounty), barrier(otherEnterprise)]);
    expect(unheard).toEqual([[], []]);
  });

  it('a change asked for before the enterprise moved still reaches the old county when it is decided', async () => {
    const res = await send(
      'smE1',
      'PATCH',
      `/points/${detector()}?reason=${encodeURIComponent('探头更换')}`,
      {
        enabled: false,
      },
    );
    const { change } = res.json<{ change: MonitoringChange }>();
    const moved = await send(
      'admin',
      'PATCH',
      `/enterprises/${E1}?reason=${encodeURIComponent('区划调整')}`,
      {
        region: COUNTY_B,
      },
    );
    expect(moved.statusCode, moved.body).toBe(200);
    const oldCounty = await as('regCounty', [{ type: 'region', code: COUNTY_A }]);
    const newCounty = await as('regOther', [{ type: 'region', code: COUNTY_B }]);
    const heardOld = next(oldCounty, 'change');
    const heardNew = next(newCounty, 'change');
    const denied = await send('regOther', 'POST', `/changes/${change.id}/deny`, { note: '不同意' });
    expect(denied.statusCode, denied.body).toBe(200);
    expect(await heardOld).toMatchObject({ id: change.id, status: 'denied' });
    expect(await heardNew).toMatchObject({ id: change.id, status: 'denied' });
  });
});
