import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { computed, ref, shallowRef } from 'vue';
import AlarmConsole from '../src/components/alarms/AlarmConsole.vue';
import type { LiveAlarmEvent } from '@hazardwatch/contracts';
import type { AlarmRow, AuthorityRole } from '@hazardwatch/contracts';
import { createAppI18n } from '../src/i18n/index.js';
import { sortAlarms } from '../src/logic/alarm-sort.js';
import { ConsoleAlarmList } from '../src/state/console-alarm-list.js';
import { ApiRequestError } from '../src/api/http.js';
import { meOf } from './support/me.js';

// The console takes its context from useApp(). Mocked by path rather than provided under APP: the
// root test type check has no DOM library, and app-context's types reach the browser-only stores.
const app = vi.hoisted((): { ctx: unknown } => ({ ctx: undefined }));
vi.mock('../src/app-context.js', () => ({ useApp: () => app.ctx }));

const T0 = Date.UTC(2026, 11, 6, 6, 0, 0);

function alarm(state: AlarmRow['state']): AlarmRow {
  return {
    id: 'a1',
    condition: 'HH',
    state,
    colour: 'red',
    active: state !== 'RTNUN',
    enterprise: 'E1',
    pointId: 1,
    tag: 'LT-1101',
    hazard: null,
    gateway: 'GW01',
    raisedAt: T0,
    updatedAt: T0,
    closedAt: null,
    value: 1.3,
    limit: 1.2,
    ackedAt: null,
    ackedBy: null,
    shelvedUntilMs: null,
    shelveReason: null,
    outOfServiceReason: null,
    late: false,
  };
}

/**
 * A server holding one alarm: each operator action changes it as the engine would
 * (services/core alarm-lifecycle.ts applyOperator), and the console re-reads it over REST.
 */
function fakeServer(initial: AlarmRow['state']) {
  let current = alarm(initial);
  let clock = T0;
  /** An action as the server answers it: the alarm changes, then the reply resolves. */
  const action = (patch: Partial<AlarmRow>) => (): Promise<void> => {
    clock += 1000;
    current = { ...current, ...patch, updatedAt: clock };
    return Promise.resolve();
  };
  const api = {
    activeAlarms: vi.fn(() => Promise.resolve([current])),
    latestOfEnterprise: vi.fn(() => Promise.resolve([])),
    warnings: vi.fn(() => Promise.resolve([])),
    ack: vi.fn(action({ state: 'ACKED', ackedAt: clock, ackedBy: 'op' })),
    shelve: vi.fn((_id: string, reason: string, until: number) =>
      action({ state: 'SHLVD', shelveReason: reason, shelvedUntilMs: until })(),
    ),
    unshelve: vi.fn(action({ state: 'UNACK', shelveReason: null, shelvedUntilMs: null })),
    returnToService: vi.fn(action({ state: 'UNACK', outOfServiceReason: null })),
    comment: vi.fn(() => Promise.resolve()),
  };
  return api;
}

/**
 * The live store's alarm part as live-store.ts builds it: the ConsoleAlarmList, its version counter, the
 * sorted list, and a REST reload that merges a snapshot.
 */
function liveAlarms(api: ReturnType<typeof fakeServer>) {
  const alarms = new ConsoleAlarmList();
  const alarmsVersion = ref(0);
  return {
    alarms,
    alarmsVersion,
    sortedAlarms: computed(() => {
      void alarmsVersion.value;
      return sortAlarms(alarms.all());
    }),
    warnings: shallowRef([]),
    reload: async (): Promise<void> => {
      const since = alarms.mark();
      alarms.loadSnapshot(await api.activeAlarms(), since);
      alarmsVersion.value += 1;
    },
  };
}

async function mountConsole(
  initial: AlarmRow['state'],
  role: AuthorityRole = 'operator',
  locale: 'zh-CN' | 'en' = 'zh-CN',
) {
  const api = fakeServer(initial);
  const live = liveAlarms(api);
  await live.reload();
  app.ctx = {
    api,
    session: { user: ref({ role }), me: ref(meOf(role)) },
    site: {
      enterprises: shallowRef([{ code: 'E1', name: '一号企业' }]),
      hazards: shallowRef([]),
      // The region tree the console's filter offers (issue #21, alarm journal filters).
      roots: shallowRef([]),
      points: shallowRef(new Map()),
    },
    live,
    go: () => undefined,
  };
  const w = mount(AlarmConsole, {
    props: { now: T0 + 60_000 },
    global: { plugins: [createAppI18n(locale)] },
  });
  await w.find('[data-test="show-shelved"]').setValue(true);
  await w.find('[data-alarm="a1"]').trigger('click');
  return { w, api, live };
}

type Wrapper = Awaited<ReturnType<typeof mountConsole>>['w'];
const panel = (w: Wrapper) => w.find('[data-test="alarm-actions"]');
const panelState = (w: Wrapper) => panel(w).find('[data-test="current-state"]').text();
const rowState = (w: Wrapper) => w.find('[data-alarm="a1"] [data-test="state"]').text();
const offered = (w: Wrapper) =>
  panel(w)
    .findAll('[data-action]')
    .map((b) => b.attributes('data-action'));

