import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { ref, shallowRef } from 'vue';
import type { WarningPage, WarningRow } from '@hazardwatch/contracts';
import type { WarningQuery } from '../src/api/endpoints.js';
import WarningPanel from '../src/components/alarms/WarningPanel.vue';
import { createAppI18n } from '../src/i18n/index.js';
import { meOf } from './support/me.js';

const app = vi.hoisted((): { ctx: unknown } => ({ ctx: undefined }));
vi.mock('../src/app-context.js', () => ({ useApp: () => app.ctx }));

const T0 = Date.UTC(2026, 11, 6, 6, 0, 0);

function row(id: string, closed: boolean): WarningRow {
  return {
    id,
    enterprise: 'E1',
    hazard: null,
    colour: 'orange',
    state: closed ? 'closed' : 'signed',
    level: 'county',
    openedAt: T0,
    updatedAt: T0,
    closedAt: closed ? T0 + 1 : null,
  };
}

/** A server with 120 open and 3 closed 预警, answering GET /warnings by status and page. */
function mountList() {
  const open = Array.from({ length: 120 }, (_, i) => row(`o${i}`, false));
  const closed = [row('c1', true), row('c2', true), row('c3', true)];
  const warningPage = vi.fn((q: WarningQuery): Promise<WarningPage> => {
    const all = q.status === 'closed' ? closed : q.status === 'all' ? [...open, ...closed] : open;
    const offset = q.offset ?? 0;
    const limit = q.limit ?? 50;
    return Promise.resolve({ items: all.slice(offset, offset + limit), total: all.length, limit, offset });
  });
  app.ctx = {
    api: { warningPage, warning: vi.fn(() => new Promise(() => undefined)) },
    session: { user: ref({ username: 'rudong' }), me: ref(meOf('regulator_county')) },
    live: { warnings: shallowRef([]) },
    site: {
      roots: shallowRef([{ code: '320623', name: '如东县', kind: 'county', parent: null, children: [] }]),
      enterprises: shallowRef([{ code: 'E1', name: '如东化工', region: '320623' }]),
      hazards: shallowRef([]),
    },
  };
  const w = mount(WarningPanel, {
    props: { enterpriseName: (c: string | null) => c ?? '—', now: T0, selected: null },
    global: { plugins: [createAppI18n()] },
  });
  return { w, warningPage };
}

describe('预警 list: open, closed or all, filtered and paged', () => {
  it('lists open 预警 by default, a page of 50 at a time', async () => {
    const { w, warningPage } = mountList();
    await flushPromises();
    expect(warningPage).toHaveBeenLastCalledWith({ status: 'open', limit: 50, offset: 0 });
    expect(w.findAll('[data-warning]')).toHaveLength(50);
    expect(w.find('[data-test="pager"]').text()).toContain('第 1 / 3 页，共 120 条');
    await w.find('[data-test="next"]').trigger('click');
    await flushPromises();
    expect(warningPage).toHaveBeenLastCalledWith({ status: 'open', limit: 50, offset: 50 });
    expect(w.find('[data-warning="o50"]').exists()).toBe(true);
  });

  it('shows the closed ones when asked, from the first page', async () => {
    const { w, warningPage } = mountList();
    await flushPromises();
    await w.find('[data-test="next"]').trigger('click');
    await flushPromises();
    await w.find('[data-status="closed"]').trigger('click');
    await flushPromises();
    expect(warningPage).toHaveBeenLastCalledWith({ status: 'closed', limit: 50, offset: 0 });
    const rows = w.findAll('[data-warning]');
    expect(rows.map((r) => r.attributes('data-warning'))).toEqual(['c1', 'c2', 'c3']);
    expect(rows[0]!.find('[data-test="row-state"]').text()).toBe('已消警');
  });

  it('passes colour, state, region, enterprise and a day range (Beijing dates) to the API', async () => {
    const { w, warningPage } = mountList();
    await flushPromises();
    await w.find('[data-test="filter-colour"]').setValue('red');
    await w.find('[data-test="filter-state"]').setValue('feedback');
    await w.find('[data-test="filter-region"]').setValue('320623');
    await w.find('[data-test="filter-enterprise"]').setValue('E1');
    await w.find('[data-test="filter-from"]').setValue('2026-12-01');
    await w.find('[data-test="filter-to"]').setValue('2026-12-06');
    await flushPromises();
    expect(warningPage).toHaveBeenLastCalledWith({
      status: 'open',
      colour: ['red'],
      state: ['feedback'],
      region: '320623',
      enterprise: 'E1',
      from: Date.UTC(2026, 10, 30, 16),
      to: Date.UTC(2026, 11, 6, 16),
      limit: 50,
      offset: 0,
    });
  });

  it('asks for the record of the row chosen', async () => {
    const { w } = mountList();
    await flushPromises();
    await w.find('[data-warning="o3"]').trigger('click');
    expect(w.emitted('select')).toEqual([['o3']]);
  });
});
