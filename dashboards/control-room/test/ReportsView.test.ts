import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { shallowRef } from 'vue';
import type { Report } from '@hazardwatch/contracts';
import { ApiRequestError } from '../src/api/http.js';
import ReportsView from '../src/components/reports/ReportsView.vue';
import {
  chinaDate,
  formatPct,
  reportFileName,
  scopeChoices,
} from '../src/components/reports/report-choices.js';
import { createAppI18n } from '../src/i18n/index.js';
import { formatRoute, parseRoute } from '../src/logic/router.js';

/** The console's global stylesheet (the colour chips are defined there). */
const STYLES = readFileSync(
  [process.cwd(), join(process.cwd(), '../..')]
    .map((root) => join(root, 'dashboards/control-room/src/styles.css'))
    .find((f) => existsSync(f)) ?? 'src/styles.css',
  'utf8',
);

const app = vi.hoisted((): { ctx: unknown } => ({ ctx: undefined }));
vi.mock('../src/app-context.js', () => ({ useApp: () => app.ctx }));

/** 2026-12-06 10:00 China time. */
const NOW = Date.UTC(2026, 11, 6, 2, 0, 0);
const H = 3_600_000;

const REGIONS = [
  {
    code: '320600',
    name: '南通市',
    kind: 'city',
    children: [{ code: '320623', name: '如东县', kind: 'county', children: [] }],
  },
];
const ENTERPRISES = [{ code: 'E1', name: '如东化工' }];

function report(partial = false): Report {
  const colours = { red: 2, orange: 0, yellow: 1, blue: 1, none: 0 };
  return {
    scope: { kind: 'region', code: '320600', name: '南通市' },
    period: {
      kind: 'day',
      label: '2026-12-05',
      firstDay: '2026-12-05',
      lastDay: '2026-12-05',
      fromMs: NOW - 34 * H,
      toMs: NOW - 10 * H,
      endMs: partial ? NOW : NOW - 10 * H,
      partial,
      timeZone: 'Asia/Shanghai',
    },
    generatedAt: NOW,
    enterprises: [{ code: 'E1', name: '如东化工' }],
    alarms: {
      total: 4,
      byColour: colours,
      process: 3,
      quality: 1,
      byEnterprise: [{ enterprise: 'E1', total: 4, byColour: colours }],
      topSources: [
        {
          enterprise: 'E1',
          pointId: 7,
          tag: 'LT-1101',
          name: '液位',
          hazard: 'CL-TF01',
          gateway: 'GW01',
          condition: 'HH',
          colour: 'red',
          count: 2,
        },
      ],
    },
    warnings: {
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
      overdueItems: [
        {
          id: 'w3',
          enterprise: 'E1',
          hazard: null,
          colour: 'orange',
          state: 'pushed',
          openedAt: NOW - 12 * H,
          steps: ['sign', 'feedback'],
        },
      ],
    },
    online: {
      onlineRatePct: 97.916666,
      enterprises: [
        {
          enterprise: 'E1',
          gateways: 1,
          unavailableMs: 0.5 * H,
          onlineRatePct: 97.916666,
          gatewayRows: [
            { gateway: 'GW01', neverHeard: false, unavailableMs: 0.5 * H, onlineRatePct: 97.916666 },
          ],
        },
      ],
    },
    outOfService: {
      count: 1,
      items: [
        {
          pointId: 9,
          enterprise: 'E1',
          hazard: null,
          tag: 'PT-1101',
          name: '压力',
          sinceMs: null,
          changeId: null,
          outMs: 24 * H,
        },
      ],
    },
  };
}

function mountView(answer: () => Promise<unknown>, locale: 'zh-CN' | 'en' = 'zh-CN') {
  const get = vi.fn((_path: string, _query?: Record<string, unknown>) => answer());
  app.ctx = {
    api: { http: { get } },
    site: { roots: shallowRef(REGIONS), enterprises: shallowRef(ENTERPRISES) },
  };
  const i18n = createAppI18n();
  i18n.global.locale.value = locale;
  const w = mount(ReportsView, { props: { now: NOW }, global: { plugins: [i18n] } });
  return { w, get };
}

