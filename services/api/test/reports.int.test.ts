import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmCondition, Report, WarningColour } from '@hazardwatch/contracts';
import type { AlarmRecord, SiteIndex } from '@hazardwatch/core';
import { AlarmRepository, DataLossRepository, GatewayStatusRepository } from '@hazardwatch/store';
import { readXlsx, unzipEntries } from '@hazardwatch/testkit';
import {
  buildTestApi,
  COUNTY_A,
  E1,
  E2,
  E3,
  NOW,
  type TestApi,
  type TestUser,
} from './support/api-fixture.js';

const H = 3_600_000;
const MIN = 60_000;
/** 2026-03-01 00:00 China time: the day before the fixture's NOW (2026-03-02 16:00 China time). */
const D0 = Date.UTC(2026, 1, 28, 16);

/**
 * Issue #21, duty reports over REST: the figures of a day in China time computed from stored
 * alarms, 预警 with their loop events, gateway-offline alarms, data-loss reports and gateway
 * presence — checked number by number; the scope refused outside the caller's; the Excel download.
 */
describe('GET /api/v1/reports', () => {
  let api: TestApi;
  const inForce: { index?: SiteIndex } = {};

  const alarm = (
    id: string,
    pointId: number,
    condition: AlarmCondition,
    colour: WarningColour,
    raisedAt: number,
    closedAt: number,
  ): AlarmRecord => ({
    id,
    source: { kind: 'point', pointId },
    sourceKey: `point:${pointId}`,
    condition,
    state: 'NORM',
    active: false,
    latched: false,
    colour,
    raisedAt,
    stateSinceMs: closedAt,
    lastActivationMs: raisedAt,
    ackedAt: null,
    ackedBy: null,
    value: 90,
    limit: 85,
    shelvedUntilMs: null,
    shelveReason: null,
    suppressReason: null,
    suppressedBy: null,
    outOfServiceReason: null,
    chattering: false,
  });

  async function warning(
    id: string,
    enterprise: string,
    colour: WarningColour,
    state: string,
    openedAt: number,
    closedAt: number | null,
    events: Array<[type: string, ts: number]>,
  ): Promise<void> {
    await api.client.query(
      `INSERT INTO warnings (id, enterprise, hazard, colour, state, opened_at, updated_at, closed_at, record)
       VALUES ($1, $2, NULL, $3, $4, to_timestamp($5 / 1000.0), to_timestamp($5 / 1000.0),
               to_timestamp($6 / 1000.0), $7)`,
      [id, enterprise, colour, state, openedAt, closedAt, closedAt === null ? { level: 'enterprise' } : null],
    );
    for (const [type, ts] of [['opened', openedAt] as [string, number], ...events])
      await api.client.query(
        `INSERT INTO warning_events (warning_id, type, to_state, ts, actor, colour, level)
         VALUES ($1, $2, 'pushed', to_timestamp($3 / 1000.0), 'test', $4, 'enterprise')`,
        [id, type, ts, colour],
      );
  }

  beforeAll(async () => {
    api = await buildTestApi({
      deps: { site: { current: () => inForce.index, replaced: (next) => (inForce.index = next.index) } },
    });
    inForce.index = api.site;
    const lt = api.site.pointByKey(E1, 'LT-1101')!.id;
    const e2Point = api.site.points().find((p) => p.enterprise === E2)!.id;
    const e3Point = api.site.pointByKey(E3, 'TT-3101')!.id;
    const repo = new AlarmRepository(api.client);
    await repo.write({
      alarms: [
        alarm('r-a1', lt, 'HH', 'red', D0 + H, D0 + 2 * H),
        alarm('r-a2', lt, 'HH', 'red', D0 + 3 * H, D0 + 4 * H),
        alarm('r-a3', e2Point, 'H', 'yellow', D0 + 5 * H, D0 + 5.5 * H),
        alarm('r-a4', e3Point, 'HH', 'orange', D0 + 6 * H, D0 + 7 * H),
        // The day before: not in the report.
        alarm('r-a0', lt, 'HH', 'red', D0 - H, D0 - 0.5 * H),
      ],
      events: [],
      colourChanges: [],
    });
    // E2's gateway offline 10:00–12:00 China time (back at RTNUN), closed when acknowledged at 13:00.
    const gw = {
      alarmId: 'r-gw',
      sourceKey: `gateway:${E2}/GW01`,
      pointId: null,
      condition: 'GATEWAY_OFFLINE' as const,
      actor: 'system',
      reason: null,
      value: null,
    };
    await repo.write({
      alarms: [
        {
          ...alarm('r-gw', 0, 'GATEWAY_OFFLINE', 'blue', D0 + 10 * H, D0 + 13 * H),
          source: { kind: 'gateway', enterprise: E2, gateway: 'GW01' },
          sourceKey: `gateway:${E2}/GW01`,
        },
      ],
      events: [
        { ...gw, from: 'NORM', to: 'UNACK', ts: D0 + 10 * H },
        { ...gw, from: 'UNACK', to: 'RTNUN', ts: D0 + 12 * H },
        { ...gw, from: 'RTNUN', to: 'NORM', ts: D0 + 13 * H },
      ],
      colourChanges: [],
    });
    // E1's gateway dropped 30 minutes of readings at 20:00.
    await new DataLossRepository(api.client).insert({
      enterprise: E1,
      gateway: 'GW01',
      reason: 'max_bytes',
      readings: 1800,
      entries: 30,
      fromMs: D0 + 20 * H,
      toMs: D0 + 20.5 * H,
      reportedMs: D0 + 21 * H,
      receivedMs: D0 + 21 * H,
    });
    // E1 and E2 heard from (online since the day before); E3's gateway never.
    await new GatewayStatusRepository(api.client).upsert(
      [E1, E2].map((enterprise) => ({
        enterprise,
        gateway: 'GW01',
        online: true,
        lastSeenMs: NOW,
        spoolDepth: 0,
        sinceMs: D0 - 24 * H,
      })),
      NOW,
    );
    // 预警: red handled on time; yellow signed late (90 min > 60); orange still pushed (overdue by
    // now); blue carried over from the day before and closed in it; E3's outside the county.
    await warning('r-w1', E1, 'red', 'closed', D0 + H, D0 + 2 * H, [
      ['signed', D0 + H + 2 * MIN],
      ['feedback', D0 + H + 20 * MIN],
      ['verified', D0 + H + 40 * MIN],
      ['closed', D0 + 2 * H],
    ]);
    await warning('r-w2', E2, 'yellow', 'closed', D0 + 2 * H, D0 + 6 * H, [
      ['signed', D0 + 3.5 * H],
      ['feedback', D0 + 5 * H],
      ['closed', D0 + 6 * H],
    ]);
    await warning('r-w3', E1, 'orange', 'pushed', D0 + 23 * H, null, []);
    await warning('r-w5', E1, 'blue', 'closed', D0 - 5 * H, D0 + 3 * H, [
      ['signed', D0 - 4 * H],
      ['feedback', D0 - 3 * H],
      ['closed', D0 + 3 * H],
    ]);
    await warning('r-w4', E3, 'red', 'pushed', D0 + 4 * H, null, []);
    // A point taken out of service now (停用, with its change record).
    const pt = api.site.pointByKey(E1, 'PT-1101')!.id;
    const res = await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/points/${pt}?reason=${encodeURIComponent('压力变送器更换')}`,
      headers: api.auth('smE1'),
      payload: { enabled: false },
    });
    expect(res.statusCode, res.body).toBe(200);
  });
  afterAll(() => api.close());

  const get = (query: string, user: TestUser = 'regCounty') =>
    api.app.inject({ method: 'GET', url: `/api/v1/reports?${query}`, headers: api.auth(user) });

  it('a county day report counts exactly what was stored that day (China time)', async () => {
    const res = await get(`scope=region:${COUNTY_A}&period=day&date=2026-03-01`);
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json<Report>();
    expect(r.period).toEqual({
      kind: 'day',
      label: '2026-03-01',
      firstDay: '2026-03-01',
      lastDay: '2026-03-01',
      fromMs: D0,
      toMs: D0 + 24 * H,
      endMs: D0 + 24 * H,
      partial: false,
      timeZone: 'Asia/Shanghai',
    });
    expect(r.enterprises.map((e) => e.code)).toEqual([E1, E2]);
    expect(r.alarms).toMatchObject({
      total: 4,
      byColour: { red: 2, orange: 0, yellow: 1, blue: 1, none: 0 },
      process: 3,
      quality: 1,
    });
    // E1 and E2 both 2: E1 first, its alarms are red.
    expect(r.alarms.byEnterprise.map((e) => [e.enterprise, e.total])).toEqual([
      [E1, 2],
      [E2, 2],
    ]);
    expect(r.alarms.topSources[0]).toMatchObject({
      enterprise: E1,
      tag: 'LT-1101',
      condition: 'HH',
      colour: 'red',
      count: 2,
    });
    expect(r.warnings).toMatchObject({
      standing: 4,
      opened: 3,
      openedByColour: { red: 1, orange: 1, yellow: 1, blue: 0 },
      carriedOver: 1,
      closedInPeriod: 3,
      openAtEnd: 1,
      signed: 2,
      signedOnTime: 1,
      fedBack: 2,
      fedBackOnTime: 2,
      verified: 1,
      closed: 2,
      handledOnTime: 1,
      overdue: 2,
    });
    expect(r.warnings.overdueItems.map((o) => [o.id, o.steps])).toEqual([
      ['r-w2', ['sign']],
      ['r-w3', ['sign', 'feedback']],
    ]);
    const [e1, e2] = r.online.enterprises;
    expect(e1).toMatchObject({ enterprise: E1, gateways: 1, unavailableMs: 0.5 * H });
    expect(e1!.onlineRatePct).toBeCloseTo(100 * (1 - 0.5 / 24), 9);
    expect(e2).toMatchObject({ enterprise: E2, gateways: 1, unavailableMs: 2 * H });
    expect(e2!.onlineRatePct).toBeCloseTo(100 * (1 - 2 / 24), 9);
    expect(r.online.onlineRatePct).toBeCloseTo(100 * (1 - 2.5 / 48), 9);
    // Taken out of service today: not in yesterday's report.
    expect(r.outOfService).toEqual({ count: 0, items: [] });
  });

  it('today is partial, up to now, with the point out of service since it was disabled', async () => {
    const r = (await get(`scope=enterprise:${E1}&period=day&date=2026-03-02`, 'opE1')).json<Report>();
    expect(r.period).toMatchObject({ partial: true, fromMs: D0 + 24 * H, endMs: NOW });
    expect(r.outOfService.items).toEqual([
      expect.objectContaining({ enterprise: E1, tag: 'PT-1101', outMs: 0, changeId: expect.any(String) }),
    ]);
    // The fixture's red HH and gateway alarm of E1, raised a minute ago.
    expect(r.alarms.byColour).toMatchObject({ red: 1, blue: 1 });
    // A never-heard gateway counts as not online: E3's.
    const e3 = (await get(`scope=enterprise:${E3}&period=week&date=2026-03-02`, 'opE3')).json<Report>();
    expect(e3.period).toMatchObject({ label: '2026-W10', firstDay: '2026-03-02', lastDay: '2026-03-08' });
    expect(e3.online.enterprises[0]!.gatewayRows[0]).toMatchObject({ neverHeard: true, onlineRatePct: 0 });
  });

  it('the default scope is the caller’s own; the month covers the whole calendar month', async () => {
    const r = (await get('period=month&date=2026-03-01', 'opE2')).json<Report>();
    expect(r.scope).toMatchObject({ kind: 'enterprise', code: E2 });
    expect(r.period).toMatchObject({ label: '2026-03', fromMs: D0, partial: true });
    // r-a3 and r-gw on 1 March, nothing of E2's since.
    expect(r.alarms.total).toBe(2);
  });

  it('refuses a scope outside the caller’s (audited), an unknown one, a bad or future date', async () => {
    const other = await get(`scope=region:320682&period=day&date=2026-03-01`);
    expect(other.statusCode).toBe(403);
    expect(other.json<{ code: string }>().code).toBe('HW_API_FORBIDDEN');
    const e3 = await get(`scope=enterprise:${E3}&period=day&date=2026-03-01`);
    expect(e3.statusCode).toBe(403);
    const otherEnterprise = await get(`scope=enterprise:${E2}&period=day&date=2026-03-01`, 'opE1');
    expect(otherEnterprise.statusCode).toBe(403);
    const region = await get(`scope=region:${COUNTY_A}&period=day&date=2026-03-01`, 'opE1');
    expect(region.statusCode).toBe(403);
    const audit = await api.client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'access.denied'",
    );
    expect(audit.rows[0]!.n).toBeGreaterThanOrEqual(4);
    expect((await get('scope=region:999999&period=day&date=2026-03-01')).statusCode).toBe(404);
    for (const bad of ['date=2026-02-30', 'date=2026-3-1', 'date=2026-03-03', 'period=year'])
      expect((await get(`scope=region:${COUNTY_A}&${bad}`)).json<{ code: string }>().code, bad).toBe(
        'HW_API_VALIDATION',
      );
    // An administrator names the scope.
    expect((await get('period=day', 'admin')).statusCode).toBe(400);
  });

  it('format=xlsx: six sheets, headings in the caller’s language, the same figures', async () => {
    const res = await get(`scope=region:${COUNTY_A}&period=day&date=2026-03-01&format=xlsx`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(String(res.headers['content-disposition'])).toContain(
      `filename*=UTF-8''${encodeURIComponent(`日报_${COUNTY_A}_2026-03-01.xlsx`)}`,
    );
    const book = readXlsx(res.rawPayload);
    expect(book.map((s) => s.name)).toEqual(['概要', '报警按颜色', '报警排名', '预警', '在线率', '停用点位']);
    const cell = (sheet: number, label: string) => book[sheet]!.rows.find((r) => r[0] === label)?.[1];
    expect(cell(0, '报警总数')).toBe(4);
    expect(cell(0, '新发预警')).toBe(3);
    expect(cell(0, '超时预警')).toBe(2);
    expect(cell(0, '联网在线率（%）')).toBeCloseTo(100 * (1 - 2.5 / 48), 2);
    expect(book[1]!.rows[0]).toEqual(['企业编码', '企业名称', '合计', '红', '橙', '黄', '蓝', '无颜色']);
    expect(book[1]!.rows[1]!.slice(0, 4)).toEqual([E1, expect.any(String), 2, 2]);
    expect(book[2]!.rows[1]).toEqual(expect.arrayContaining([1, E1, 'LT-1101', 'HH', '红', 2]));
    expect(cell(3, '按时处置完毕')).toBe(1);
    expect(book[4]!.rows.slice(1).map((r) => [r[0], r[2], r[5]])).toEqual([
      [E1, '全部', expect.closeTo(97.92, 2)],
      [E1, 'GW01', expect.closeTo(97.92, 2)],
      [E2, '全部', expect.closeTo(91.67, 2)],
      [E2, 'GW01', expect.closeTo(91.67, 2)],
    ]);
    // The raw sheet XML carries the Chinese text as written (inline strings, UTF-8).
    const sheet1 = unzipEntries(res.rawPayload).get('xl/worksheets/sheet1.xml')!.toString('utf8');
    expect(sheet1).toContain('报警总数');

    const en = await get(`scope=region:${COUNTY_A}&period=day&date=2026-03-01&format=xlsx&lang=en`);
    const enBook = readXlsx(en.rawPayload);
    expect(enBook.map((s) => s.name)).toEqual([
      'Summary',
      'Alarms by colour',
      'Top offenders',
      'Warnings',
      'Online rate',
      'Out of service',
    ]);
    expect(enBook[0]!.rows.find((r) => r[0] === 'Alarms')?.[1]).toBe(4);
    expect(String(en.headers['content-disposition'])).toContain('daily-report_320623_2026-03-01.xlsx');
  });
});
