// The root tsconfig.test.json has no DOM lib; this test mounts components (happy-dom).
/// <reference lib="dom" />
import { flushPromises, mount } from '@vue/test-utils';
import { defineComponent, h, ref } from 'vue';
import { describe, expect, it, vi } from 'vitest';
import type { DataLossReport, History, HistoryBucket, Me, Point } from '@hazardwatch/contracts';
import { APP, type AppContext } from '../src/app-context.js';
import { en } from '../src/i18n/en.js';
import { createAppI18n } from '../src/i18n/index.js';
import { zhCN } from '../src/i18n/zh-CN.js';
import {
  lineWithGaps,
  unitAxes,
  axisIndexOf,
  distinctLosses,
} from '../src/components/trends/trend-series.js';
import {
  formatTrendsQuery,
  fromShanghaiInput,
  MAX_TREND_POINTS,
  parseTrendsQuery,
  RANGE_PRESETS,
  resolveRange,
  toShanghaiInput,
  trendsHash,
} from '../src/components/trends/trends-state.js';
import { exportFileName, exportQuery } from '../src/components/trends/trend-export.js';
import PointDetail from '../src/components/detail/PointDetail.vue';
import TrendsView from '../src/components/trends/TrendsView.vue';
import { formatRoute, parseRoute } from '../src/logic/router.js';

// ECharts needs a canvas happy-dom does not have: the chart is a stub that keeps its props.
const chartProps: Array<Record<string, unknown>> = [];
// The point detail's own panels have their own tests; only its link is looked at here.
vi.mock('../src/components/detail/TrendChart.vue', () => ({ default: { render: () => null } }));
vi.mock('../src/components/detail/PointHistory.vue', () => ({ default: { render: () => null } }));
vi.mock('../src/components/detail/PointDisable.vue', () => ({ default: { render: () => null } }));
vi.mock('../src/components/trends/MultiTrendChart.vue', () => ({
  default: defineComponent({
    props: ['series', 'axes', 'limitsOf', 'from', 'to', 'dataLoss'],
    setup(props) {
      return () => {
        chartProps.push({ ...props });
        return h('div', { 'data-test': 'chart-stub' });
      };
    },
  }),
}));

const bucket = (ts: number, last: number): HistoryBucket => ({
  ts,
  min: last,
  max: last,
  avg: last,
  last,
  count: 1,
});
const loss = (id: number, fromMs: number | null, toMs: number | null): DataLossReport => ({
  id,
  enterprise: 'E1',
  gateway: 'GW01',
  reason: 'max_bytes',
  readings: 10,
  entries: 1,
  fromMs,
  toMs,
  reportedMs: 0,
  receivedMs: 0,
});

describe('trends: one y-axis per unit', () => {
  it('points of the same unit share an axis; axes in the order units first appear', () => {
    const axes = unitAxes([
      { id: 1, unit: 'MPa' },
      { id: 2, unit: '°C' },
      { id: 3, unit: 'MPa ' },
      { id: 4, unit: 'kPa' },
    ]);
    expect(axes).toEqual([
      { unit: 'MPa', pointIds: [1, 3] },
      { unit: '°C', pointIds: [2] },
      { unit: 'kPa', pointIds: [4] },
    ]);
    expect([1, 2, 3, 4].map((id) => axisIndexOf(axes, id))).toEqual([0, 1, 0, 2]);
  });
});

