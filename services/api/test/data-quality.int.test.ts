import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlarmRepository, DataLossRepository } from '@hazardwatch/store';
import { buildTestApi, E1, E2, NOW, type TestApi } from './support/api-fixture.js';

const HOUR = 3_600_000;

/** Issue #16 items 2 and 4 over REST: data-loss holes and the online rate; late alarms marked. */
describe('data quality over REST: data-loss reports, online rate, late alarms', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await buildTestApi();
    // As the ingest stores it: E1's gateway dropped 55 s of readings (11,297) to stay in its bounds.
    await new DataLossRepository(api.client).insert({
      enterprise: E1,
      gateway: 'GW01',
      reason: 'max_bytes',
      readings: 11_297,
      entries: 56,
      fromMs: NOW - 2 * HOUR,
      toMs: NOW - 2 * HOUR + 55_000,
      reportedMs: NOW - 2 * HOUR + 60_000,
      receivedMs: NOW - 2 * HOUR + 61_000,
    });
  });
  afterAll(() => api.close());

  const kpis = (enterprise: string) =>
    api.app.inject({
      method: 'GET',
      url: `/api/v1/enterprises/${enterprise}/kpis?from=${NOW - 10 * HOUR}&to=${NOW}`,
      headers: api.auth('admin'),
    });

  it('lists the hole with the KPIs and counts it in the online rate', async () => {
    const res = await kpis(E1);
    expect(res.statusCode, res.body).toBe(200);
    const { dataQuality } = res.json<{
      dataQuality: {
        lostReadings: number;
        onlineRatePct: number;
        gateways: Array<{ gateway: string; lostMs: number; onlineRatePct: number }>;
        dataLoss: Array<{ gateway: string; readings: number; fromMs: number; toMs: number }>;
      };
    }>();
    expect(dataQuality.dataLoss).toEqual([
      expect.objectContaining({
        gateway: 'GW01',
        readings: 11_297,
        fromMs: NOW - 2 * HOUR,
        toMs: NOW - 2 * HOUR + 55_000,
      }),
    ]);
    expect(dataQuality.lostReadings).toBe(11_297);
    expect(dataQuality.gateways).toEqual([
      expect.objectContaining({
        gateway: 'GW01',
        lostMs: 55_000,
        onlineRatePct: 100 * (1 - 55_000 / (10 * HOUR)),
      }),
    ]);
    expect(dataQuality.onlineRatePct).toBeCloseTo(100 * (1 - 55_000 / (10 * HOUR)), 9);
  });

  it("another enterprise's figures are untouched", async () => {
    const res = await kpis(E2);
    expect(
      res.json<{ dataQuality: { lostReadings: number; onlineRatePct: number } }>().dataQuality,
    ).toMatchObject({
      lostReadings: 0,
      onlineRatePct: 100,
    });
  });

  it('marks a late alarm (raised from replayed readings) in the alarm list', async () => {
    const late = (await new AlarmRepository(api.client).openAlarms()).find((a) => a.id === 'alarm-e1')!;
    const raised = {
      alarmId: 'alarm-late',
      sourceKey: late.sourceKey,
      pointId: late.source.kind === 'point' ? late.source.pointId : null,
      condition: 'H' as const,
      actor: 'system',
      reason: null,
      value: 85,
      late: true,
    };
    await new AlarmRepository(api.client).write({
      alarms: [{ ...late, id: 'alarm-late', condition: 'H', state: 'RTNUN', active: false, late: true }],
      events: [
        { ...raised, from: 'NORM', to: 'UNACK', ts: NOW - 3 * HOUR },
        { ...raised, from: 'UNACK', to: 'RTNUN', ts: NOW - 3 * HOUR + 20_000 },
      ],
      colourChanges: [],
    });
    const res = await api.app.inject({
      method: 'GET',
      url: `/api/v1/alarms?enterprise=${E1}`,
      headers: api.auth('admin'),
    });
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json<{ items: Array<{ id: string; late: boolean }> }>().items;
    expect(items.find((a) => a.id === 'alarm-late')?.late).toBe(true);
    expect(items.find((a) => a.id === 'alarm-e1')?.late).toBe(false);
    const one = await api.app.inject({
      method: 'GET',
      url: '/api/v1/alarms/alarm-late',
      headers: api.auth('admin'),
    });
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json<{ events: Array<{ to: string; ts: number; late: boolean }> }>().events).toEqual([
      expect.objectContaining({ to: 'UNACK', ts: NOW - 3 * HOUR, late: true }),
      expect.objectContaining({ to: 'RTNUN', ts: NOW - 3 * HOUR + 20_000, late: true }),
    ]);
  });

  describe('the hole in trends and in the data-quality list (issue #16 item 4)', () => {
    interface Loss {
      enterprise: string;
      gateway: string;
      reason: string;
      readings: number;
      fromMs: number | null;
      toMs: number | null;
      receivedMs: number;
    }
    const e1Hole = {
      enterprise: E1,
      gateway: 'GW01',
      reason: 'max_bytes',
      readings: 11_297,
      fromMs: NOW - 2 * HOUR,
      toMs: NOW - 2 * HOUR + 55_000,
      receivedMs: NOW - 2 * HOUR + 61_000,
    };
    beforeAll(async () => {
      const repo = new DataLossRepository(api.client);
      // E2's gateway has the same code: only the enterprise tells them apart.
      await repo.insert({
        enterprise: E2,
        gateway: 'GW01',
        reason: 'max_age',
        readings: 40,
        entries: 1,
        fromMs: NOW - HOUR,
        toMs: NOW - HOUR + 10_000,
        reportedMs: NOW - HOUR + 20_000,
        receivedMs: NOW - HOUR + 21_000,
      });
      // E1's, long before the trend's range.
      await repo.insert({
        ...e1Hole,
        entries: 1,
        readings: 7,
        fromMs: NOW - 30 * HOUR,
        toMs: NOW - 29 * HOUR,
        reportedMs: NOW - 29 * HOUR,
        receivedMs: NOW - 29 * HOUR,
      });
    });

    it('a trend carries the reported holes of its point’s gateway within its range', async () => {
      const lt = api.site.pointByKey(E1, 'LT-1101')!.id;
      const tt = api.site.pointByKey(E2, 'TT-2101')!.id;
      const range = `from=${NOW - 10 * HOUR}&to=${NOW}`;
      const res = await api.app.inject({
        method: 'GET',
        url: `/api/v1/history?points=${lt},${tt}&${range}`,
        headers: api.auth('admin'),
      });
      expect(res.statusCode, res.body).toBe(200);
      const items = res.json<{ items: Array<{ pointId: number; dataLoss: Loss[] }> }>().items;
      expect(items.map((s) => [s.pointId, s.dataLoss.map((l) => [l.enterprise, l.readings])])).toEqual([
        [lt, [[E1, 11_297]]],
        [tt, [[E2, 40]]],
      ]);
      expect(items[0]!.dataLoss[0]).toEqual({
        ...e1Hole,
        id: expect.any(Number) as number,
        entries: 56,
        reportedMs: NOW - 2 * HOUR + 60_000,
      });
      const one = await api.app.inject({
        method: 'GET',
        url: `/api/v1/points/${lt}/history?${range}`,
        headers: api.auth('opE1'),
      });
      expect(one.json<{ dataLoss: Loss[] }>().dataLoss).toEqual(items[0]!.dataLoss);
      // A range the hole does not touch: no band.
      const after = await api.app.inject({
        method: 'GET',
        url: `/api/v1/points/${lt}/history?from=${NOW - HOUR}&to=${NOW}`,
        headers: api.auth('opE1'),
      });
      expect(after.json<{ dataLoss: Loss[] }>().dataLoss).toEqual([]);
    });

    it('lists the recent reports per gateway within the caller’s scope, newest first', async () => {
      const list = async (user: 'admin' | 'opE1' | 'opE2' | 'regCounty' | 'regOther', query = '') => {
        const res = await api.app.inject({
          method: 'GET',
          url: `/api/v1/data-loss${query}`,
          headers: api.auth(user),
        });
        expect(res.statusCode, res.body).toBe(200);
        return res
          .json<{ items: Loss[] }>()
          .items.map((l) => [l.enterprise, l.gateway, l.readings, l.reason]);
      };
      expect(await list('admin')).toEqual([
        [E2, 'GW01', 40, 'max_age'],
        [E1, 'GW01', 11_297, 'max_bytes'],
        [E1, 'GW01', 7, 'max_bytes'],
      ]);
      expect(await list('regCounty')).toEqual(await list('admin'));
      expect(await list('opE1')).toEqual([
        [E1, 'GW01', 11_297, 'max_bytes'],
        [E1, 'GW01', 7, 'max_bytes'],
      ]);
      expect(await list('opE2')).toEqual([[E2, 'GW01', 40, 'max_age']]);
      expect(await list('regOther')).toEqual([]);
      expect(await list('admin', `?enterprise=${E1}&perGateway=1`)).toEqual([
        [E1, 'GW01', 11_297, 'max_bytes'],
      ]);
      // An operator asking for another enterprise gets nothing of it.
      expect(await list('opE1', `?enterprise=${E2}`)).toEqual([]);
    });
  });
});
