import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { ref, shallowRef } from 'vue';
import {
  UNREACHABLE_CHANNEL,
  type AuthorityRole,
  type NotificationDelivery,
  type WarningAction,
  type WarningColour,
  type WarningDetail,
  type WarningEvent,
  type WarningState,
} from '@hazardwatch/contracts';
import { ApiRequestError } from '../src/api/http.js';
import WarningRecord from '../src/components/alarms/WarningRecord.vue';
import { createAppI18n } from '../src/i18n/index.js';
import { meOf } from './support/me.js';

// The record takes its context from useApp(), mocked by path (see AlarmConsole.test.ts).
const app = vi.hoisted((): { ctx: unknown } => ({ ctx: undefined }));
vi.mock('../src/app-context.js', () => ({ useApp: () => app.ctx }));

const T0 = Date.UTC(2026, 11, 6, 6, 0, 0); // 14:00 Beijing time
const MIN = 60_000;

function event(
  type: WarningEvent['type'],
  to: WarningState,
  ts: number,
  extra: Partial<WarningEvent> = {},
): WarningEvent {
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
  };
}

function delivery(id: number, extra: Partial<NotificationDelivery>): NotificationDelivery {
  return {
    id,
    channel: 'sms',
    kind: 'opened',
    recipient: { role: 'principal', name: '张主任', address: '13800000001', regionCode: null },
    state: 'delivered',
    attempts: 1,
    lastError: null,
    createdAt: T0,
    nextAttemptAt: null,
    deliveredAt: T0 + 2000,
    failedAt: null,
    ...extra,
  };
}

function record(colour: WarningColour, state: WarningState): WarningDetail {
  return {
    id: 'w1',
    enterprise: 'E1',
    hazard: 'CL-TF01',
    colour,
    state,
    level: 'enterprise',
    openedAt: T0,
    updatedAt: T0,
    closedAt: null,
    closing:
      colour === 'red' || colour === 'orange'
        ? { closedBy: 'regulator', after: 'verified' }
        : { closedBy: 'enterprise', after: 'signed' },
    steps: [],
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
      { step: 'sign', dueAt: T0 + 5 * MIN, metAt: T0 + 2 * MIN, overdue: false },
      { step: 'feedback', dueAt: T0 + 30 * MIN, metAt: null, overdue: false },
      { step: 'urge', dueAt: T0 + 3 * MIN, metAt: null, overdue: true },
    ],
    deliveries: [
      delivery(1, {}),
      delivery(2, {
        channel: 'email',
        recipient: { role: 'principal', name: '张主任', address: 'z@e1.cn', regionCode: null },
      }),
      delivery(3, {
        channel: 'wecom-park',
        recipient: { role: 'regulator', name: '如东县应急管理局', address: null, regionCode: '320623' },
        state: 'failed',
        attempts: 5,
        lastError: 'HTTP 502',
        deliveredAt: null,
        failedAt: T0 + 9000,
      }),
      delivery(4, {
        channel: 'sms',
        recipient: { role: 'operational', name: '李班长', address: '13800000003', regionCode: null },
        state: 'pending',
        attempts: 2,
        lastError: 'timeout',
        deliveredAt: null,
      }),
      delivery(5, {
        channel: UNREACHABLE_CHANNEL,
        recipient: { role: 'operational', name: '李班长', address: null, regionCode: null },
        state: 'failed',
        attempts: 0,
        lastError: 'no channel reaches this recipient',
        deliveredAt: null,
        failedAt: T0,
      }),
    ],
    events: [
      event('opened', 'pushed', T0, { causeAlarmIds: ['a1'] }),
      event('signed', 'signed', T0 + 2 * MIN, { actor: 'op1', party: 'enterprise' }),
      event('feedback', 'feedback', T0 + 4 * MIN, {
        actor: 'op1',
        party: 'enterprise',
        text: '已关闭进料阀XV-1101',
      }),
      event('urged', 'feedback', T0 + 5 * MIN, {
        actor: 'rudong',
        party: 'county',
        text: '请补充处置照片',
        deadline: T0 + 65 * MIN,
      }),
    ],
  };
}

/**
 * A server holding one 预警 whose state the actions move, as the desk would; it answers `steps`
 * as the test says the real one does for this caller in each state (none where not said) — the
 * dashboard computes none of it.
 */
function mountRecord(
  role: AuthorityRole,
  colour: WarningColour,
  state: WarningState,
  stepsIn: Partial<Record<WarningState, WarningAction[]>> = {},
  patch: (r: WarningDetail) => WarningDetail = (r) => r,
) {
  let current = patch(record(colour, state));
  const to = (next: WarningState) => (): Promise<unknown> => {
    current = { ...current, state: next, events: [...current.events, event('signed', next, T0 + 9 * MIN)] };
    return Promise.resolve({});
  };
  const api = {
    warning: vi.fn(() => Promise.resolve({ ...current, steps: stepsIn[current.state] ?? [] })),
    signWarning: vi.fn(to('signed')),
    feedbackWarning: vi.fn(to('feedback')),
    urgeWarning: vi.fn(() => Promise.resolve({})),
    verifyWarning: vi.fn(to('verified')),
    closeWarning: vi.fn(to('closed')),
  };
  app.ctx = {
    api,
    session: { user: ref({ username: role }), me: ref(meOf(role)) },
    live: { warnings: shallowRef([]) },
    site: {
      enterprises: shallowRef([{ code: 'E1', name: '如东化工' }]),
      hazards: shallowRef([{ enterprise: 'E1', code: 'CL-TF01', name: '液氯罐区' }]),
    },
  };
  const w = mount(WarningRecord, {
    props: { id: 'w1', now: T0 + 10 * MIN },
    global: { plugins: [createAppI18n()] },
  });
  return { w, api };
}

