import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ref, shallowRef } from 'vue';
import type { AuthorityRole, Handover, HandoverSnapshot } from '@hazardwatch/contracts';
import { ApiRequestError } from '../src/api/http.js';
import HandoverView from '../src/components/handover/HandoverView.vue';
import { createAppI18n } from '../src/i18n/index.js';
import { formatRoute, parseRoute } from '../src/logic/router.js';
import { meOf } from './support/me.js';

const app = vi.hoisted((): { ctx: unknown } => ({ ctx: undefined }));
vi.mock('../src/app-context.js', () => ({ useApp: () => app.ctx }));

const T0 = Date.UTC(2026, 11, 6, 0, 0, 0);

const SNAPSHOT: HandoverSnapshot = {
  takenAt: T0,
  alarms: [
    {
      id: 'a1',
      condition: 'HH',
      state: 'UNACK',
      colour: 'red',
      enterprise: 'E1',
      pointId: 7,
      tag: 'LT-1101',
      hazard: 'CL-TF01',
      since: T0 - 60_000,
    },
  ],
  alarmTotal: 3,
  warnings: [
    {
      id: 'w1',
      colour: 'orange',
      state: 'signed',
      level: 'enterprise',
      enterprise: 'E1',
      hazard: 'CL-TF01',
      since: T0 - 30_000,
    },
  ],
  warningTotal: 1,
};

/** The server's side, in memory: what the view asks and what it answers. */
function fakeServer(handovers: Handover[]) {
  const calls: Array<{ method: string; path: string; body?: unknown; query?: unknown }> = [];
  const http = {
    get: vi.fn((path: string, query?: Record<string, unknown>) => {
      calls.push({ method: 'GET', path, query });
      if (path === '/handovers/snapshot')
        return Promise.resolve({ desk: { kind: 'enterprise', code: 'E1' }, snapshot: SNAPSHOT });
      const status = query?.['status'] as string[] | undefined;
      const q = query?.['q'] as string | undefined;
      const items = handovers.filter(
        (h) =>
          (status === undefined || status.includes(h.status)) &&
          (q === undefined || h.notes.includes(q)) &&
          (query?.['desk'] === undefined || h.desk.code === query['desk']),
      );
      return Promise.resolve({ items, total: items.length, limit: 50, offset: 0 });
    }),
    post: vi.fn((path: string, body: Record<string, string>) => {
      calls.push({ method: 'POST', path, body });
      if (path === '/handovers') {
        const h = handover(String(handovers.length + 1), 'op1', body['notes']!);
        handovers.unshift(h);
        return Promise.resolve(h);
      }
      const id = /\/handovers\/(\d+)\/accept/.exec(path)![1]!;
      const i = handovers.findIndex((h) => h.id === id);
      handovers[i] = {
        ...handovers[i]!,
        status: 'accepted',
        incomingUser: 'op2',
        incomingRole: 'operator',
        acceptedAt: T0 + 3_600_000,
        acceptNote: body['note'] ?? null,
      };
      return Promise.resolve(handovers[i]);
    }),
  };
  return { http, calls };
}

function handover(id: string, outgoingUser: string, notes: string): Handover {
  return {
    id,
    desk: { kind: 'enterprise', code: 'E1' },
    region: 'P1',
    outgoingUser,
    outgoingRole: 'operator',
    notes,
    createdAt: T0,
    snapshot: SNAPSHOT,
    status: 'pending',
    incomingUser: null,
    incomingRole: null,
    acceptedAt: null,
    acceptNote: null,
  };
}

/** The default authority table's handover verdicts (services/api access/authority.ts). */
function meWithHandover(role: AuthorityRole, username: string) {
  const me = meOf(role, username);
  const onDuty = ['operator', 'regulator_county', 'regulator_city', 'regulator_province'].includes(role);
  return {
    ...me,
    permissions: {
      ...me.permissions,
      'handover.read': 'allow' as const,
      'handover.create': onDuty ? ('allow' as const) : ('refuse' as const),
      'handover.accept': onDuty ? ('allow' as const) : ('refuse' as const),
    },
  };
}