describe('alarm console side panel: one source of truth with the row', () => {
  it('follows the alarm through ack, shelve and unshelve, offering what the state allows', async () => {
    const { w, api } = await mountConsole('UNACK');
    expect(panelState(w)).toBe('未确认');
    expect(offered(w)).toEqual(['ack', 'shelve']);

    await panel(w).find('[data-action="ack"]').trigger('click');
    await flushPromises();
    expect(api.ack).toHaveBeenCalledWith('a1');
    expect(rowState(w)).toBe('已确认');
    expect(panelState(w)).toBe('已确认');
    expect(offered(w)).toEqual(['shelve']);

    await panel(w).find('[data-action="shelve"]').trigger('click');
    await w.find('[data-test="shelve-dialog"] input[name="reason"]').setValue('仪表检修');
    await w.find('[data-test="shelve-dialog"]').trigger('submit');
    await flushPromises();
    expect(api.shelve).toHaveBeenCalledWith('a1', '仪表检修', expect.any(Number));
    expect(rowState(w)).toBe('已搁置');
    expect(panelState(w)).toBe('已搁置');
    expect(panel(w).text()).toContain('仪表检修');
    expect(offered(w)).toEqual(['unshelve']);

    await panel(w).find('[data-action="unshelve"]').trigger('click');
    await flushPromises();
    expect(api.unshelve).toHaveBeenCalledWith('a1');
    expect(panelState(w)).toBe('未确认');
    expect(offered(w)).toEqual(['ack', 'shelve']);
  });

  // services/core alarm-lifecycle.ts applyOperator and the REST verbs of services/api alarm-routes.ts.
  it.each([
    ['UNACK', ['ack', 'shelve']],
    ['RTNUN', ['ack', 'shelve']],
    ['ACKED', ['shelve']],
    ['SHLVD', ['unshelve']],
    ['DSUPR', []],
    ['OOSRV', ['return']],
  ] as const)('offers for %s exactly %j', async (state, actions) => {
    const { w } = await mountConsole(state);
    expect(panelState(w)).toBe(w.find('[data-alarm="a1"] [data-test="state"]').text());
    expect(offered(w)).toEqual(actions);
  });

  it('follows a live event from elsewhere (another console acknowledged it)', async () => {
    const { w, live } = await mountConsole('UNACK');
    const event: LiveAlarmEvent = {
      id: 7,
      sourceKey: 'point:1:HH',
      alarmId: 'a1',
      from: 'UNACK',
      to: 'ACKED',
      ts: T0 + 5000,
      actor: 'other',
      reason: null,
      condition: 'HH',
      colour: 'red',
      enterprise: 'E1',
      pointId: 1,
      hazard: null,
      gateway: 'GW01',
      region: null,
      value: null,
      replayed: false,
    };
    live.alarms.apply(event);
    live.alarmsVersion.value += 1;
    await flushPromises();
    expect(rowState(w)).toBe('已确认');
    expect(panelState(w)).toBe('已确认');
    expect(offered(w)).toEqual(['shelve']);
  });

  it('returns an out-of-service alarm to service', async () => {
    const { w, api } = await mountConsole('OOSRV');
    await panel(w).find('[data-action="return"]').trigger('click');
    await flushPromises();
    expect(api.returnToService).toHaveBeenCalledWith('a1');
    expect(panelState(w)).toBe('未确认');
  });

  it('offers no action to a viewer', async () => {
    const { w } = await mountConsole('UNACK', 'viewer');
    expect(offered(w)).toEqual([]);
  });

  it('offers a regulator no Ack or Shelve, in the panel, the row or in bulk (GET /auth/me permissions)', async () => {
    const { w } = await mountConsole('UNACK', 'regulator_county');
    expect(offered(w)).toEqual([]);
    expect(w.find('[data-alarm="a1"] [data-test="ack"]').exists()).toBe(false);
    expect(w.find('[data-test="ack-selected"]').exists()).toBe(false);
    // Comments are the regulator's too.
    expect(panel(w).find('form.comment').exists()).toBe(true);
  });
});

describe('alarm console refusals in the operator’s language (issue #21 (c))', () => {
  it.each([
    [
      'HW_CORE_ALARM_INVALID_TRANSITION',
      409,
      'ISA-18.2: cannot ack an alarm in state ACKED',
      '报警当前状态下不能进行此操作',
      'The alarm’s current state does not allow this action',
    ],
    [
      'HW_API_ACTION_TIMEOUT',
      504,
      'no alarm engine answered for enterprise E1 within 10 s; the action was not applied',
      '报警引擎未及时响应，操作未执行，可重试',
      'The alarm engine did not answer in time; the action was not applied and may be retried',
    ],
  ] as const)(
    'shows %s translated, never the server’s English',
    async (code, status, message, zh, enText) => {
      for (const [locale, text] of [
        ['zh-CN', zh],
        ['en', enText],
      ] as const) {
        const { w, api } = await mountConsole('UNACK', 'operator', locale);
        api.ack.mockImplementation(() => Promise.reject(new ApiRequestError(status, code, message)));
        await panel(w).find('[data-action="ack"]').trigger('click');
        await flushPromises();
        const alert = w.find('[role="alert"]');
        expect(alert.text()).toContain(text);
        expect(alert.text()).toContain(code);
        expect(alert.text()).not.toContain(message);
      }
    },
  );
});
