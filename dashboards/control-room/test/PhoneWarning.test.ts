import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextTick, ref, shallowRef } from 'vue';
import type {
  WarningAction,
  WarningDetail,
  WarningEvent,
  WarningRow,
  WarningState,
} from '@hazardwatch/contracts';
import { ApiRequestError } from '../src/api/http.js';
import PhoneShell from '../src/components/mobile/PhoneShell.vue';
import PhoneWarning from '../src/components/mobile/PhoneWarning.vue';
import PhoneWarningList from '../src/components/mobile/PhoneWarningList.vue';
import { createAppI18n } from '../src/i18n/index.js';

// The views take their context from useApp(), mocked by path (see WarningRecord.test.ts).
const app = vi.hoisted((): { ctx: unknown } => ({ ctx: undefined }));
vi.mock('../src/app-context.js', () => ({ useApp: () => app.ctx }));

const T0 = Date.UTC(2026, 11, 6, 6, 0, 0); // 14:00 Beijing time
const MIN = 60_000;
const NOW = T0 + 3 * MIN;

function event(type: WarningEvent['type'], to: WarningState, ts: number, extra: Partial<WarningEvent> = {}) {
  return {
    type,
    from: null,
    to,
    ts,
    actor: 'system',
    party: null,
    level: 'enterprise',
    colour: 'red',
    previousColour: null,
    text: null,
    deadline: null,
    step: null,
    forced: null,
    causeAlarmIds: [],
    ...extra,
  } satisfies WarningEvent;
}

function row(id: string, state: WarningState = 'pushed'): WarningRow {
  return {
    id,
    enterprise: 'E1',
    hazard: 'CL-TF01',
    colour: 'red',
    state,
    level: 'enterprise',
    openedAt: T0,
    updatedAt: T0,
    closedAt: null,
  };
}

function detail(id: string, state: WarningState, steps: WarningAction[]): WarningDetail {
  return {
    ...row(id, state),
    closing: { closedBy: 'regulator', after: 'verified' },
    steps,
    causes: [
      {
        alarmId: 'a1',
        pointId: 3,
        tag: 'LT-1101',
        name: '液氯储罐V-1101液位',
        unit: '%',
        condition: 'HH',
        value: 90,
        limit: 85,
        raisedAt: T0 - MIN,
        state: 'UNACK',
        closedAt: null,
      },
    ],
    deadlines: [
      {
        step: 'sign',
        dueAt: T0 + 5 * MIN,
        metAt: state === 'pushed' ? null : T0 + 4 * MIN,
        overdue: false,
      },
      {
        step: 'feedback',
        dueAt: T0 + 30 * MIN,
        metAt: state === 'feedback' ? T0 + 6 * MIN : null,
        overdue: false,
      },
    ],
    deliveries: [],
    events: [
      event('opened', 'pushed', T0, { causeAlarmIds: ['a1'] }),
      ...(state === 'pushed'
        ? []
        : [event('signed', 'signed', T0 + 4 * MIN, { actor: 'chlor', party: 'enterprise' })]),
    ],
  };
}

/** The enterprise's steps in each state, as the server answers them for an operator. */
const OPERATOR: Partial<Record<WarningState, WarningAction[]>> = {
  pushed: ['sign'],
  signed: ['feedback'],
  feedback: ['feedback'],
};

/** A server holding one 预警 per id; sign and feedback move it as the desk would. */
function server(stepsOf: Partial<Record<WarningState, WarningAction[]>> = OPERATOR) {
  const states = new Map<string, WarningState>([['w1', 'pushed']]);
  const live = { warnings: shallowRef<WarningRow[]>([]) };
  const api = {
    warning: vi.fn((id: string) => {
      const s = states.get(id);
      if (s === undefined) return Promise.reject(new ApiRequestError(404, 'HW_API_NOT_FOUND', 'not found'));
      return Promise.resolve(detail(id, s, stepsOf[s] ?? []));
    }),
    warningRecords: vi.fn(() =>
      Promise.resolve({
        items: [...states].map(([id, s]) => detail(id, s, stepsOf[s] ?? [])),
        total: states.size,
        limit: 50,
        offset: 0,
      }),
    ),
    signWarning: vi.fn((id: string) => {
      states.set(id, 'signed');
      return Promise.resolve({ id, warning: {} });
    }),
    feedbackWarning: vi.fn((id: string) => {
      states.set(id, 'feedback');
      return Promise.resolve({ id, warning: {} });
    }),
    urgeWarning: vi.fn(() => Promise.resolve({})),
    verifyWarning: vi.fn(() => Promise.resolve({})),
    closeWarning: vi.fn(() => Promise.resolve({})),
  };
  app.ctx = {
    api,
    live,
    session: { user: ref({ username: 'chlor', role: 'operator' }), me: ref(null) },
    site: {
      enterprises: shallowRef([{ code: 'E1', name: '如东化工' }]),
      hazards: shallowRef([{ enterprise: 'E1', code: 'CL-TF01', name: '液氯罐区' }]),
    },
  };
  return { api, states, live };
}