describe('trends: gaps stay gaps', () => {
  it('raw: breaks where readings are further apart than the point timeout, values untouched', () => {
    const line = lineWithGaps([bucket(0, 1), bucket(1000, 2), bucket(90_000, 3), bucket(91_000, 4)], {
      resolution: 'raw',
      staleAfterMs: 60_000,
      dataLoss: [],
    });
    expect(line).toEqual([
      [0, 1],
      [1000, 2],
      [45_500, null],
      [90_000, 3],
      [91_000, 4],
    ]);
  });

  it('1-minute buckets: a missing minute breaks the line, neighbouring minutes do not', () => {
    const line = lineWithGaps([bucket(0, 1), bucket(60_000, 2), bucket(180_000, 3)], {
      resolution: '1m',
      staleAfterMs: 30_000,
      dataLoss: [],
    });
    expect(line.map(([, v]) => v)).toEqual([1, 2, null, 3]);
  });

  it('a reported data loss between two readings breaks the line even inside the timeout', () => {
    const buckets = [bucket(0, 1), bucket(10_000, 2), bucket(20_000, 3)];
    const rule = { resolution: 'raw' as const, staleAfterMs: 60_000 };
    expect(lineWithGaps(buckets, { ...rule, dataLoss: [loss(1, 12_000, 15_000)] })).toEqual([
      [0, 1],
      [10_000, 2],
      [15_000, null],
      [20_000, 3],
    ]);
    // A loss that ended at a stored reading, or one without a span, breaks nothing.
    expect(
      lineWithGaps(buckets, { ...rule, dataLoss: [loss(2, -5000, 0), loss(3, null, null)] }).map(
        ([, v]) => v,
      ),
    ).toEqual([1, 2, 3]);
  });

  it('lists each data-loss report once over points of one gateway', () => {
    expect(distinctLosses([[loss(1, 0, 1)], [loss(1, 0, 1), loss(2, 0, 1)]]).map((l) => l.id)).toEqual([
      1, 2,
    ]);
  });
});

describe('trends: the hash holds the points and the range', () => {
  it('round-trips a preset and a custom range in China time', () => {
    expect(parseTrendsQuery('points=12,15&range=8h')).toEqual({
      points: [12, 15],
      range: { kind: 'preset', preset: '8h' },
    });
    const from = Date.UTC(2026, 11, 6, 0, 0); // 08:00 in Shanghai
    const to = Date.UTC(2026, 11, 6, 8, 0);
    const state = { points: [3], range: { kind: 'custom' as const, from, to } };
    expect(formatTrendsQuery(state)).toBe('points=3&from=2026-12-06T08:00&to=2026-12-06T16:00');
    expect(parseTrendsQuery(formatTrendsQuery(state))).toEqual(state);
    expect(trendsHash(state)).toBe('#/trends/points=3&from=2026-12-06T08:00&to=2026-12-06T16:00');
  });

  it('is a route of its own: #/trends/<query>', () => {
    const route = parseRoute('#/trends/points=1,2&range=8h');
    expect(route).toEqual({ view: 'trends', query: 'points=1,2&range=8h' });
    expect(formatRoute(route)).toBe('#/trends/points=1,2&range=8h');
    expect(parseRoute('#/trends')).toEqual({ view: 'trends', query: '' });
  });

  it('reads a hand-edited link as far as it makes sense, never failing', () => {
    expect(parseTrendsQuery('')).toEqual({ points: [], range: { kind: 'preset', preset: '24h' } });
    expect(parseTrendsQuery('points=1,x,1,,2&range=2y').points).toEqual([1, 2]);
    const many = Array.from({ length: 12 }, (_, i) => i + 1).join(',');
    expect(parseTrendsQuery(`points=${many}`).points).toHaveLength(MAX_TREND_POINTS);
    // Reversed, impossible (30 February) or over a year: the default range.
    for (const q of [
      'from=2026-12-06T16:00&to=2026-12-06T08:00',
      'from=2026-02-30T08:00&to=2026-03-02T08:00',
      'from=2024-01-01T00:00&to=2026-01-01T00:00',
    ]) {
      expect(parseTrendsQuery(q).range, q).toEqual({ kind: 'preset', preset: '24h' });
    }
    expect(fromShanghaiInput('2026-12-06T08:00')).toBe(Date.UTC(2026, 11, 6, 0, 0));
    expect(toShanghaiInput(Date.UTC(2026, 11, 5, 20, 30))).toBe('2026-12-06T04:30');
  });

  it('asks raw for an hour, 1-minute buckets for a shift and a day, 1-hour beyond (store rule)', () => {
    const now = 1_800_000_000_000;
    const chosen = RANGE_PRESETS.map((preset) => {
      const r = resolveRange({ kind: 'preset', preset }, now);
      expect(r.to).toBe(now);
      const range = r.to - r.from;
      return range / 1000 <= r.maxPoints ? 'raw' : range / 60_000 <= r.maxPoints ? '1m' : '1h';
    });
    expect(chosen).toEqual(['raw', '1m', '1m', '1h', '1h']);
  });

  it('names the export as the server does, with the very request shown', () => {
    const shown = {
      points: [1, 2],
      from: Date.UTC(2026, 2, 2, 7, 58),
      to: Date.UTC(2026, 2, 2, 8, 0),
      maxPoints: 500,
    };
    expect(exportFileName('zh-CN', shown, 'csv')).toBe('趋势_20260302-1558_20260302-1600.csv');
    expect(exportFileName('en', shown, 'xlsx')).toBe('trend_20260302-1558_20260302-1600.xlsx');
    expect(exportQuery(shown, 'xlsx', 'en')).toEqual({
      points: '1,2',
      from: shown.from,
      to: shown.to,
      maxPoints: 500,
      format: 'xlsx',
      lang: 'en',
    });
  });

  it('has a label for every preset in both languages', () => {
    for (const p of RANGE_PRESETS) {
      const key = `${p.slice(-1)}${p.slice(0, -1)}` as keyof typeof zhCN.trends.presets;
      expect(zhCN.trends.presets[key], p).toBeTruthy();
      expect(en.trends.presets[key], p).toBeTruthy();
    }
  });
});

