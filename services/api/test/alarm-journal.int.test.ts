import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEntry, JournalPage } from '@hazardwatch/contracts';
import { buildTestApi, E1, E3, NOW, type TestApi, type TestUser } from './support/api-fixture.js';

/**
 * Issue #21, the alarm journal through REST: every alarm event over a range, scoped (a regulator
 * its region subtree, an enterprise user its enterprise), filtered, sorted, paged with a hard cap,
 * and exported as CSV and Excel; plus the export of the console's filtered open alarms. The
 * fixture has alarm-e1 (E1 LT-1101, HH red) and gw-e1 (E1 gateway, blue) in county 320623 and
 * alarm-e3 (E3 TT-3101) in county 320682; the events below are seeded on them.
 */
const MIN = 60_000;
const FROM = NOW - 60 * MIN;
const TO = NOW + MIN;

interface Seed {
  alarm: string;
  source: string;
  condition: string;
  from: string;
  to: string;
  at: number;
  actor: string;
  reason: string | null;
  value: number | null;
  colour: string | null;
}

/** Minimal ZIP reading with node's zlib (the writer puts sizes in each local header). */
function unzip(buf: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let p = 0;
  while (buf.readUInt32LE(p) === 0x04034b50) {
    const method = buf.readUInt16LE(p + 8);
    const size = buf.readUInt32LE(p + 18);
    const nameLen = buf.readUInt16LE(p + 26);
    const extra = buf.readUInt16LE(p + 28);
    const name = buf.subarray(p + 30, p + 30 + nameLen).toString('utf8');
    const start = p + 30 + nameLen + extra;
    const data = buf.subarray(start, start + size);
    out.set(name, (method === 8 ? inflateRawSync(data) : data).toString('utf8'));
    p = start + size;
  }
  return out;
}