type Wrapper = ReturnType<typeof mountRecord>['w'];
const offered = (w: Wrapper) => w.findAll('[data-action]').map((b) => b.attributes('data-action'));
const valueOf = (el: ReturnType<Wrapper['find']>): string =>
  (el.element as unknown as { value: string }).value;

describe('预警 record: the whole record', () => {
  it('shows subject, causes with value and limit in the unit, deadlines, every event and the deliveries', async () => {
    const { w } = mountRecord('regulator_county', 'red', 'feedback');
    await flushPromises();
    const text = w.text();
    expect(w.find('[data-test="record-colour"]').text()).toBe('重大风险');
    expect(text).toContain('如东化工 · 液氯罐区');
    expect(w.find('[data-test="record-state"]').text()).toBe('已反馈');
    expect(w.find('[data-test="record-closing"]').text()).toBe('消警规则：监管部门在已核查后消警');

    const cause = w.find('[data-cause="LT-1101"]').text();
    expect(cause).toContain('液氯储罐V-1101液位');
    expect(cause).toContain('高高报');
    expect(cause).toContain('90 %');
    expect(cause).toContain('85 %');

    // Deadlines in Beijing time: signed on time, feedback 20 min left, the 督办's overdue.
    expect(w.find('[data-step="sign"]').text()).toContain('已完成 2026-12-06 14:02:00');
    expect(w.find('[data-step="feedback"]').text()).toContain('剩余 20:00');
    expect(w.find('[data-step="urge"]').text()).toContain('已超时 07:00');
    expect(w.find('[data-step="urge"]').classes()).toContain('overdue');

    const events = w.findAll('[data-event]');
    expect(events.map((e) => e.attributes('data-event'))).toEqual(['opened', 'signed', 'feedback', 'urged']);
    expect(events[0]!.text()).toContain('2026-12-06 14:00:00');
    expect(events[0]!.text()).toContain('系统');
    expect(events[2]!.text()).toContain('op1（企业）');
    expect(events[2]!.text()).toContain('已关闭进料阀XV-1101');
    expect(events[3]!.text()).toContain('rudong（县级监管）');
    expect(events[3]!.text()).toContain('请补充处置照片');
    expect(events[3]!.text()).toContain('督办期限 2026-12-06 15:05:00');

    // Grouped by recipient: the principal's SMS and e-mail on one line, the regulator's failure
    // with its attempts and error, the operational's pending retry.
    const recipients = w.findAll('[data-test="deliveries"] > li');
    expect(recipients).toHaveLength(3);
    expect(recipients[0]!.text()).toContain('主要负责人');
    expect(recipients[0]!.findAll('[data-delivery="delivered"]')).toHaveLength(2);
    expect(recipients[0]!.text()).toContain('已送达');
    expect(recipients[1]!.text()).toContain('如东县应急管理局');
    expect(recipients[1]!.text()).toContain('失败');
    expect(recipients[1]!.text()).toContain('尝试 5 次');
    expect(recipients[1]!.text()).toContain('错误：HTTP 502');
    expect(recipients[2]!.text()).toContain('待发送');
    // Nobody configured a channel for this person: said so, not the internal channel name.
    expect(recipients[2]!.text()).toContain('无可用渠道');
    // Why, in the UI's language (the stored lastError is the server's English).
    expect(recipients[2]!.text()).toContain('没有为此接收人配置可用的通知渠道');
    expect(recipients[2]!.text()).not.toContain('no channel reaches this recipient');
    expect(text).not.toMatch(/warnings\.|changes\.|errors\./);
  });

  it('marks a forced close', async () => {
    const { w } = mountRecord('regulator_county', 'red', 'closed', {}, (r) => ({
      ...r,
      events: [
        ...r.events,
        event('closed', 'closed', T0 + 8 * MIN, {
          actor: 'admin',
          party: 'admin',
          text: '误报',
          forced: true,
        }),
      ],
    }));
    await flushPromises();
    const last = w.findAll('[data-event]').at(-1)!;
    expect(last.text()).toContain('强制消警');
    expect(last.text()).toContain('误报');
    expect(offered(w)).toEqual([]);
  });
});

