// The root tsconfig.test.json has no DOM lib; this test mounts components (happy-dom).
/// <reference lib="dom" />
import { flushPromises, mount } from '@vue/test-utils';
import { ref } from 'vue';
import { describe, expect, it, vi } from 'vitest';
import { HISTORY_RESOLUTIONS, type History, type HistoryResolution } from '@hazardwatch/contracts';
import { APP, type AppContext } from '../src/app-context.js';
import PointDetail from '../src/components/detail/PointDetail.vue';
import { createAppI18n, type Locale } from '../src/i18n/index.js';

// The trend draws with ECharts on a canvas happy-dom does not have; the history and 停用 panels
// have their own tests.
vi.mock('../src/components/detail/TrendChart.vue', () => ({ default: { render: () => null } }));
vi.mock('../src/components/detail/PointHistory.vue', () => ({ default: { render: () => null } }));
vi.mock('../src/components/detail/PointDisable.vue', () => ({ default: { render: () => null } }));

const POINT = {
  id: 7,
  tag: 'TT-1101',
  name: '储罐温度',
  unit: '℃',
  hazard: null,
  gateway: 'GW01',
  enterprise: 'E1',
  range: { min: 0, max: 100 },
  limits: { hh: 80, h: 70, l: null, ll: null },
  interlocks: { hh: null, h: null, l: null, ll: null },
  staleAfterMs: 60_000,
  inService: true,
};

async function mountDetail(resolution: HistoryResolution, locale: Locale) {
  const history: History = { pointId: 7, from: 0, to: 3_600_000, resolution, buckets: [], dataLoss: [] };
  const ctx = {
    api: { history: () => Promise.resolve(history), point: () => Promise.resolve(POINT) },
    site: { points: ref(new Map([[7, POINT]])) },
    live: {
      valuesVersion: ref(0),
      coloursVersion: ref(0),
      values: new Map(),
      colours: { get: () => null },
    },
  } as unknown as AppContext;
  const w = mount(PointDetail, {
    props: { id: 7, now: 0 },
    global: { plugins: [createAppI18n(locale)], provide: { [APP as symbol]: ctx } },
  });
  await flushPromises();
  return w;
}

describe('point detail: the trend resolution is named, not coded (issue #21: "分辨率 raw")', () => {
  for (const locale of ['zh-CN', 'en'] as const) {
    it(`${locale}: each resolution has its own translated name`, async () => {
      const names: string[] = [];
      for (const r of HISTORY_RESOLUTIONS) {
        const text = (await mountDetail(r, locale)).find('[data-test="resolution"]').text();
        expect(text, r).not.toMatch(new RegExp(`\\b${r}\\b`));
        names.push(text);
      }
      expect(new Set(names).size).toBe(HISTORY_RESOLUTIONS.length);
    });
  }

  it('zh-CN: raw readings are 原始数据', async () => {
    expect((await mountDetail('raw', 'zh-CN')).find('[data-test="resolution"]').text()).toContain('原始');
  });
});
