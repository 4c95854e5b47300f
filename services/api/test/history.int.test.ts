import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApi, E1, E2, E3, NOW, type TestApi, type TestUser } from './support/api-fixture.js';

interface Series {
  pointId: number;
  from: number;
  to: number;
  resolution: string;
  buckets: Array<{ ts: number; min: number; max: number; avg: number; last: number; count: number }>;
}

describe('GET /api/v1/history (several points)', () => {
  let api: TestApi;
  let p1: number; // E1
  let p2: number; // E1
  let p8: number; // E2, same county
  let p3101: number; // E3, other county
  const from = NOW - 120_000;

  const get = (user: TestUser | undefined, query: string) =>
    api.app.inject({
      method: 'GET',
      url: `/api/v1/history?${query}`,
      headers: user === undefined ? {} : api.auth(user),
    });

  beforeAll(async () => {
    api = await buildTestApi();
    p1 = api.site.pointByKey(E1, 'LT-1101')!.id;
    p2 = api.site.pointByKey(E1, 'PT-1101')!.id;
    p8 = api.site.pointByKey(E2, 'TT-2101')!.id;
    p3101 = api.site.pointByKey(E3, 'TT-3101')!.id;
    const ts = Array.from({ length: 120 }, (_, i) => from + i * 1000);
    for (const [point, offset] of [
      [p1, 50],
      [p2, 1],
    ] as const) {
      await api.client.query(
        `INSERT INTO readings (point_id, ts, value, quality)
         SELECT $1, to_timestamp(t / 1000.0), v, 0 FROM unnest($2::float8[], $3::float8[]) AS x(t, v)`,
        [point, ts, ts.map((_, i) => offset + (i % 10))],
      );
    }
    // Plain-PostgreSQL rollups are tables: two 1-minute buckets of p2 an hour earlier.
    await api.client.query(
      `INSERT INTO readings_1m (bucket, point_id, min, max, avg, last, count)
       VALUES (to_timestamp($2 / 1000.0), $1, 1, 9, 5, 7, 60), (to_timestamp(($2 + 60000) / 1000.0), $1, 2, 8, 4, 3, 60)`,
      [p2, NOW - 3_600_000],
    );
  });
  afterAll(() => api.close());

  it('answers per point the same series as /points/:id/history, in one resolution', async () => {
    const range = `from=${from}&to=${NOW}&maxPoints=500`;
    const res = await get('opE1', `points=${p2},${p1},${p2}&${range}`);
    expect(res.statusCode, res.body).toBe(200);
    const { items } = res.json<{ items: Series[] }>();
    // Duplicates collapse; request order is kept.
    expect(items.map((s) => [s.pointId, s.resolution, s.buckets.length])).toEqual([
      [p2, 'raw', 120],
      [p1, 'raw', 120],
    ]);
    expect(items[1]!.buckets[9]).toEqual({ ts: from + 9000, min: 59, max: 59, avg: 59, last: 59, count: 1 });
    for (const series of items) {
      const single = await api.app.inject({
        method: 'GET',
        url: `/api/v1/points/${series.pointId}/history?${range}`,
        headers: api.auth('opE1'),
      });
      expect(series).toEqual(single.json());
    }
  });

  it('chooses 1-minute buckets when raw would exceed maxPoints, for every point alike', async () => {
    const res = await get('regCounty', `points=${p1},${p2}&from=${NOW - 7_200_000}&to=${NOW}&maxPoints=200`);
    expect(res.statusCode, res.body).toBe(200);
    const { items } = res.json<{ items: Series[] }>();
    expect(items.map((s) => s.resolution)).toEqual(['1m', '1m']);
    expect(items[0]!.buckets).toEqual([]);
    expect(items[1]!.buckets).toEqual([
      { ts: NOW - 3_600_000, min: 1, max: 9, avg: 5, last: 7, count: 60 },
      { ts: NOW - 3_540_000, min: 2, max: 8, avg: 4, last: 3, count: 60 },
    ]);
  });

  it('refuses the whole request when one point is outside the caller scope, naming the first', async () => {
    const range = `from=${from}&to=${NOW}`;
    const cases: Array<[TestUser, string, number]> = [
      ['opE1', `${p1},${p3101},${p8}`, p3101],
      ['opE1', `${p1},${p8},${p3101}`, p8],
      ['regOther', `${p3101},${p1}`, p1],
      ['viewerCounty', `${p8},${p3101}`, p3101],
    ];
    for (const [user, points, refused] of cases) {
      const res = await get(user, `points=${points}&${range}`);
      expect(res.statusCode, `${user} ${points}: ${res.body}`).toBe(403);
      expect(res.json()).toEqual({
        code: 'HW_API_FORBIDDEN',
        message: `forbidden: point ${refused} is outside your scope`,
      });
    }
    expect((await get('regCounty', `points=${p1},${p8}&${range}`)).statusCode).toBe(200);
    expect((await get('admin', `points=${p1},${p8},${p3101}&${range}`)).statusCode).toBe(200);
  });

  it('answers 404 for an unknown point, 400 for a bad list or range, 401 without a token', async () => {
    const range = `from=${from}&to=${NOW}`;
    const unknown = await get('admin', `points=${p1},999999&${range}`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'HW_API_NOT_FOUND', message: 'no point 999999' });

    // The limit counts distinct points: 50 pass validation (and then are unknown), 51 do not.
    const ids = (n: number) => Array.from({ length: n }, (_, i) => 100_000 + i).join(',');
    expect((await get('admin', `points=${ids(50)},100000&${range}`)).statusCode).toBe(404);
    const many = await get('admin', `points=${ids(51)}&${range}`);
    expect(many.statusCode).toBe(400);
    expect(many.json()).toMatchObject({ code: 'HW_API_VALIDATION' });

    for (const query of [
      `points=&${range}`,
      `points=1,,2&${range}`,
      `points=a&${range}`,
      `points=${p1}&from=${NOW}&to=${NOW}`,
      `points=${p1}&${range}&extra=1`,
      range,
    ]) {
      const res = await get('admin', query);
      expect(res.statusCode, query).toBe(400);
    }
    expect((await get(undefined, `points=${p1}&${range}`)).statusCode).toBe(401);
  });
});
