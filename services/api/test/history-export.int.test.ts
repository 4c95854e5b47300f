import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataLossRepository } from '@hazardwatch/store';
import { MAX_EXPORT_ROWS } from '../src/routes/history-export.js';
import { buildTestApi, E1, E2, E3, NOW, type TestApi, type TestUser } from './support/api-fixture.js';

interface Series {
  pointId: number;
  resolution: string;
  buckets: Array<{ ts: number; min: number; max: number; avg: number; last: number; count: number }>;
}

/** RFC 4180 records (quoted fields, CRLF), enough to read back what the route wrote. */
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

/** The entries of a ZIP by their local headers (APPNOTE 4.3.7), inflated with node's zlib. */
function unzip(buf: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (buf.readUInt32LE(at) === 0x04034b50) {
    const method = buf.readUInt16LE(at + 8);
    const size = buf.readUInt32LE(at + 18);
    const nameLength = buf.readUInt16LE(at + 26);
    const extra = buf.readUInt16LE(at + 28);
    const name = buf.toString('utf8', at + 30, at + 30 + nameLength);
    const start = at + 30 + nameLength + extra;
    const data = buf.subarray(start, start + size);
    out.set(name, (method === 8 ? inflateRawSync(data) : data).toString('utf8'));
    at = start + size;
  }
  return out;
}

/** `yyyy-mm-ddThh:mm:ss.sss+08:00` as csv.ts writes times (China time). */
const chinaTime = (ms: number) => `${new Date(ms + 8 * 3_600_000).toISOString().slice(0, -1)}+08:00`;

