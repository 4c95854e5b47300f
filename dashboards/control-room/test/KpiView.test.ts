// The root tsconfig.test.json has no DOM lib; this test mounts components (happy-dom).
/// <reference lib="dom" />
import { flushPromises, mount } from '@vue/test-utils';
import { ref } from 'vue';
import { describe, expect, it, vi } from 'vitest';
import { KPI_TARGET_IDS } from '@hazardwatch/core';
import type { KpiReport } from '@hazardwatch/contracts';
import { APP, type AppContext } from '../src/app-context.js';
import KpiView from '../src/components/kpi/KpiView.vue';
import { createAppI18n, type Locale } from '../src/i18n/index.js';

// The rate chart draws with ECharts on a canvas happy-dom does not have.
vi.mock('../src/components/kpi/KpiRateChart.vue', () => ({ default: { render: () => null } }));

const FROM = Date.UTC(2026, 2, 1, 0, 0, 0);
// Every target the core computes (a new one without a translation fails here).
const TARGET_IDS = KPI_TARGET_IDS;

/** The fields the view reads, as the API answers them (GET /regions/:code/kpis). */
const report = {
  range: { fromMs: FROM, toMs: FROM + 86_400_000, hours: 24, coversRecommendedPeriod: false },
  total: 30,
  avgPerHour: 1.25,
  avgPer10Min: 0.2,
  intervals: { sizeMs: 600_000, counts: [], peak: 4, overThresholdSharePct: 0 },
  floods: { floodTimeSharePct: 0, episodes: [] },
  top: {
    sharePct: 40,
    entries: [{ sourceKey: 'point:7', pointId: 7, condition: 'HH', count: 12, sharePct: 40 }],
  },
  chattering: {
    count: 1,
    alarms: [{ sourceKey: 'point:7', pointId: 7, condition: 'ROC_RISE', activations: 9 }],
  },
  stale: { count: 0, alarms: [] },
  late: { count: 0 },
  priority: { sharePct: { red: 10, orange: 10, yellow: 30, blue: 50 }, unknown: 0 },
  targets: TARGET_IDS.map((id) => ({ id, value: 1, limit: 5, comparison: '<=', pass: true })),
  alerts: [],
} as unknown as KpiReport;

async function mountKpi(locale: Locale) {
  const ctx = {
    api: { regionKpis: () => Promise.resolve(report), enterpriseKpis: () => Promise.resolve(report) },
    site: {
      roots: ref([{ code: '320000' }]),
      points: ref(new Map([[7, { id: 7, tag: 'TT-1101' }]])),
    },
    session: { user: ref({ role: 'regulator', regionCode: '320600' }) },
  } as unknown as AppContext;
  const w = mount(KpiView, {
    global: { plugins: [createAppI18n(locale)], provide: { [APP as symbol]: ctx } },
  });
  await flushPromises();
  return w;
}

/** Words the way an i18n key or a code looks: camelCase (avgPerHourAcceptable) or a dotted key. */
const RAW = /\b[a-z]+[A-Z][A-Za-z]+\b|\b[a-z]+\.[a-z][A-Za-z.]+\b|\bpoint:\d+\b|\bROC_RISE\b/;

/** Each text node on its own (an element's text runs neighbours together: "30 daysRange"). */
function textNodes(node: Node): string[] {
  if (node.nodeType === 3) return node.textContent?.trim() ? [node.textContent.trim()] : [];
  return Array.from(node.childNodes).flatMap(textNodes);
}

describe('KPI view speaks the user’s language (issue #21: raw keys avgPerHourAcceptable, priorityRed…)', () => {
  for (const locale of ['zh-CN', 'en'] as const) {
    it(`${locale}: every target has a translated name, and no raw key or code is shown`, async () => {
      const w = await mountKpi(locale);
      for (const id of TARGET_IDS) {
        const name = w.find(`[data-target="${id}"] td`).text();
        expect(name, id).not.toBe(id);
        expect(name, id).not.toMatch(RAW);
        expect(name.length, id).toBeGreaterThan(1);
      }
      expect(textNodes(w.element as Node).filter((text) => RAW.test(text))).toEqual([]);
      // The chattering list names the point and the condition as the top-10 list does.
      expect(w.find('[data-test="chattering"]').text()).toContain('TT-1101');
    });
  }

  it('zh-CN names the targets in Chinese', async () => {
    const w = await mountKpi('zh-CN');
    expect(w.find('[data-target="priorityRed"] td').text()).toMatch(/红/);
    expect(w.find('[data-target="avgPerHourAcceptable"] td').text()).toMatch(/小时/);
  });
});