const mountWarning = (locale: 'zh-CN' | 'en' = 'zh-CN') =>
  mount(PhoneWarning, {
    props: { id: 'w1', now: NOW },
    global: { plugins: [createAppI18n(locale)] },
    attachTo: document.body,
  });

afterEach(() => {
  document.body.innerHTML = '';
});

describe('phone page: one 预警 (issue #22)', () => {
  it('says what it is, the cause in words, the step now and the deadline with the time left', async () => {
    server();
    const w = mountWarning();
    await flushPromises();
    expect(w.find('[data-test="phone-colour"]').text()).toBe('重大风险');
    expect(w.find('[data-test="phone-subject"]').text()).toBe('如东化工 · 液氯罐区');
    expect(w.find('[data-test="phone-state"]').text()).toBe('待签收');
    expect(w.find('[data-test="phone-step"]').text()).toBe('当前环节：待签收');
    expect(w.find('[data-test="phone-due"]').text()).toBe('签收期限 12-06 14:05 · 剩余 2 分钟');
    expect(w.find('[data-cause="LT-1101"]').text()).toContain(
      'LT-1101 液氯储罐V-1101液位：高高报，触发值 90\u00a0%，阈值 85\u00a0%',
    );
    expect(w.text()).not.toMatch(/mobile\.|warnings\.|errors\./);
    w.unmount();
  });

  it('signs in one tap and a confirmation; nothing is sent before the confirmation, and cancel sends nothing', async () => {
    const { api } = server();
    const w = mountWarning();
    await flushPromises();
    await w.find('[data-action="sign"]').trigger('click');
    expect(api.signWarning).not.toHaveBeenCalled();
    expect(w.find('[data-test="sign-confirm"]').text()).toContain('确认签收此预警？');
    await w.find('[data-action="sign-cancel"]').trigger('click');
    expect(w.find('[data-test="sign-confirm"]').exists()).toBe(false);
    expect(api.signWarning).not.toHaveBeenCalled();

    await w.find('[data-action="sign"]').trigger('click');
    await w.find('[data-action="sign-confirm"]').trigger('click');
    await flushPromises();
    expect(api.signWarning).toHaveBeenCalledWith('w1');
    expect(w.find('[data-test="phone-state"]').attributes('data-state')).toBe('signed');
    expect(w.find('[data-test="phone-notice"]').text()).toContain('已签收');
    expect(w.find('[data-action="sign"]').exists()).toBe(false);
    // The feedback is next: its box is offered and has the focus.
    const box = w.find('[data-test="feedback-text"]');
    expect(box.exists()).toBe(true);
    expect(document.activeElement).toBe(box.element);
    expect(w.find('[data-test="phone-step"]').text()).toBe('当前环节：待处置反馈');
    w.unmount();
  });

  it('sends the feedback text trimmed, clears it, and shows it in the record, newest first', async () => {
    const { api, states } = server();
    states.set('w1', 'signed');
    const w = mountWarning();
    await flushPromises();
    const submit = w.find('[data-action="feedback"]');
    expect(submit.attributes('disabled')).toBeDefined();
    await w.find('[data-test="feedback-text"]').setValue('  已关闭进料阀XV-1101  ');
    expect(submit.attributes('disabled')).toBeUndefined();
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(api.feedbackWarning).toHaveBeenCalledWith('w1', '已关闭进料阀XV-1101');
    expect((w.find('[data-test="feedback-text"]').element as HTMLTextAreaElement).value).toBe('');
    expect(w.find('[data-test="phone-notice"]').text()).toBe('处置反馈已提交');
    const events = w
      .findAll('[data-test="phone-timeline"] [data-event]')
      .map((e) => e.attributes('data-event'));
    expect(events).toEqual(['signed', 'opened']);
    w.unmount();
  });

  it('shows a refusal translated and keeps the text typed', async () => {
    const { api, states } = server();
    states.set('w1', 'signed');
    api.feedbackWarning.mockRejectedValueOnce(
      new ApiRequestError(409, 'HW_CORE_WARNING_INVALID_TRANSITION', 'invalid transition'),
    );
    const w = mountWarning('en');
    await flushPromises();
    await w.find('[data-test="feedback-text"]').setValue('valve closed');
    await w.find('form').trigger('submit');
    await flushPromises();
    const alert = w.find('[data-test="phone-action-error"]').text();
    expect(alert).toContain('HW_CORE_WARNING_INVALID_TRANSITION');
    expect(alert).not.toContain('invalid transition');
    expect((w.find('[data-test="feedback-text"]').element as HTMLTextAreaElement).value).toBe('valve closed');
    w.unmount();
  });

  it('offers exactly the server’s steps: a regulator gets 督办 and 核查, no 签收 or feedback', async () => {
    const { states } = server({ feedback: ['urge', 'verify'] });
    states.set('w1', 'feedback');
    const w = mountWarning();
    await flushPromises();
    const offered = w.findAll('[data-action]').map((b) => b.attributes('data-action'));
    expect(offered).toEqual(['urge', 'verify']);
    w.unmount();
  });

  it('reads in English', async () => {
    server();
    const w = mountWarning('en');
    await flushPromises();
    expect(w.find('[data-test="phone-step"]').text()).toBe('Now: to be signed for');
    expect(w.find('[data-test="phone-due"]').text()).toBe('Sign for: due 12-06 14:05 · 2 min left');
    expect(w.find('[data-cause="LT-1101"]').text()).toContain('LT-1101 液氯储罐V-1101液位: ');
    expect(w.text()).not.toMatch(/mobile\.|warnings\.|errors\./);
    w.unmount();
  });

  it('says an unknown or out-of-scope 预警 in words', async () => {
    server();
    const w = mount(PhoneWarning, {
      props: { id: 'nope', now: NOW },
      global: { plugins: [createAppI18n()] },
    });
    await flushPromises();
    expect(w.find('[data-test="phone-error"]').text()).toContain('对象不存在或不在权限范围内');
    w.unmount();
  });
});

