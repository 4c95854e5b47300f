import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import DataLossTable from '../src/components/quality/DataLossTable.vue';
import { lossMarks } from '../src/components/detail/loss-marks.js';
import type { DataLossReport } from '@hazardwatch/contracts';
import { createAppI18n, type Locale } from '../src/i18n/index.js';

const NOW = Date.UTC(2026, 2, 2, 8, 0, 0);
const HOUR = 3_600_000;

const loss = (over: Partial<DataLossReport> = {}): DataLossReport => ({
  id: 1,
  enterprise: 'E1',
  gateway: 'GW01',
  reason: 'max_bytes',
  readings: 11_297,
  entries: 56,
  fromMs: NOW - 2 * HOUR,
  toMs: NOW - 2 * HOUR + 55_000,
  reportedMs: NOW - 2 * HOUR + 60_000,
  receivedMs: NOW - 2 * HOUR + 61_000,
  ...over,
});

const translator = (locale: Locale) => {
  const { t } = createAppI18n(locale).global;
  return (key: string, named: Record<string, unknown> = {}) => t(key, named);
};

/** Issue #16 item 4: a reported hole is a marked band on the trend, never an ordinary gap. */
describe('trend: reported data loss as a band', () => {
  const range = { from: NOW - 8 * HOUR, to: NOW };

  it('marks each reported span 数据丢失, readings and reason in its tooltip, clipped to the trend', () => {
    const marks = lossMarks(
      [loss(), loss({ id: 2, fromMs: NOW - 9 * HOUR, toMs: NOW - 7 * HOUR, readings: 5, reason: 'max_age' })],
      range,
      translator('zh-CN'),
    );
    expect(marks.areas.map(([a, b]) => [a.xAxis, b.xAxis])).toEqual([
      [NOW - 2 * HOUR, NOW - 2 * HOUR + 55_000],
      [NOW - 8 * HOUR, NOW - 7 * HOUR],
    ]);
    expect(marks.areas.every(([a]) => a.name === '数据丢失')).toBe(true);
    expect(marks.tooltips[0]).toMatch(/11,?297/);
    expect(marks.tooltips[0]).toContain('max_bytes');
    expect(marks.tooltips[0]).toContain('缓存超出容量上限');
    expect(marks.tooltips[1]).toContain('超过保留时长');
    expect(marks.lines).toEqual([]);
  });

  it('marks a report without a span as a line at its report time, and nothing for no report', () => {
    const marks = lossMarks([loss({ fromMs: null, toMs: null })], range, translator('en'));
    expect(marks.areas).toEqual([]);
    expect(marks.lines).toEqual([
      expect.objectContaining({ xAxis: NOW - 2 * HOUR + 60_000, name: 'Data lost' }),
    ]);
    expect(marks.tooltips[0]).toMatch(/11,?297 readings/);
    expect(lossMarks([], range, translator('en'))).toEqual({ areas: [], lines: [], tooltips: [] });
    // A report the API answered for a neighbouring range: not drawn.
    expect(
      lossMarks([loss({ fromMs: NOW + HOUR, toMs: NOW + 2 * HOUR })], range, translator('en')).areas,
    ).toEqual([]);
  });
});

function mountList(events: DataLossReport[], locale: Locale = 'zh-CN') {
  return mount(DataLossTable, {
    props: { events, names: new Map([['E1', '一号企业']]) },
    global: { plugins: [createAppI18n(locale)] },
  });
}

describe('data quality: recent data-loss reports per gateway', () => {
  it('groups the reports by gateway (most recent first) with span, readings, reason and arrival', () => {
    const w = mountList([
      loss({ id: 3, enterprise: 'E2', receivedMs: NOW - HOUR, readings: 40, reason: 'corrupt' }),
      loss({ id: 2, receivedMs: NOW - 2 * HOUR + 61_000 }),
      loss({ id: 1, receivedMs: NOW - 5 * HOUR, readings: 3, fromMs: null, toMs: null }),
    ]);
    expect(w.text()).toContain('数据丢失');
    const groups = w.findAll('[data-loss-gateway]').map((g) => g.attributes('data-loss-gateway'));
    expect(groups).toEqual(['E2/GW01', 'E1/GW01']);
    const e1 = w.find('[data-loss-gateway="E1/GW01"]');
    expect(e1.text()).toContain('一号企业');
    expect(e1.find('[data-test="loss-total"]').text()).toMatch(/11,?300/);
    const rows = w.findAll('[data-loss="E1/GW01"]');
    expect(rows).toHaveLength(2);
    expect(rows[0]!.find('[data-test="loss-readings"]').text()).toMatch(/11,?297/);
    expect(rows[0]!.find('[data-test="loss-span"]').text()).toContain('00:55');
    expect(rows[0]!.text()).toContain('缓存超出容量上限');
    expect(rows[0]!.text()).toContain(String(new Date(NOW - 2 * HOUR + 61_000).getFullYear()));
    expect(rows[1]!.find('[data-test="loss-span"]').text()).toBe('未上报');
    expect(w.find('[data-loss="E2/GW01"]').text()).toContain('缓存文件损坏');
  });

  it('says when there is none, and speaks English', () => {
    expect(mountList([]).find('[data-test="loss-none"]').text()).toBe('无数据丢失报告');
    const w = mountList([loss({ reason: 'something_new' })], 'en');
    expect(w.text()).toContain('Data lost');
    expect(w.find('[data-loss="E1/GW01"]').text()).toContain('something_new');
  });
});