describe('GET /api/v1/history/export', () => {
  let api: TestApi;
  let lt: number; // E1, %
  let pt: number; // E1, MPa
  let tt2: number; // E2, same county
  let tt3: number; // E3, other county
  const from = NOW - 120_000;

  const get = (user: TestUser | undefined, query: string) =>
    api.app.inject({
      method: 'GET',
      url: `/api/v1/history/export?${query}`,
      headers: user === undefined ? {} : api.auth(user),
    });
  const history = async (query: string) => {
    const res = await api.app.inject({
      method: 'GET',
      url: `/api/v1/history?${query}`,
      headers: api.auth('admin'),
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ items: Series[] }>().items;
  };

  beforeAll(async () => {
    api = await buildTestApi();
    lt = api.site.pointByKey(E1, 'LT-1101')!.id;
    pt = api.site.pointByKey(E1, 'PT-1101')!.id;
    tt2 = api.site.pointByKey(E2, 'TT-2101')!.id;
    tt3 = api.site.pointByKey(E3, 'TT-3101')!.id;
    // 60 s of readings each, with a 60 s hole in LT-1101: the export must not fill it.
    const ts = Array.from({ length: 60 }, (_, i) => from + i * 1000);
    for (const [point, times, base] of [
      [lt, ts.filter((t) => t < from + 20_000 || t >= from + 40_000), 2.5],
      [pt, ts, -0.5],
    ] as const) {
      await api.client.query(
        `INSERT INTO readings (point_id, ts, value, quality)
         SELECT $1, to_timestamp(t / 1000.0), v, 0 FROM unnest($2::float8[], $3::float8[]) AS x(t, v)`,
        [point, times, times.map((_, i) => base + i / 4)],
      );
    }
    await new DataLossRepository(api.client).insert({
      enterprise: E1,
      gateway: 'GW01',
      reason: 'max_bytes',
      readings: 20,
      entries: 1,
      fromMs: from + 20_000,
      toMs: from + 39_000,
      reportedMs: from + 45_000,
      receivedMs: from + 46_000,
    });
  });
  afterAll(() => api.close());

  it('writes as CSV exactly the series /history answers, point by point, times in China time', async () => {
    const query = `points=${lt},${pt}&from=${from}&to=${NOW}&maxPoints=500`;
    const series = await history(query);
    expect(series.map((s) => [s.pointId, s.resolution, s.buckets.length])).toEqual([
      [lt, 'raw', 40],
      [pt, 'raw', 60],
    ]);

    const res = await get('opE1', `${query}&format=csv`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain(
      `filename*=UTF-8''${encodeURIComponent('趋势_20260302-1558_20260302-1600.csv')}`,
    );
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = parseCsv(res.body.slice(1));
    expect(header).toEqual([
      '时间',
      '企业',
      '重大危险源',
      '位号',
      '名称',
      '单位',
      '分辨率',
      '值',
      '最小值',
      '最大值',
      '平均值',
      '样本数',
    ]);
    const expected = series.flatMap((s) => {
      const p = api.site.pointById(s.pointId)!;
      return s.buckets.map((b) => [
        chinaTime(b.ts),
        p.enterprise,
        p.hazard ?? '',
        p.tag,
        p.name,
        p.unit,
        s.resolution,
        ...[b.last, b.min, b.max, b.avg, b.count].map(String),
      ]);
    });
    expect(rows).toEqual(expected);
    // The hole stays a hole: no LT-1101 row between its 20th and 40th second.
    const ltTimes = rows.filter((r) => r[3] === 'LT-1101').map((r) => r[0]);
    expect(ltTimes).not.toContain(chinaTime(from + 20_000));
    expect(ltTimes).toContain(chinaTime(from + 40_000));
    expect(rows.find((r) => r[3] === 'PT-1101')?.[7]).toBe('-0.5');

    const english = await get('opE1', `${query}&format=csv&lang=en`);
    expect(parseCsv(english.body.slice(1))[0]?.slice(0, 4)).toEqual([
      'Time',
      'Enterprise',
      'Major hazard',
      'Tag',
    ]);
    expect(english.headers['content-disposition']).toContain(
      'filename="trend_20260302-1558_20260302-1600.csv"',
    );
  });

  it('writes an Excel workbook: the readings sheet as the CSV, the data-loss reports on a second', async () => {
    const query = `points=${lt},${pt}&from=${from}&to=${NOW}&maxPoints=500&format=xlsx`;
    const res = await get('regCounty', query);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const files = unzip(res.rawPayload);
    expect(files.get('xl/workbook.xml')).toMatch(/<sheet name="趋势"[^>]*\/><sheet name="数据丢失"/);
    const sheet = files.get('xl/worksheets/sheet1.xml')!;
    // Header and 100 rows (40 + 60 buckets).
    expect(sheet.match(/<row /g)).toHaveLength(101);
    expect(sheet).toContain('<t>LT-1101</t>');
    // The first reading: an Excel date-time (China time) and its value as a number.
    const serial = (from + 8 * 3_600_000) / 86_400_000 + 25_569;
    expect(sheet).toContain(`<c r="A2" s="1"><v>${serial}</v></c>`);
    expect(sheet).toMatch(/<row r="2">.*<c r="H2"><v>2.5<\/v><\/c>/);
    const losses = files.get('xl/worksheets/sheet2.xml')!;
    expect(losses.match(/<row /g)).toHaveLength(2);
    expect(losses).toContain('<t>max_bytes</t>');
    expect(losses).toContain('<c r="E2"><v>20</v></c>');
  });

  it('uses the resolution /history chooses for the same range and maxPoints', async () => {
    await api.client.query(
      `INSERT INTO readings_1m (bucket, point_id, min, max, avg, last, count)
       VALUES (to_timestamp($2 / 1000.0), $1, 1, 9, 5, 7, 60)`,
      [pt, NOW - 3_600_000],
    );
    const query = `points=${pt}&from=${NOW - 7_200_000}&to=${NOW}&maxPoints=200`;
    expect((await history(query)).map((s) => s.resolution)).toEqual(['1m']);
    const rows = parseCsv((await get('admin', query)).body.slice(1)).slice(1);
    expect(rows).toEqual([
      [
        chinaTime(NOW - 3_600_000),
        E1,
        'CL-TF01',
        'PT-1101',
        '液氯储罐V-1101压力',
        'MPa',
        '1m',
        '7',
        '1',
        '9',
        '5',
        '60',
      ],
    ]);
  });

  it('refuses points outside the caller scope, naming the first, and needs a token', async () => {
    const range = `from=${from}&to=${NOW}`;
    for (const [user, points, refused] of [
      ['opE1', `${lt},${tt3}`, tt3],
      ['opE1', `${tt2},${lt}`, tt2],
      ['regOther', `${tt3},${pt}`, pt],
    ] as const) {
      const res = await get(user, `points=${points}&${range}`);
      expect(res.statusCode, `${user} ${points}: ${res.body}`).toBe(403);
      expect(res.json()).toEqual({
        code: 'HW_API_FORBIDDEN',
        message: `forbidden: point ${refused} is outside your scope`,
      });
    }
    expect((await get(undefined, `points=${lt}&${range}`)).statusCode).toBe(401);
    expect((await get('admin', `points=${lt}&${range}&format=pdf`)).statusCode).toBe(400);
    expect((await get('admin', `points=${lt}&from=${NOW}&to=${from}`)).statusCode).toBe(400);
  });

  it(`refuses more than ${MAX_EXPORT_ROWS} rows with a 400 naming the limit, before and after the query`, async () => {
    // Two points over years of hours: the bound is known before reading anything.
    const long = await get('admin', `points=${lt},${pt}&from=0&to=${NOW}`);
    expect(long.statusCode).toBe(400);
    expect(long.json<{ message: string }>().message).toMatch(
      new RegExp(`would hold \\d+ rows \\(2 points × the range at 1h\\), at most ${MAX_EXPORT_ROWS} allowed`),
    );
    // A point sampled about ten times a second: raw fits the bound at one a second, the rows do not.
    const start = NOW - 20_001_000;
    await api.client.query(
      `INSERT INTO readings (point_id, ts, value, quality)
       SELECT $1, to_timestamp(($2::float8 + i * 99) / 1000.0), 1, 0 FROM generate_series(0, $3) AS i`,
      [tt2, start, MAX_EXPORT_ROWS],
    );
    const dense = await get('admin', `points=${tt2}&from=${start}&to=${start + 20_000_000}&maxPoints=20000`);
    expect(dense.statusCode).toBe(400);
    expect(dense.json<{ message: string }>().message).toBe(
      `invalid request: the export would hold ${MAX_EXPORT_ROWS + 1} rows (stored readings), at most ${MAX_EXPORT_ROWS} allowed: shorten the range or choose fewer points`,
    );
  });
});