function mountView(role: AuthorityRole, username: string, handovers: Handover[], locale = 'zh-CN') {
  const server = fakeServer(handovers);
  const me = meWithHandover(role, username);
  app.ctx = {
    api: { http: server.http },
    session: {
      user: ref({ username, role: me.role, regionCode: me.regionCode, enterpriseCode: me.enterpriseCode }),
      me: ref(me),
    },
    site: {
      enterprises: shallowRef([{ code: 'E1', name: '如东化工' }]),
      hazards: shallowRef([{ enterprise: 'E1', code: 'CL-TF01', name: '液氯罐区' }]),
      regionDetails: shallowRef(new Map([['320623', { code: '320623', name: '如东县' }]])),
    },
  };
  const i18n = createAppI18n();
  i18n.global.locale.value = locale as 'zh-CN';
  const w = mount(HandoverView, { props: { now: T0 }, global: { plugins: [i18n] } });
  return { w, ...server };
}

afterEach(() => vi.useRealTimers());

describe('交接班 view', () => {
  it('shows the operator what will be recorded, and hands over with the notes typed', async () => {
    const { w, calls } = mountView('operator', 'op1', []);
    await flushPromises();
    expect(w.find('[data-test="handover-desk"]').text()).toBe('值班室： 如东化工（E1）');
    const form = w.find('[data-test="handover-form"]');
    expect(form.text()).toContain('交班时系统将记录以下未关闭的报警和预警');
    expect(form.find('[data-alarm="a1"]').text()).toMatch(/LT-1101\s*高高报\s*未确认/);
    expect(form.text()).toContain('未关闭报警（3）');
    expect(form.text()).toContain('另有 2 条未列出');
    expect(form.find('[data-warning="w1"]').text()).toMatch(/橙\s*液氯罐区\s*已签收/);
    expect(form.find('[data-test="item-enterprise"]').exists(), 'one enterprise: not repeated').toBe(false);
    const submit = form.find('[data-action="hand-over"]');
    expect(submit.attributes('disabled'), 'no notes, no handover').toBeDefined();
    await form.find('[data-test="handover-notes-input"]').setValue('  LT-1101 高高报警未消除  ');
    await form.find('form').trigger('submit');
    await flushPromises();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([
      { method: 'POST', path: '/handovers', body: { notes: 'LT-1101 高高报警未消除' } },
    ]);
    expect(w.find('[data-test="handover-done"]').text()).toBe('已于 2026-12-06 08:00:00 交班，等待接班');
    // Its own pending handover: shown, waiting for someone else, nothing to accept.
    expect(w.find('[data-test="handover-own"]').text()).toBe('已交班，等待接班人接班');
    expect(w.find('[data-action="accept"]').exists()).toBe(false);
    expect(w.find('[data-test="handover-form"]').exists()).toBe(false);
  });

  it('lets the incoming operator read the notes and the snapshot, and take over with a note', async () => {
    const { w, calls } = mountView('operator', 'op2', [handover('5', 'op1', '2号罐液位高，已通知维修')]);
    await flushPromises();
    const pending = w.find('[data-test="handover-pending"]');
    expect(pending.text()).toContain('交班人 op1（值班操作员）于 2026-12-06 08:00:00 交班');
    expect(pending.find('[data-test="handover-notes"]').text()).toBe('2号罐液位高，已通知维修');
    expect(pending.find('[data-alarm="a1"]').exists()).toBe(true);
    expect(w.find('[data-test="handover-form"]').exists(), 'no second handover while pending').toBe(false);
    await pending.find('[data-test="handover-accept-note"]').setValue('已到现场确认');
    await pending.find('form').trigger('submit');
    await flushPromises();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([
      { method: 'POST', path: '/handovers/5/accept', body: { note: '已到现场确认' } },
    ]);
    expect(w.find('[data-test="handover-done"]').text()).toBe('已于 2026-12-06 09:00:00 接班');
    expect(w.find('[data-test="handover-pending"]').exists()).toBe(false);
    expect(w.find('[data-history="5"]').text()).toContain('已接班');
  });

  it("shows a region desk's handover with each item's enterprise, to another regulator of the region", async () => {
    const county: Handover = {
      ...handover('7', 'reg1', '县值班：红色预警督办中'),
      desk: { kind: 'region', code: '320623' },
      region: '320623',
      outgoingRole: 'regulator_county',
    };
    const { w } = mountView('regulator_county', 'reg2', [county]);
    await flushPromises();
    const pending = w.find('[data-test="handover-pending"]');
    expect(pending.text()).toContain('交班人 reg1（县级监管）');
    expect(pending.find('[data-alarm="a1"] [data-test="item-enterprise"]').text()).toBe('如东化工');
    expect(pending.find('[data-warning="w1"] [data-test="item-enterprise"]').text()).toBe('如东化工');
    expect(pending.find('[data-action="accept"]').exists()).toBe(true);
    expect(w.find('[data-history="7"]').text()).toContain('如东县（320623）');
  });

  it('shows the outcome of a handover and of a takeover at once, before the lists are read again', async () => {
    const { w, http } = mountView('operator', 'op2', [handover('5', 'op1', '交班')]);
    await flushPromises();
    // The reload after the action does not answer (yet): the view already shows the outcome.
    http.get.mockImplementation(() => new Promise<never>(() => undefined));
    await w.find('[data-test="handover-pending"] form').trigger('submit');
    await flushPromises();
    expect(w.find('[data-test="handover-done"]').exists()).toBe(true);
    expect(w.find('[data-test="handover-pending"]').exists()).toBe(false);
  });

  it('offers the safety manager neither form nor acceptance, only the history', async () => {
    const { w, calls } = mountView('safety_manager', 'sm1', [handover('5', 'op1', '交班')]);
    await flushPromises();
    expect(w.find('[data-test="handover-form"]').exists()).toBe(false);
    expect(w.find('[data-test="handover-pending"]').exists()).toBe(false);
    expect(calls.some((c) => c.path === '/handovers/snapshot')).toBe(false);
    expect(w.find('[data-history="5"]').text()).toContain('待接班');
  });

  it('searches the history by text and status, and opens a record with its snapshot', async () => {
    const records = [
      { ...handover('2', 'op2', '夜班无异常'), status: 'accepted' as const, incomingUser: 'op1' },
      { ...handover('1', 'op1', '液氯泄漏报警已处置'), status: 'accepted' as const, incomingUser: 'op2' },
    ];
    const { w, calls } = mountView('safety_manager', 'sm1', records);
    await flushPromises();
    expect(w.findAll('[data-history]').map((r) => r.attributes('data-history'))).toEqual(['2', '1']);
    await w.find('[data-test="handover-q"]').setValue(' 液氯 ');
    await w.find('select').setValue('accepted');
    await w.find('[data-test="handover-search"]').trigger('submit');
    await flushPromises();
    expect(calls.at(-1)).toEqual({
      method: 'GET',
      path: '/handovers',
      query: { q: '液氯', status: ['accepted'], limit: 50, offset: 0 },
    });
    expect(w.findAll('[data-history]').map((r) => r.attributes('data-history'))).toEqual(['1']);
    await w.find('[data-history="1"]').trigger('click');
    expect(w.find('[data-test="handover-snapshot"]').exists()).toBe(true);
  });

  it('shows a refusal in the operator’s language', async () => {
    const { w, http } = mountView('operator', 'op2', [handover('5', 'op1', '交班')]);
    await flushPromises();
    http.post.mockRejectedValueOnce(new ApiRequestError(409, 'HW_API_HANDOVER_NOT_PENDING', 'taken over'));
    await w.find('[data-test="handover-pending"] form').trigger('submit');
    await flushPromises();
    expect(w.find('[data-test="handover-error"]').text()).toBe(
      '该交班已被接班 (HW_API_HANDOVER_NOT_PENDING)',
    );
  });

  it('speaks English too', async () => {
    const { w } = mountView('regulator_county', 'reg1', [], 'en');
    await flushPromises();
    expect(w.find('h2').text()).toBe('Shift handover');
    expect(w.find('[data-test="handover-desk"]').text()).toBe('Duty centre: 如东县（320623）');
    expect(w.find('[data-test="handover-form"]').text()).toContain(
      'Handing over records these open alarms and warnings:',
    );
    expect(w.find('[data-test="handover-form"]').text()).toContain('Open alarms (3)');
  });

  it('reads the desk’s pending handover again while open, so the incoming person needs no reload', async () => {
    vi.useFakeTimers();
    const records: Handover[] = [];
    const { w } = mountView('operator', 'op2', records);
    await flushPromises();
    expect(w.find('[data-test="handover-pending"]').exists()).toBe(false);
    records.push(handover('9', 'op1', '白班交班'));
    await vi.advanceTimersByTimeAsync(15_000);
    await flushPromises();
    expect(w.find('[data-test="handover-pending"]').attributes('data-handover')).toBe('9');
    w.unmount();
  });

  it('has its route, #/handover', () => {
    expect(parseRoute('#/handover')).toEqual({ view: 'handover' });
    expect(formatRoute({ view: 'handover' })).toBe('#/handover');
  });
});