describe('report choices', () => {
  it('offers the visible regions (tree order) and enterprises as scopes', () => {
    expect(scopeChoices(REGIONS as never, ENTERPRISES as never).map((c) => [c.value, c.depth])).toEqual([
      ['region:320600', 0],
      ['region:320623', 1],
      ['enterprise:E1', 0],
    ]);
  });
  it('yesterday in China time, file names, percentages', () => {
    // 2026-12-06 07:59 China time is still the 6th; 2026-12-05 23:59 UTC is the 6th in China.
    expect(chinaDate(Date.UTC(2026, 11, 5, 23, 59), 0)).toBe('2026-12-06');
    expect(chinaDate(Date.UTC(2026, 11, 5, 15, 59), 1)).toBe('2026-12-04');
    expect(reportFileName(report(), '日报')).toBe('日报_320600_2026-12-05.xlsx');
    expect(formatPct(null)).toBe('—');
    expect(formatPct(97.916666)).toBe('97.92 %');
  });
  it('#/reports is a route', () => {
    expect(parseRoute('#/reports')).toEqual({ view: 'reports' });
    expect(formatRoute({ view: 'reports' })).toBe('#/reports');
  });
});

describe('ReportsView', () => {
  it('asks for yesterday’s day report of the user’s top scope and shows its figures', async () => {
    const { w, get } = mountView(() => Promise.resolve(report()));
    await flushPromises();
    expect(get).toHaveBeenCalledWith('/reports', {
      scope: 'region:320600',
      period: 'day',
      date: '2026-12-05',
    });
    expect(w.find('h1').text()).toContain('日报 · 南通市（320600）');
    expect(w.find('[data-figure="alarms"]').text()).toBe('4');
    expect(w.find('[data-figure="on-time"]').text()).toBe('1 / 2');
    expect(w.find('[data-figure="online"]').text()).toBe('97.92 %');
    expect(w.find('[data-test="top-sources"]').text()).toContain('LT-1101');
    expect(w.find('[data-test="top-sources"]').text()).toContain('高高报');
    expect(w.find('[data-test="overdue"]').text()).toContain('签收、处置反馈');
    expect(w.find('[data-test="out-of-service"]').text()).toContain('未知（无变更记录）');
    expect(w.find('[data-test="partial"]').exists()).toBe(false);
    // The colour columns are headed by the console's colour chips (a class the stylesheet has:
    // `chip red` had none and drew black text on the dark theme).
    const chips = w.findAll('[data-test="by-colour"] thead .chip');
    expect(chips.map((c) => c.classes().find((k) => k !== 'chip'))).toEqual([
      'chip-red',
      'chip-orange',
      'chip-yellow',
      'chip-blue',
    ]);
    for (const c of chips) expect(STYLES).toContain(`.${c.classes().find((k) => k !== 'chip')!} {`);
    // The print dialog's PDF file name.
    expect(document.title).toBe('日报_320600_2026-12-05');
    w.unmount();
    expect(document.title).not.toContain('日报');
  });

  it('marks a partial period and asks again for the chosen scope, period and date', async () => {
    const { w, get } = mountView(() => Promise.resolve(report(true)), 'en');
    await flushPromises();
    expect(w.find('[data-test="partial"]').text()).toContain('Period not yet ended');
    await w.find('[data-test="report-scope"]').setValue('enterprise:E1');
    await w.find('[data-test="report-period"]').setValue('week');
    await w.find('[data-test="report-date"]').setValue('2026-12-31');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(get).toHaveBeenLastCalledWith('/reports', {
      scope: 'enterprise:E1',
      period: 'week',
      date: '2026-12-31',
    });
    expect(w.find('h1').text()).toContain('Daily report');
  });

  it('shows a refusal as the API’s error, translated', async () => {
    const { w } = mountView(() =>
      Promise.reject(new ApiRequestError(403, 'HW_API_FORBIDDEN', 'region 320682 is outside your scope')),
    );
    await flushPromises();
    expect(w.find('[role="alert"]').exists()).toBe(true);
    expect(w.find('[data-test="report"]').exists()).toBe(false);
  });
});
