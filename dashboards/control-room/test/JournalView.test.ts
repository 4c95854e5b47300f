import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { shallowRef } from 'vue';
import type { JournalEntry, JournalPage } from '@hazardwatch/contracts';
import JournalView from '../src/components/journal/JournalView.vue';
import { ApiRequestError } from '../src/api/http.js';
import { createAppI18n } from '../src/i18n/index.js';
import { formatRoute, parseRoute } from '../src/logic/router.js';

const app = vi.hoisted((): { ctx: unknown } => ({ ctx: undefined }));
vi.mock('../src/app-context.js', () => ({ useApp: () => app.ctx }));

/** 2026-12-06 14:00 China time. */
const NOW = Date.UTC(2026, 11, 6, 6, 0, 0);

const ENTRY: JournalEntry = {
  id: '7',
  alarmId: 'a1',
  ts: NOW - 3_600_000,
  at: '2026-12-06T13:00:00.000+08:00',
  from: 'NORM',
  to: 'UNACK',
  condition: 'HH',
  colour: 'red',
  actor: 'system',
  reason: null,
  value: 90.5,
  limit: 85,
  unit: '%',
  late: false,
  enterprise: 'E1',
  enterpriseName: '如东示例氯碱化工有限公司',
  hazard: 'CL-TF01',
  hazardName: '液氯储罐区',
  pointId: 1,
  tag: 'LT-1101',
  pointName: '液氯储罐V-1101液位',
  gateway: 'GW01',
};

function fakeServer(page: Partial<JournalPage> = {}) {
  const calls: Array<{ path: string; query: Record<string, unknown> }> = [];
  const http = {
    get: vi.fn((path: string, query: Record<string, unknown> = {}) => {
      calls.push({ path, query });
      if (path === '/alarm-journal/export') return Promise.resolve(new Blob(['x']));
      return Promise.resolve({ items: [ENTRY], total: 1, limit: 100, offset: 0, ...page });
    }),
  };
  return { http, calls };
}

function mountView(server = fakeServer(), locale: 'zh-CN' | 'en' = 'zh-CN') {
  app.ctx = {
    api: { http: server.http },
    site: {
      roots: shallowRef([{ code: '320623', name: '如东县', children: [] }]),
      enterprises: shallowRef([
        { code: 'E1', name: '如东示例氯碱化工有限公司', region: '320623' },
        { code: 'E2', name: '如东示例精细化工有限公司', region: '320623' },
      ]),
      hazards: shallowRef([{ enterprise: 'E1', code: 'CL-TF01', name: '液氯储罐区' }]),
      points: shallowRef(new Map()),
    },
  };
  return mount(JournalView, { props: { now: NOW }, global: { plugins: [createAppI18n(locale)] } });
}

