import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveScope, LiveSubscribeResult } from '@hazardwatch/contracts';
import { compileApiConfig, LIVE_ACTIONS, type LiveGateway } from '@hazardwatch/api';
import { buildTestApi, COUNTY_A, E1, type TestApi, type TestUser } from './support/api-fixture.js';
import { attachTo, connectAs, urlOf, type LiveClient } from './live-fixture.js';

/**
 * Socket actions answer to the authority table like routes (issue #19): joining rooms streams the
 * site's values, alarms and 预警, so `subscribe` needs site.read, alarm.read and warning.read.
 * Here the configuration takes warning.read from viewers: their subscription is refused.
 */
describe('live socket actions and the authority table', () => {
  let api: TestApi;
  let gateway: LiveGateway;
  let url: string;
  const clients: LiveClient[] = [];

  beforeAll(async () => {
    api = await buildTestApi();
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    const settings = compileApiConfig({
      port: 0,
      auth: { jwtSecret: 'test-secret-test-secret-test-secret-0123' },
      authority: { 'warning.read': { viewer: 'refuse' } },
    });
    gateway = await attachTo(api, api.app.server, { settings });
    url = urlOf(api.app.server);
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await gateway.close();
    await api.close();
  });

  const subscribe = async (user: TestUser, scopes: LiveScope[]): Promise<LiveSubscribeResult> => {
    const c = await connectAs(url, api, user);
    clients.push(c);
    const result: LiveSubscribeResult = await c.timeout(5000).emitWithAck('subscribe', { scopes });
    return result;
  };

  it('names an action for every client event', () => {
    expect(Object.keys(LIVE_ACTIONS).sort()).toEqual([
      'reauth',
      'subscribe',
      'unsubscribe',
      'values:interval',
    ]);
    expect(LIVE_ACTIONS.subscribe).toEqual(['site.read', 'alarm.read', 'warning.read']);
  });

  it('refuses a subscription the table refuses, naming action and role; others join', async () => {
    expect(await subscribe('viewerCounty', [{ type: 'region', code: COUNTY_A }])).toEqual({
      ok: false,
      error: { code: 'HW_API_FORBIDDEN', message: 'forbidden: viewer may not warning.read' },
    });
    expect(await subscribe('regCounty', [{ type: 'region', code: COUNTY_A }])).toMatchObject({ ok: true });
    expect(await subscribe('smE1', [{ type: 'enterprise', code: E1 }])).toMatchObject({ ok: true });
  });
});