const point = (id: number, tag: string, unit: string): Point =>
  ({
    id,
    tag,
    name: `${tag} name`,
    unit,
    hazard: 'H1',
    enterprise: 'E1',
    gateway: 'GW01',
    staleAfterMs: 60_000,
    limits: { hh: 90, h: 80, l: null, ll: null },
    interlocks: { hh: null, h: null, l: null, ll: null },
    range: { min: 0, max: 100 },
    inService: true,
  }) as unknown as Point;

describe('TrendsView', () => {
  async function mountView(query: string, permissions: Me['permissions'] = { 'history.export': 'allow' }) {
    chartProps.length = 0;
    const points = new Map([
      [1, point(1, 'PT-1101', 'MPa')],
      [2, point(2, 'TT-1101', '°C')],
      [3, point(3, 'PT-1102', 'MPa')],
    ]);
    const requests: unknown[] = [];
    const get = vi.fn((path: string, q: Record<string, unknown>) => {
      requests.push({ path, ...q });
      const ids = String(q['points']).split(',').map(Number);
      const items: History[] = ids.map((pointId) => ({
        pointId,
        from: Number(q['from']),
        to: Number(q['to']),
        resolution: '1m',
        buckets: pointId === 3 ? [] : [bucket(0, 1), bucket(60_000, 2), bucket(300_000, 3)],
        dataLoss: [],
      }));
      return Promise.resolve({ items });
    });
    const go = vi.fn();
    const ctx = {
      api: { http: { get } },
      site: { points: ref(points), hazards: ref([]), enterprises: ref([]) },
      session: { me: ref({ permissions }) },
      go,
    } as unknown as AppContext;
    const w = mount(TrendsView, {
      props: { query, now: Date.now() },
      global: { plugins: [createAppI18n('zh-CN')], provide: { [APP as symbol]: ctx } },
    });
    await flushPromises();
    return { w, go, requests };
  }

  it('draws each point against its unit axis, names the resolution, and breaks the missing minutes', async () => {
    const { w, requests } = await mountView('points=1,2,3,99&range=8h');
    // Only the points the caller sees are asked for; the unknown one is named.
    expect(requests).toEqual([
      expect.objectContaining({ path: '/history', points: '1,2,3', maxPoints: 1000 }),
    ]);
    expect(w.find('[data-test="unknown-point"]').text()).toContain('99');
    const last = chartProps.at(-1)!;
    expect((last['axes'] as Array<{ unit: string }>).map((a) => a.unit)).toEqual(['MPa', '°C']);
    const series = last['series'] as Array<{
      id: number;
      axis: number;
      line: Array<[number, number | null]>;
    }>;
    expect(series.map((s) => [s.id, s.axis])).toEqual([
      [1, 0],
      [2, 1],
      [3, 0],
    ]);
    expect(series[0]!.line.map(([, v]) => v)).toEqual([1, 2, null, 3]);
    expect(w.findAll('[data-test="unit"]').map((u) => u.text())).toEqual(['MPa', '°C', 'MPa']);
    expect(w.find('[data-point="3"] [data-test="no-data"]').exists()).toBe(true);
    expect(w.find('[data-test="trends-resolution"]').text()).toContain('1 分钟');
    // Several points: no limits until one is hovered.
    expect(last['limitsOf']).toBeNull();
    await w.find('[data-point="2"]').trigger('mouseenter');
    expect(chartProps.at(-1)!['limitsOf']).toBe(2);
  });

  it('shows the limits of the only point', async () => {
    const { w } = await mountView('points=2&range=1h');
    expect(chartProps.at(-1)!['limitsOf']).toBe(2);
    w.unmount();
  });

  it('changes go through the hash: add, remove, preset', async () => {
    const { w, go } = await mountView('points=1&range=24h');
    await w.find('[data-test="point-search"]').setValue('tt-1101');
    await w.find('[data-add="2"]').trigger('click');
    expect(go).toHaveBeenLastCalledWith('#/trends/points=1,2&range=24h');
    await w.find('[data-remove="1"]').trigger('click');
    expect(go).toHaveBeenLastCalledWith('#/trends/points=&range=24h');
    await w.find('[data-preset="7d"]').trigger('click');
    expect(go).toHaveBeenLastCalledWith('#/trends/points=1&range=7d');
  });

  it('reads a preset anew when it is clicked again (no hash change)', async () => {
    const { w, go, requests } = await mountView('points=1&range=24h');
    await w.find('[data-preset="24h"]').trigger('click');
    await flushPromises();
    expect(go).not.toHaveBeenCalled();
    expect(requests).toHaveLength(2);
  });

  it('offers the export only to whom the authority table allows it', async () => {
    expect((await mountView('points=1')).w.find('[data-test="export-csv"]').exists()).toBe(true);
    const refused = await mountView('points=1', { 'history.export': 'refuse' });
    expect(refused.w.find('[data-test="export-csv"]').exists()).toBe(false);
  });
});

describe('point detail: open in trends', () => {
  it('links the point over the range shown there', async () => {
    const p = point(7, 'TT-1101', '°C');
    const history: History = { pointId: 7, from: 0, to: 1, resolution: 'raw', buckets: [], dataLoss: [] };
    const ctx = {
      api: { history: () => Promise.resolve(history), point: () => Promise.resolve(p) },
      site: { points: ref(new Map([[7, p]])) },
      live: {
        valuesVersion: ref(0),
        coloursVersion: ref(0),
        values: new Map(),
        colours: { get: () => null },
      },
    } as unknown as AppContext;
    const w = mount(PointDetail, {
      props: { id: 7, now: 0 },
      global: { plugins: [createAppI18n('zh-CN')], provide: { [APP as symbol]: ctx } },
    });
    await flushPromises();
    const link = w.find('[data-test="open-in-trends"]');
    expect(link.attributes('href')).toBe('#/trends/points=7&range=1h');
    expect(link.text()).toBe('在趋势中打开');
  });
});