describe('alarm journal view (#/journal)', () => {
  const saved: string[] = [];
  beforeEach(() => {
    saved.length = 0;
    URL.createObjectURL = vi.fn(() => 'blob:journal');
    URL.revokeObjectURL = vi.fn();
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.download);
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it('is routed at #/journal', () => {
    expect(parseRoute('#/journal')).toEqual({ view: 'journal' });
    expect(formatRoute({ view: 'journal' })).toBe('#/journal');
  });

  it('asks for the last 24 hours, newest first, and shows each event with names, date and time, unit', async () => {
    const server = fakeServer();
    const w = mountView(server);
    await flushPromises();
    expect(server.calls[0]).toEqual({
      path: '/alarm-journal',
      query: {
        from: Date.UTC(2026, 11, 5, 6, 0),
        to: Date.UTC(2026, 11, 6, 6, 1),
        sort: 'ts',
        dir: 'desc',
        limit: 100,
        offset: 0,
      },
    });
    const row = w.find('[data-event="7"]');
    expect(row.find('[data-test="time"]').text()).toBe('2026-12-06 13:00:00');
    expect(row.find('[data-test="enterprise"]').text()).toBe('如东示例氯碱化工有限公司');
    expect(row.find('[data-test="hazard"]').text()).toBe('液氯储罐区');
    expect(row.find('[data-test="point"]').text()).toBe('LT-1101 液氯储罐V-1101液位');
    expect(row.find('[data-test="condition"]').text()).toBe('高高报');
    expect(row.find('[data-test="transition"]').text()).toBe('正常 → 未确认');
    expect(row.find('[data-test="value"]').text()).toBe('90.5 %');
    expect(row.find('[data-test="limit"]').text()).toContain('85 %');
    expect(row.find('[data-test="actor"]').text()).toBe('系统');
    expect(w.find('[data-test="journal-count"]').text()).toBe('第 1–1 条，共 1 条');
  });

  it('sorts by a column header, toggling the direction, from the first page', async () => {
    const server = fakeServer();
    const w = mountView(server);
    await flushPromises();
    await w.find('[data-sort="value"]').trigger('click');
    await flushPromises();
    expect(server.calls.at(-1)!.query).toMatchObject({ sort: 'value', dir: 'desc', offset: 0 });
    expect(w.find('[data-sort="value"]').element.closest('th')!.getAttribute('aria-sort')).toBe('descending');
    await w.find('[data-sort="value"]').trigger('click');
    await flushPromises();
    expect(server.calls.at(-1)!.query).toMatchObject({ sort: 'value', dir: 'asc' });
    await w.find('[data-sort="enterprise"]').trigger('click');
    await flushPromises();
    expect(server.calls.at(-1)!.query).toMatchObject({ sort: 'enterprise', dir: 'asc' });
  });

  it('sends the filters with the search, and pages up to the cap', async () => {
    const server = fakeServer({ total: 250 });
    const w = mountView(server);
    await flushPromises();
    await w.find('[data-filter-colour="red"]').setValue(true);
    await w.find('[data-filter="state"]').setValue('ACKED');
    await w.find('[data-filter="enterprise"]').setValue('E1');
    await w.find('[data-filter="hazard"]').setValue('CL-TF01');
    await w.find('[data-filter="text"]').setValue('液位');
    await w.find('[data-test="journal-form"]').trigger('submit');
    await flushPromises();
    expect(server.calls.at(-1)!.query).toMatchObject({
      colour: ['red'],
      state: ['ACKED'],
      enterprise: 'E1',
      hazard: 'CL-TF01',
      q: '液位',
      offset: 0,
    });
    await w.find('[data-test="journal-next"]').trigger('click');
    await flushPromises();
    expect(server.calls.at(-1)!.query).toMatchObject({ offset: 100, colour: ['red'] });
    await w.find('[data-test="journal-next"]').trigger('click');
    await flushPromises();
    expect(server.calls.at(-1)!.query).toMatchObject({ offset: 200 });
    expect(w.find('[data-test="journal-next"]').attributes('disabled')).toBeDefined();
  });

  it('says a range longer than 31 days is refused before asking, and shows the API’s refusal', async () => {
    const server = fakeServer();
    const w = mountView(server);
    await flushPromises();
    const asked = server.calls.length;
    await w.find('[data-test="journal-from"]').setValue('2026-10-01T00:00');
    expect(w.find('[data-test="range-problem"]').text()).toBe('时间范围不能超过 31 天');
    expect(w.find('[data-test="journal-search"]').attributes('disabled')).toBeDefined();
    await w.find('[data-test="journal-form"]').trigger('submit');
    await flushPromises();
    expect(server.calls.length).toBe(asked);

    server.http.get.mockRejectedValueOnce(new ApiRequestError(400, 'HW_API_VALIDATION', 'offset too deep'));
    await w.find('[data-test="journal-from"]').setValue('2026-12-01T00:00');
    await w.find('[data-test="journal-form"]').trigger('submit');
    await flushPromises();
    expect(w.find('[data-test="journal-error"]').text()).toContain('HW_API_VALIDATION');
  });

  it('exports what it lists as CSV or Excel, in the current language, and saves the file', async () => {
    const server = fakeServer();
    const w = mountView(server, 'en');
    await flushPromises();
    await w.find('[data-filter-colour="orange"]').setValue(true);
    await w.find('[data-export="xlsx"]').trigger('click');
    await flushPromises();
    expect(server.calls.at(-1)).toEqual({
      path: '/alarm-journal/export',
      query: {
        colour: ['orange'],
        from: Date.UTC(2026, 11, 5, 6, 0),
        to: Date.UTC(2026, 11, 6, 6, 1),
        sort: 'ts',
        dir: 'desc',
        format: 'xlsx',
        lang: 'en',
      },
    });
    expect(saved).toEqual(['alarm-journal_20261205-1400_20261206-1401.xlsx']);
    await w.find('[data-export="csv"]').trigger('click');
    await flushPromises();
    expect(server.calls.at(-1)!.query).toMatchObject({ format: 'csv' });
    expect(saved[1]).toMatch(/\.csv$/);
    expect(w.text()).toContain('Alarm journal');
  });
});
