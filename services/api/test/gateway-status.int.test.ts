import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayStatusRepository } from '@hazardwatch/store';
import {
  buildTestApi,
  CITY,
  COUNTY_A,
  E1,
  E2,
  E3,
  NOW,
  type TestApi,
  type TestUser,
} from './support/api-fixture.js';

describe('gateway status, spool backlog and hazard floor-plan positions over REST', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await buildTestApi();
    // As the ingest writes it: E1's gateway went offline holding a backlog, E3's is online and
    // catching up, E2's was never heard from; a row of a gateway no longer in the site is ignored.
    await new GatewayStatusRepository(api.client).upsert(
      [
        { enterprise: E1, gateway: 'GW01', online: false, lastSeenMs: NOW - 90_000, spoolDepth: 250 },
        { enterprise: E1, gateway: 'GW99', online: true, lastSeenMs: NOW - 1000, spoolDepth: 7 },
        {
          enterprise: E3,
          gateway: 'GW01',
          online: true,
          lastSeenMs: NOW - 5000,
          spoolDepth: 1000,
          sinceMs: NOW - 3_600_000,
        },
      ],
      NOW,
    );
  });
  afterAll(() => api.close());

  const get = (user: TestUser, url: string) =>
    api.app.inject({ method: 'GET', url, headers: api.auth(user) });

  it('lists each gateway with its stored status', async () => {
    const e1 = await get('opE1', `/api/v1/enterprises/${E1}/gateways`);
    expect(e1.statusCode, e1.body).toBe(200);
    expect(e1.json()).toEqual({
      items: [
        expect.objectContaining({
          code: 'GW01',
          enterprise: E1,
          points: expect.any(Number) as number,
          status: {
            online: false,
            lastSeen: new Date(NOW - 90_000).toISOString(),
            spoolDepth: 250,
            since: new Date(NOW - 90_000).toISOString(),
          },
        }),
      ],
    });
    const e3 = await get('regCity', `/api/v1/enterprises/${E3}/gateways`);
    expect(e3.json<{ items: Array<{ status: unknown }> }>().items.map((g) => g.status)).toEqual([
      // Since when it is online (issue #21: the view's "since" was always — for online gateways).
      {
        online: true,
        lastSeen: new Date(NOW - 5000).toISOString(),
        spoolDepth: 1000,
        since: new Date(NOW - 3_600_000).toISOString(),
      },
    ]);
  });

  it('answers status null for a gateway never heard from', async () => {
    const res = await get('opE2', `/api/v1/enterprises/${E2}/gateways`);
    expect(res.statusCode).toBe(200);
    expect(res.json<{ items: Array<{ code: string; status: unknown }> }>().items).toEqual([
      expect.objectContaining({ code: 'GW01', status: null }),
    ]);
  });

  it("keeps another enterprise's gateways out of reach", async () => {
    expect((await get('opE2', `/api/v1/enterprises/${E1}/gateways`)).statusCode).toBe(403);
  });

  it("sums the spool backlog of the region subtree's gateways in the overview", async () => {
    const county = await get('regCounty', `/api/v1/regions/${COUNTY_A}/overview`);
    expect(county.statusCode, county.body).toBe(200);
    expect(county.json()).toMatchObject({ gatewaysBacklog: { readings: 250, gateways: 1 } });
    const city = await get('regCity', `/api/v1/regions/${CITY}/overview`);
    expect(city.json()).toMatchObject({ gatewaysBacklog: { readings: 1250, gateways: 2 } });
  });

  it("gives hazards their floor-plan position (null when not placed), like the points'", async () => {
    const placed = await get('opE1', `/api/v1/enterprises/${E1}/hazards/CL-TF01`);
    expect(placed.statusCode, placed.body).toBe(200);
    expect(placed.json()).toMatchObject({ floorPlan: { plan: 'cl-tank-farm', x: 420, y: 310 } });
    const list = await get('regCity', `/api/v1/hazards?enterprise=${E3}`);
    expect(list.json<{ items: Array<{ code: string; floorPlan: unknown }> }>().items).toEqual([
      expect.objectContaining({ code: 'HYD-U02', floorPlan: null }),
    ]);
  });

  it('still serves a valid OpenAPI document', async () => {
    const docs = await api.app.inject({ method: 'GET', url: '/docs/json' });
    expect(docs.statusCode).toBe(200);
    const paths = docs.json<{ paths: Record<string, unknown> }>().paths;
    expect(paths).toHaveProperty(['/api/v1/enterprises/{enterprise}/gateways']);
    expect(paths).toHaveProperty(['/api/v1/regions/{code}/overview']);
  });
});
