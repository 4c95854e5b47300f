import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LiveScope, LiveValue } from '@hazardwatch/contracts';
import type { LiveGateway } from '@hazardwatch/api';
import { buildTestApi, COUNTY_A, E1, NOW, type TestApi } from './support/api-fixture.js';
import {
  attachTo,
  connectAs,
  nextValues,
  recordValues,
  TestLiveSource,
  urlOf,
  type LiveClient,
} from './live-fixture.js';

/**
 * Issue #21: live values stopped (0 frames) for a client watching its region, an enterprise and
 * one of its hazards at once, while any two of these worked. A real socket.io client against the
 * real API and gateway; every combination of the rooms a console watches must receive each value
 * once.
 */
let api: TestApi;
let gateway: LiveGateway;
let source: TestLiveSource;
let url: string;
const clients: LiveClient[] = [];
let P1: number; // E1, hazard CL-TF01
let P7: number; // E1, no hazard

beforeAll(async () => {
  api = await buildTestApi();
  P1 = api.site.pointByKey(E1, 'LT-1101')!.id;
  P7 = api.site.pointByKey(E1, 'SIT-1190')!.id;
  source = new TestLiveSource();
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  gateway = await attachTo(api, api.app.server, { source });
  url = urlOf(api.app.server);
});

afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});

afterAll(async () => {
  await gateway.close();
  await api.close();
});

const REGION: LiveScope = { type: 'region', code: COUNTY_A };
const ENTERPRISE: LiveScope = { type: 'enterprise', code: E1 };
const HAZARD: LiveScope = { type: 'hazard', enterprise: E1, code: 'CL-TF01' };

let seq = 0;
const value = (pointId: number): LiveValue => {
  seq += 1;
  return { pointId, ts: NOW + 20_000 + seq, value: seq, quality: 'good' };
};

describe('live values over several rooms at once', () => {
  const cases: Record<string, LiveScope[]> = {
    'region + enterprise': [REGION, ENTERPRISE],
    'enterprise + hazard': [ENTERPRISE, HAZARD],
    'region + hazard': [REGION, HAZARD],
    'region + enterprise + hazard (one request)': [REGION, ENTERPRISE, HAZARD],
  };
  for (const [name, scopes] of Object.entries(cases)) {
    it(`${name}: every value of the rooms arrives, each point once`, async () => {
      const c = await connectAs(url, api, 'regCounty');
      clients.push(c);
      const result = await c.timeout(5000).emitWithAck('subscribe', { scopes });
      expect(result.ok).toBe(true);
      const got = recordValues(c);
      const v1 = value(P1);
      source.live.values([v1]);
      await nextValues(c, (b) => b.some((v) => v.pointId === P1));
      // P7 has no hazard: it reaches a client through its region or enterprise room only.
      const v7 = value(P7);
      const inRooms = scopes.some((s) => s.type !== 'hazard');
      source.live.values([v7]);
      if (inRooms) await nextValues(c, (b) => b.some((v) => v.pointId === P7));
      const flat = got.flat();
      expect(flat.filter((v) => v.pointId === P1)).toEqual([v1]);
      if (inRooms) expect(flat.filter((v) => v.pointId === P7)).toEqual([v7]);
    });
  }

  it('region, then enterprise, then hazard in three requests: values keep arriving after each', async () => {
    const c = await connectAs(url, api, 'regCounty');
    clients.push(c);
    for (const scope of [REGION, ENTERPRISE, HAZARD]) {
      expect((await c.timeout(5000).emitWithAck('subscribe', { scopes: [scope] })).ok).toBe(true);
      const v = value(P1);
      source.live.values([v]);
      expect(await nextValues(c, (b) => b.some((x) => x.pointId === P1 && x.ts === v.ts))).toEqual([v]);
    }
  });
});