describe('预警 record: exactly the steps the server answers', () => {
  it('offers what the server answers, whatever it is — the dashboard keeps no rule of its own', async () => {
    // An operator on a red 预警 would never get 核查 or 消警 from the desk; the view still shows
    // exactly the answer.
    const { w } = mountRecord('operator', 'red', 'verified', {
      verified: ['sign', 'feedback', 'urge', 'verify', 'close'],
    });
    await flushPromises();
    expect(offered(w)).toEqual(['sign', 'feedback', 'urge', 'verify', 'close']);
  });

  it('offers a county regulator what it may take after feedback, then what it may once verified', async () => {
    const { w, api } = mountRecord('regulator_county', 'red', 'feedback', {
      feedback: ['urge', 'verify'],
      verified: ['urge', 'close'],
    });
    await flushPromises();
    expect(offered(w)).toEqual(['urge', 'verify']);
    await w.find('[data-test="verify-text"]').setValue('现场核查：阀门已关闭');
    await w.find('[data-action="verify"]').trigger('submit');
    await flushPromises();
    expect(api.verifyWarning).toHaveBeenCalledWith('w1', '现场核查：阀门已关闭');
    // Reloaded: now verified, and the red 预警 is the regulator's to close.
    expect(api.warning).toHaveBeenCalledTimes(2);
    expect(w.find('[data-test="record-state"]').text()).toBe('已核查');
    expect(offered(w)).toEqual(['urge', 'close']);
  });

  it('sends a 督办 with its note and deadline (Beijing time) and clears the note', async () => {
    const { w, api } = mountRecord('regulator_county', 'orange', 'signed', { signed: ['urge'] });
    await flushPromises();
    await w.find('[data-test="urge-text"]').setValue('请30分钟内反馈');
    await w.find('[data-test="urge-deadline"]').setValue('2026-12-06T15:30');
    await w.find('[data-action="urge"]').trigger('submit');
    await flushPromises();
    expect(api.urgeWarning).toHaveBeenCalledWith('w1', '请30分钟内反馈', Date.UTC(2026, 11, 6, 7, 30));
    expect(valueOf(w.find('[data-test="urge-text"]'))).toBe('');
  });

  it('offers the operator 签收, then after reloading 处置反馈', async () => {
    const { w, api } = mountRecord('operator', 'red', 'pushed', { pushed: ['sign'], signed: ['feedback'] });
    await flushPromises();
    expect(offered(w)).toEqual(['sign']);
    await w.find('[data-action="sign"]').trigger('click');
    await flushPromises();
    expect(api.signWarning).toHaveBeenCalledWith('w1');
    expect(offered(w)).toEqual(['feedback']);
  });

  it('offers nothing when the server answers no step', async () => {
    const { w } = mountRecord('viewer', 'yellow', 'signed');
    await flushPromises();
    expect(w.find('[data-test="warning-actions"]').exists()).toBe(false);
  });
});

/** What the server answers the duty room on a yellow 预警 it closes itself. */
const ENTERPRISE_YELLOW = {
  signed: ['feedback', 'close'],
  feedback: ['feedback', 'close'],
} satisfies Partial<Record<WarningState, WarningAction[]>>;

describe('预警 record: 消警 has its own reason (issue #21)', () => {
  it('keeps the close reason apart from the feedback text and clears each once sent', async () => {
    const { w, api } = mountRecord('operator', 'yellow', 'signed', ENTERPRISE_YELLOW);
    await flushPromises();
    expect(offered(w)).toEqual(['feedback', 'close']);
    await w.find('[data-test="feedback-text"]').setValue('已处置');
    expect(valueOf(w.find('[data-test="close-reason"]'))).toBe('');
    expect(w.find('[data-action="close"]').attributes('disabled')).toBeDefined();

    await w.find('[data-action="feedback"]').trigger('submit');
    await flushPromises();
    expect(api.feedbackWarning).toHaveBeenCalledWith('w1', '已处置');
    expect(valueOf(w.find('[data-test="feedback-text"]'))).toBe('');
    expect(valueOf(w.find('[data-test="close-reason"]'))).toBe('');
    expect(w.find('[data-action="close"]').attributes('disabled')).toBeDefined();

    await w.find('[data-test="close-reason"]').setValue('  现场恢复正常  ');
    await w.find('[data-action="close"]').trigger('submit');
    await flushPromises();
    expect(api.closeWarning).toHaveBeenCalledWith('w1', '现场恢复正常');
    expect(w.find('[data-test="record-state"]').text()).toBe('已消警');
    expect(offered(w)).toEqual([]);
  });

  it('shows a refusal translated and keeps the typed reason', async () => {
    const { w, api } = mountRecord('operator', 'yellow', 'signed', ENTERPRISE_YELLOW);
    api.closeWarning.mockRejectedValueOnce(
      new ApiRequestError(409, 'HW_CORE_WARNING_CAUSE_ACTIVE', 'warning w1: its cause is still active'),
    );
    await flushPromises();
    await w.find('[data-test="close-reason"]').setValue('误报');
    await w.find('[data-action="close"]').trigger('submit');
    await flushPromises();
    expect(w.find('[data-test="action-error"]').text()).toContain('预警原因仍存在：强制消警须填写原因');
    expect(valueOf(w.find('[data-test="close-reason"]'))).toBe('误报');
  });
});