describe('phone page: the list of open 预警 (issue #22)', () => {
  const mountList = () =>
    mount(PhoneWarningList, { props: { now: NOW }, global: { plugins: [createAppI18n()] } });

  it('shows each open 预警 as one card: cause, step, the caller’s turn and the deadline; the card links to its page', async () => {
    const { api, states } = server();
    states.set('w2', 'signed');
    const w = mountList();
    await flushPromises();
    // One request for the whole records, none per 预警.
    expect(api.warningRecords).toHaveBeenCalledTimes(1);
    expect(api.warningRecords).toHaveBeenCalledWith({ status: 'open', limit: 50 });
    expect(api.warning).not.toHaveBeenCalled();
    const cards = w.findAll('a[data-warning]');
    // Both are the operator's to act on, red, and w1's 签收 is due before w2's feedback.
    expect(cards.map((c) => c.attributes('href'))).toEqual(['#/m/warnings/w1', '#/m/warnings/w2']);
    const first = cards[0]!;
    expect(first.text()).toContain('如东化工 · 液氯罐区');
    expect(first.find('[data-test="card-cause"]').text()).toContain(
      '高高报，触发值 90\u00a0%，阈值 85\u00a0%',
    );
    expect(first.find('[data-test="card-step"]').text()).toBe('当前环节：待签收');
    expect(first.find('[data-test="card-due"]').text()).toBe('签收期限 12-06 14:05 · 剩余 2 分钟');
    expect(first.find('[data-test="mine"]').text()).toBe('待您办理');
    expect(cards[1]!.find('[data-test="card-due"]').text()).toBe('处置反馈期限 12-06 14:30 · 剩余 27 分钟');
    w.unmount();
  });

  it('says when none is open', async () => {
    const { states } = server();
    states.clear();
    const w = mountList();
    await flushPromises();
    expect(w.find('[data-test="phone-none"]').text()).toBe('没有未消警的预警');
    w.unmount();
  });

  it('reads the list again on a live 预警 event and when the phone wakes', async () => {
    const { api, live, states } = server();
    const w = mountList();
    await flushPromises();
    expect(api.warningRecords).toHaveBeenCalledTimes(1);
    states.set('w3', 'pushed');
    live.warnings.value = [row('w3')];
    await flushPromises();
    expect(api.warningRecords).toHaveBeenCalledTimes(2);
    expect(w.findAll('a[data-warning]')).toHaveLength(2);

    // The screen comes on again: the page becomes visible.
    document.dispatchEvent(new Event('visibilitychange'));
    await flushPromises();
    expect(api.warningRecords).toHaveBeenCalledTimes(3);
    window.dispatchEvent(new Event('online'));
    await flushPromises();
    expect(api.warningRecords).toHaveBeenCalledTimes(4);
    w.unmount();
    // Gone with the view: no more reads.
    document.dispatchEvent(new Event('visibilitychange'));
    await flushPromises();
    expect(api.warningRecords).toHaveBeenCalledTimes(4);
  });

  it('polls while visible in case the push went quiet', async () => {
    vi.useFakeTimers();
    try {
      const { api } = server();
      const w = mountList();
      await flushPromises();
      expect(api.warningRecords).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(api.warningRecords).toHaveBeenCalledTimes(2);
      w.unmount();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('phone page: the frame (issue #22)', () => {
  /** `degradedSince`: the live store's pushDegradedSince (the server's live push interrupted). */
  const mountShell = (
    id: string | null,
    state: 'live' | 'offline' = 'live',
    { degradedSince = null, locale }: { degradedSince?: number | null; locale?: 'en' } = {},
  ) => {
    const muted = ref(false);
    const pushDegradedSince = ref<number | null>(degradedSince);
    app.ctx = {
      live: {
        connection: ref(state),
        lastDataAt: ref(NOW - 1000),
        pushDegradedSince,
        muted,
        setMuted: (m: boolean) => (muted.value = m),
      },
      session: { user: ref({ username: 'chlor', role: 'operator' }) },
    };
    const wrapper = mount(PhoneShell, {
      props: { id, now: NOW, ready: true },
      global: {
        plugins: [createAppI18n(locale)],
        stubs: { PhoneWarning: true, PhoneWarningList: true },
      },
    });
    return Object.assign(wrapper, { pushDegradedSince });
  };

  it('has Back on a 预警 only, the title of the page, and the live state as a dot', () => {
    const list = mountShell(null);
    expect(list.find('[data-test="phone-back"]').exists()).toBe(false);
    expect(list.find('h1').text()).toBe('我的预警');
    expect(list.find('.conn').attributes('data-state')).toBe('live');
    const one = mountShell('w1', 'offline');
    expect(one.find('[data-test="phone-back"]').attributes('href')).toBe('#/m');
    expect(one.find('h1').text()).toBe('预警详情');
    expect(one.find('.conn').attributes('aria-label')).toBe('已断开');
  });

  it('keeps language, sound, the console and sign-out in the menu; a language switch closes it', async () => {
    const w = mountShell(null);
    expect(w.find('[data-test="phone-menu-panel"]').exists()).toBe(false);
    await w.find('[data-test="phone-menu"]').trigger('click');
    const panel = w.find('[data-test="phone-menu-panel"]');
    expect(panel.text()).toContain('chlor（企业值班人员）');
    expect(panel.find('[data-test="phone-console"]').attributes('href')).toBe('#/map');
    await panel.find('[data-test="mute"]').trigger('click');
    expect(w.find('[data-test="mute"]').text()).toContain('已静音');
    await w.find('[data-test="logout"]').trigger('click');
    expect(w.emitted('logout')).toHaveLength(1);
    await w.find('[data-test="locale"]').trigger('click');
    expect(w.emitted('locale')).toEqual([['en']]);
    expect(w.find('[data-test="phone-menu-panel"]').exists()).toBe(false);
  });

  it('never shows a calm dot while the server cannot push: the red dot and a banner under the header, gone when push is back', async () => {
    const w = mountShell(null, 'live', { degradedSince: NOW - 5000 });
    const dot = w.find('.conn');
    expect(dot.attributes('data-state')).toBe('degraded');
    expect(dot.classes()).toContain('conn-degraded');
    expect(dot.attributes('aria-label')).toBe('实时推送中断，数据每 10 秒刷新');
    expect(dot.attributes('title')).toBe('实时推送中断，数据每 10 秒刷新');
    const banner = w.find('[data-test="phone-degraded"]');
    expect(banner.attributes('role')).toBe('alert');
    expect(banner.text()).toBe('实时推送中断，数据每 10 秒刷新');
    // Right under the header, above the menu and the page.
    expect(w.find('[data-test="phone-header"]').element.nextElementSibling).toBe(banner.element);

    w.pushDegradedSince.value = null;
    await nextTick();
    expect(w.find('[data-test="phone-degraded"]').exists()).toBe(false);
    expect(w.find('.conn').attributes('data-state')).toBe('live');
  });

  it('says it in English too; a dropped connection is shown as disconnected, without the banner', () => {
    const en = mountShell('w1', 'live', { degradedSince: NOW - 5000, locale: 'en' });
    expect(en.find('.conn').attributes('aria-label')).toBe(
      'Live updates interrupted — refreshing every 10 s',
    );
    expect(en.find('[data-test="phone-degraded"]').text()).toBe(
      'Live updates interrupted — refreshing every 10 s',
    );
    const offline = mountShell(null, 'offline', { degradedSince: NOW - 5000 });
    expect(offline.find('.conn').attributes('data-state')).toBe('offline');
    expect(offline.find('[data-test="phone-degraded"]').exists()).toBe(false);
  });
});