/** RFC 4180 records of a CSV body (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('alarm journal', () => {
  let api: TestApi;
  let e1Point: number;
  let e3Point: number;

  beforeAll(async () => {
    api = await buildTestApi();
    e1Point = api.site.pointByKey(E1, 'LT-1101')!.id;
    e3Point = api.site.pointByKey(E3, 'TT-3101')!.id;
    const seeds: Seed[] = [
      {
        alarm: 'alarm-e1',
        source: `point:${e1Point}`,
        condition: 'HH',
        from: 'NORM',
        to: 'UNACK',
        at: NOW - 50 * MIN,
        actor: 'system',
        reason: 'condition active',
        value: 90,
        colour: 'red',
      },
      {
        alarm: 'alarm-e1',
        source: `point:${e1Point}`,
        condition: 'HH',
        from: 'UNACK',
        to: 'ACKED',
        at: NOW - 40 * MIN,
        actor: 'opE1',
        reason: '=HYPERLINK("x") 已通知, 维修',
        value: null,
        colour: 'red',
      },
      {
        alarm: 'gw-e1',
        source: `gateway:${E1}/GW01`,
        condition: 'GATEWAY_OFFLINE',
        from: 'NORM',
        to: 'UNACK',
        at: NOW - 30 * MIN,
        actor: 'system',
        reason: null,
        value: null,
        colour: 'blue',
      },
      {
        alarm: 'alarm-e3',
        source: `point:${e3Point}`,
        condition: 'HH',
        from: 'NORM',
        to: 'UNACK',
        at: NOW - 20 * MIN,
        actor: 'system',
        reason: null,
        value: 141.5,
        colour: 'red',
      },
      // Before the range: never listed.
      {
        alarm: 'alarm-e1',
        source: `point:${e1Point}`,
        condition: 'HH',
        from: 'NORM',
        to: 'UNACK',
        at: FROM - MIN,
        actor: 'system',
        reason: null,
        value: 88,
        colour: 'red',
      },
    ];
    for (const s of seeds)
      await api.client.query(
        `INSERT INTO alarm_events (alarm_id, source_key, condition, from_state, to_state, ts, actor, reason, value, colour)
         VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0), $7, $8, $9, $10)`,
        [s.alarm, s.source, s.condition, s.from, s.to, s.at, s.actor, s.reason, s.value, s.colour],
      );
  });
  afterAll(() => api.close());

  const get = (who: TestUser, url: string, headers: Record<string, string> = {}) =>
    api.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: { ...api.auth(who), ...headers } });
  const range = `from=${FROM}&to=${TO}`;
  const journal = async (who: TestUser, query = ''): Promise<JournalPage> => {
    const res = await get(who, `/alarm-journal?${range}${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<JournalPage>();
  };
  const ids = (page: JournalPage) => page.items.map((e) => `${e.alarmId}:${e.to}`);

  it('lists the events of the caller’s scope in the range, newest first, with names, unit, hazard and ISO times', async () => {
    const page = await journal('regCounty');
    expect(ids(page)).toEqual(['gw-e1:UNACK', 'alarm-e1:ACKED', 'alarm-e1:UNACK']);
    expect(page.total).toBe(3);
    const raised = page.items[2]!;
    expect(raised).toMatchObject({
      condition: 'HH',
      from: 'NORM',
      to: 'UNACK',
      colour: 'red',
      actor: 'system',
      value: 90,
      limit: 85,
      unit: '%',
      enterprise: E1,
      enterpriseName: '如东示例氯碱化工有限公司',
      hazard: 'CL-TF01',
      hazardName: '液氯储罐区',
      pointId: e1Point,
      tag: 'LT-1101',
      pointName: '液氯储罐V-1101液位',
      ts: NOW - 50 * MIN,
      late: false,
    } satisfies Partial<JournalEntry>);
    // 2026-03-02 07:10 UTC is 15:10 China time.
    expect(raised.at).toBe('2026-03-02T15:10:00.000+08:00');
    expect(page.items[0]).toMatchObject({ tag: null, gateway: 'GW01', unit: null, hazard: null });
  });

  it('scopes: another county’s regulator sees only its enterprise, an operator only its own, a foreign enterprise filter nothing', async () => {
    expect(ids(await journal('regOther'))).toEqual(['alarm-e3:UNACK']);
    expect(ids(await journal('opE1'))).toEqual(['gw-e1:UNACK', 'alarm-e1:ACKED', 'alarm-e1:UNACK']);
    const foreign = await journal('opE1', `&enterprise=${E3}`);
    expect([foreign.items, foreign.total]).toEqual([[], 0]);
    expect((await journal('regOther', `&enterprise=${E1}`)).items).toEqual([]);
    expect(ids(await journal('regProvince')).sort()).toEqual(
      ['alarm-e1:ACKED', 'alarm-e1:UNACK', 'alarm-e3:UNACK', 'gw-e1:UNACK'].sort(),
    );
    const anonymous = await api.app.inject({ method: 'GET', url: `/api/v1/alarm-journal?${range}` });
    expect(anonymous.statusCode).toBe(401);
  });

  it('filters by colour, state, condition, enterprise and hazard, region, and free text in names, reason and actor', async () => {
    expect(ids(await journal('regProvince', '&colour=blue'))).toEqual(['gw-e1:UNACK']);
    expect(ids(await journal('regProvince', '&state=ACKED'))).toEqual(['alarm-e1:ACKED']);
    expect(ids(await journal('regProvince', '&condition=GATEWAY_OFFLINE&condition=LL'))).toEqual([
      'gw-e1:UNACK',
    ]);
    expect(ids(await journal('regProvince', `&enterprise=${E1}&hazard=CL-TF01`))).toEqual([
      'alarm-e1:ACKED',
      'alarm-e1:UNACK',
    ]);
    expect(ids(await journal('regProvince', '&region=320682'))).toEqual(['alarm-e3:UNACK']);
    // A point's name (site model), the enterprise's name, the actor and the reason (stored).
    expect(ids(await journal('regProvince', `&q=${encodeURIComponent('反应釜')}`))).toEqual([
      'alarm-e3:UNACK',
    ]);
    expect(ids(await journal('regProvince', `&q=${encodeURIComponent('氯碱')}`))).toHaveLength(3);
    expect(ids(await journal('regProvince', '&q=OPE1'))).toEqual(['alarm-e1:ACKED']);
    expect(ids(await journal('regProvince', `&q=${encodeURIComponent('已通知')}`))).toEqual([
      'alarm-e1:ACKED',
    ]);
    // Literal, never a pattern.
    expect((await journal('regProvince', '&q=%25')).items).toEqual([]);
    const hazardAlone = await get('regProvince', `/alarm-journal?${range}&hazard=CL-TF01`);
    expect([hazardAlone.statusCode, hazardAlone.json<{ code: string }>().code]).toEqual([
      400,
      'HW_API_FILTER_INVALID',
    ]);
  });

  it('sorts by a column in either direction, ties in event order', async () => {
    expect(ids(await journal('regProvince', '&sort=ts&dir=asc'))).toEqual([
      'alarm-e1:UNACK',
      'alarm-e1:ACKED',
      'gw-e1:UNACK',
      'alarm-e3:UNACK',
    ]);
    const byValue = await journal('regProvince', '&sort=value&dir=desc');
    expect(byValue.items.map((e) => e.value)).toEqual([141.5, 90, null, null]);
    const byColour = await journal('regProvince', '&sort=colour&dir=asc');
    expect(byColour.items.map((e) => e.colour)).toEqual(['blue', 'red', 'red', 'red']);
    expect(ids(await journal('regProvince', '&sort=tag&dir=asc'))[0]).toBe('alarm-e1:UNACK');
    const bad = await get('regProvince', `/alarm-journal?${range}&sort=reason`);
    expect(bad.statusCode).toBe(400);
  });

  it('pages, and refuses a page past the cap or a range past 31 days with a 400 naming the limit', async () => {
    const second = await journal('regProvince', '&sort=ts&dir=asc&limit=2&offset=2');
    expect([ids(second), second.total, second.limit, second.offset]).toEqual([
      ['gw-e1:UNACK', 'alarm-e3:UNACK'],
      4,
      2,
      2,
    ]);
    const deep = await get('regProvince', `/alarm-journal?${range}&limit=100&offset=9901`);
    expect(deep.statusCode).toBe(400);
    expect(deep.json<{ code: string; message: string }>()).toMatchObject({ code: 'HW_API_VALIDATION' });
    expect(deep.json<{ message: string }>().message).toContain('10000');
    const long = await get('regProvince', `/alarm-journal?from=${TO - 32 * 86_400_000}&to=${TO}`);
    expect([long.statusCode, long.json<{ code: string }>().code]).toEqual([400, 'HW_API_RANGE_TOO_LONG']);
    expect(long.json<{ message: string }>().message).toContain('31 days');
    const open = await get('regProvince', `/alarm-journal?from=${FROM}`);
    expect(open.statusCode).toBe(400);
  });

  it('exports the journal as CSV: BOM, headers in the caller’s language, the page’s rows and order, formulas defused', async () => {
    const res = await get('regCounty', `/alarm-journal/export?${range}&format=csv&sort=ts&dir=asc`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain('attachment;');
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    const rows = parseCsv(res.body.slice(1));
    expect(rows[0]!.slice(0, 4)).toEqual(['时间', '颜色', '企业', '重大危险源']);
    expect(rows).toHaveLength(4);
    expect(rows[1]).toEqual([
      '2026-03-02T15:10:00.000+08:00',
      '红',
      '如东示例氯碱化工有限公司',
      '液氯储罐区',
      'LT-1101',
      '液氯储罐V-1101液位',
      '高高报',
      '正常',
      '未确认',
      '90',
      '85',
      '%',
      '系统',
      '报警条件成立',
      '',
      'alarm-e1',
    ]);
    expect(rows[2]![13]).toBe(`'=HYPERLINK("x") 已通知, 维修`);
    expect(rows[3]!.slice(1, 7)).toEqual(['蓝', '如东示例氯碱化工有限公司', '', 'GW01', '', '网关离线']);
    // Nothing of another county.
    expect(res.body).not.toContain('alarm-e3');

    const english = await get('regCounty', `/alarm-journal/export?${range}&format=csv&lang=en`);
    expect(parseCsv(english.body.slice(1))[0]!.slice(0, 3)).toEqual(['Time', 'Colour', 'Enterprise']);
    // The engine's actor and reason in the reader's language; the operator's text as typed.
    const raised = parseCsv(english.body.slice(1)).filter((r) => r[15] === 'alarm-e1');
    expect(raised.map((r) => r.slice(12, 14))).toEqual([
      ['opE1', `'=HYPERLINK("x") 已通知, 维修`],
      ['System', 'Condition active'],
    ]);
    const accept = await get('regCounty', `/alarm-journal/export?${range}&format=csv`, {
      'accept-language': 'en-GB,en;q=0.9,zh-CN;q=0.5',
    });
    expect(parseCsv(accept.body.slice(1))[1]![6]).toBe('Gateway offline');
    const other = await get('regOther', `/alarm-journal/export?${range}&format=csv`);
    expect(parseCsv(other.body.slice(1)).map((r) => r[15])).toEqual(['报警编号', 'alarm-e3']);
  });

  it('exports the journal as an Excel workbook whose sheet holds the rows, times as date cells', async () => {
    const res = await get('regCounty', `/alarm-journal/export?${range}&format=xlsx&lang=en&state=UNACK`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const files = unzip(res.rawPayload);
    expect(files.get('xl/workbook.xml')).toContain('name="Alarm journal"');
    const sheet = files.get('xl/worksheets/sheet1.xml')!;
    expect(sheet.match(/<row /g)).toHaveLength(3);
    expect(sheet).toContain('<t>Time</t>');
    expect(sheet).toContain('<t>High-high</t>');
    expect(sheet).toContain('<t>Gateway offline</t>');
    expect(sheet).not.toContain('ACKED');
    // 2026-03-02 15:10 China time as an Excel serial date in the date-time style.
    const serial = (NOW - 50 * MIN + 8 * 3_600_000) / 86_400_000 + 25_569;
    expect(sheet).toContain(`<c r="A3" s="1"><v>${serial}</v></c>`);
    expect(sheet).toContain('<t>System</t>');
    const zh = await get('regCounty', `/alarm-journal/export?${range}&format=xlsx&lang=zh-CN&state=UNACK`);
    const zhSheet = unzip(zh.rawPayload).get('xl/worksheets/sheet1.xml')!;
    expect(zhSheet).toContain('<t>系统</t>');
    expect(zhSheet).toContain('<t>报警条件成立</t>');
    expect(zhSheet).not.toContain('condition active');
  });

  it('exports the console’s filtered open alarms in its order (colour, then newest), scoped', async () => {
    const res = await get('opE1', '/alarms/active/export?format=csv');
    expect(res.statusCode, res.body).toBe(200);
    const rows = parseCsv(res.body.slice(1));
    expect(rows[0]!.slice(0, 2)).toEqual(['报警时间', '颜色']);
    expect(rows.slice(1).map((r) => r[14])).toEqual(['alarm-e1', 'gw-e1']);
    expect(rows[1]!.slice(1, 11)).toEqual([
      '红',
      '如东示例氯碱化工有限公司',
      '液氯储罐区',
      'LT-1101',
      '液氯储罐V-1101液位',
      '高高报',
      '未确认',
      '90',
      '85',
      '%',
    ]);
    const texted = await get('opE1', `/alarms/active/export?format=csv&q=${encodeURIComponent('液位')}`);
    expect(
      parseCsv(texted.body.slice(1))
        .slice(1)
        .map((r) => r[14]),
    ).toEqual(['alarm-e1']);
    const blue = await get('regProvince', '/alarms/active/export?format=csv&colour=blue');
    expect(
      parseCsv(blue.body.slice(1))
        .slice(1)
        .map((r) => r[14]),
    ).toEqual(['gw-e1']);
    const other = await get('regOther', '/alarms/active/export?format=xlsx');
    const sheet = unzip(other.rawPayload).get('xl/worksheets/sheet1.xml')!;
    expect(sheet).toContain('<t>alarm-e3</t>');
    expect(sheet).not.toContain('alarm-e1');
    const foreign = await get('opE1', `/alarms/active/export?format=csv&enterprise=${E3}`);
    expect(parseCsv(foreign.body.slice(1))).toHaveLength(1);
    expect((await get('opE1', '/alarms/active/export?format=pdf')).statusCode).toBe(400);
  });

  it('refuses an export of more than 50,000 events before writing anything, naming the limit', async () => {
    const start = NOW - 20 * 86_400_000;
    await api.client.query(
      `INSERT INTO alarm_events (alarm_id, source_key, condition, from_state, to_state, ts, actor, colour)
       SELECT 'alarm-e3', $1, 'HH', 'UNACK', 'ACKED', to_timestamp(($2::float8 + g) / 1000.0), 'system', 'red'
       FROM generate_series(1, 50001) g`,
      [`point:${e3Point}`, start],
    );
    const res = await get('regProvince', `/alarm-journal/export?from=${start}&to=${start + MIN}&format=csv`);
    expect([res.statusCode, res.json<{ code: string }>().code]).toEqual([400, 'HW_API_VALIDATION']);
    expect(res.json<{ message: string }>().message).toContain('50000');
    // A page counts no further than the deepest page allows, plus one: "more than 10,000".
    const page = await get('regProvince', `/alarm-journal?from=${start}&to=${start + MIN}&limit=1`);
    expect(page.json<JournalPage>().total).toBe(10_001);
  });
});
