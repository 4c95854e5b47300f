import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  KpiReport,
  LatestValues,
  MonitoringChange,
  Page,
  Point,
  RegionOverview,
} from '@hazardwatch/contracts';
import type { SiteIndex } from '@hazardwatch/core';
import { buildTestApi, COUNTY_A, E1, NOW, type TestApi } from './support/api-fixture.js';

const H = 3_600_000;

/**
 * Issue #19 item 2: an out-of-service point (停用) is shown as such — points, latest values, the
 * overview's data-quality part — with the change record that took it out, and counts against the
 * online-rate KPI (national target: every indicator ≥ 99.5 % online).
 */
describe('out-of-service points', () => {
  let api: TestApi;
  const inForce: { index?: SiteIndex } = {};
  let pt: number;
  let change: MonitoringChange;

  beforeEach(async () => {
    api = await buildTestApi({
      deps: { site: { current: () => inForce.index, replaced: (next) => (inForce.index = next.index) } },
    });
    inForce.index = api.site;
    pt = api.site.pointByKey(E1, 'PT-1101')!.id;
    await api.client.query(
      'INSERT INTO readings (point_id, ts, value, quality) VALUES ($1, to_timestamp($2 / 1000.0), 0.8, 0)',
      [pt, NOW - 60_000],
    );
    const res = await get(`/points/${pt}?reason=${encodeURIComponent('压力变送器更换')}`, 'PATCH', {
      enabled: false,
    });
    expect(res.statusCode, res.body).toBe(200);
    change = res.json<{ change: MonitoringChange }>().change;
    expect(change.kinds).toEqual(['monitoring.point.disable']);
  });
  afterEach(() => api.close());

  function get(url: string, method: 'GET' | 'PATCH' = 'GET', payload?: object) {
    return api.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: api.auth(method === 'GET' ? 'regCounty' : 'smE1'),
      ...(payload ? { payload } : {}),
    });
  }

  it('points carry inService and the change record behind it', async () => {
    const one = (await get(`/points/${pt}`)).json<Point>();
    expect(one).toMatchObject({ enabled: false, inService: false, outOfServiceChange: change.id });
    const page = (await get(`/points?enterprise=${E1}&limit=1000`)).json<Page<Point>>();
    expect(page.items.find((p) => p.id === pt)).toMatchObject({
      inService: false,
      outOfServiceChange: change.id,
    });
    expect(
      page.items.filter((p) => p.id !== pt).every((p) => p.inService && p.outOfServiceChange === null),
    ).toBe(true);
  });

  it('its latest value says it is out of service', async () => {
    const latest = (await get(`/points/${pt}/latest`)).json<LatestValues>();
    expect(latest.items).toEqual([expect.objectContaining({ pointId: pt, inService: false })]);
  });

  it("the overview's data-quality part lists it", async () => {
    const overview = (await get(`/regions/${COUNTY_A}/overview`)).json<RegionOverview>();
    expect(overview.outOfServicePoints).toEqual({
      count: 1,
      items: [{ pointId: pt, enterprise: E1, tag: 'PT-1101', changeId: change.id }],
    });
  });

  it('counts against the online rate from the time it was taken out of service', async () => {
    const kpis = (
      await get(`/regions/${COUNTY_A}/kpis?from=${NOW - 10 * H}&to=${NOW + 10 * H}`)
    ).json<KpiReport>();
    const gw = kpis.dataQuality.gateways.find((g) => g.enterprise === E1 && g.gateway === 'GW01')!;
    expect(gw.outOfService).toBe(1);
    // One point of the gateway offline for half the range.
    expect(gw.onlineRatePct).toBeCloseTo(100 * (1 - 0.5 / gw.points), 9);
    expect(kpis.dataQuality.outOfServicePoints).toBe(1);
    expect(kpis.dataQuality.onlineRatePct).toBeLessThan(99.5);
  });
});
