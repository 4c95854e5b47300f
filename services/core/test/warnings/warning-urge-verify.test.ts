/** 督办 (urge) with a deadline, 核查 (verify), recipients per colour and step, deadlines per step. */
import { describe, expect, it } from 'vitest';
import type { WarningColour } from '@hazardwatch/contracts';
import {
  compileAlarmSettings,
  compileWarningPolicy,
  warningDeadlines,
  type WarningEvent,
  type WarningNotificationKind,
} from '@hazardwatch/core';
import { ent, failsWith, makeDesk, ok, reg, who } from './desk-helpers.js';
import { HOUR, MIN, T0, TF1 } from './warning-site.js';

const C = reg('county');
const E = ent('op');

describe('督办: a regulator’s note and deadline', () => {
  it('records the note and deadline, keeps the state, notifies the persons', () => {
    const desk = makeDesk();
    const id = ok(desk.open(TF1, 'yellow', [], T0)).warningId!;
    ok(desk.sign(id, E, T0 + MIN));
    const r = ok(desk.urge(id, C, { text: ' 请于1小时内反馈 ', deadlineMs: T0 + 2 * HOUR }, T0 + HOUR));
    expect(r.events).toEqual([
      expect.objectContaining({
        type: 'urged',
        from: 'signed',
        to: 'signed',
        actor: 'reg-county',
        party: 'county',
        text: '请于1小时内反馈',
        deadline: T0 + 2 * HOUR,
      }),
    ]);
    // Every colour sends a 督办 to all three responsible persons.
    expect(r.notifications.map((n) => [n.kind, who(n)])).toEqual([
      ['urged', ['principal:张主', 'technical:李技', 'operational:王操']],
    ]);
    expect(desk.get(id)?.urge).toEqual({ urgedAt: T0 + HOUR, deadlineMs: T0 + 2 * HOUR, tier: 'county' });
  });

  it('the deadline passing without feedback: one overdue event (step urge) and a reminder to the urging tier', () => {
    const desk = makeDesk();
    const id = ok(desk.open(TF1, 'blue', [], T0)).warningId!; // blue: no sign deadline, feedback 72 h
    ok(desk.urge(id, reg('city'), { text: '督办', deadlineMs: T0 + 2 * HOUR }, T0 + HOUR));
    expect(ok(desk.tick(T0 + 2 * HOUR - 1)).events).toEqual([]);
    const r = ok(desk.tick(T0 + 3 * HOUR));
    expect(r.events.map((e) => [e.type, e.step, e.ts])).toEqual([['overdue', 'urge', T0 + 2 * HOUR]]);
    expect(r.notifications.map((n) => [n.kind, who(n)])).toEqual([
      ['reminder', ['operational:王操', 'regulator:320600']],
    ]);
    expect(desk.get(id)?.urge).toBeNull();
    expect(ok(desk.tick(T0 + 10 * HOUR)).events).toEqual([]);
  });

  it('feedback before the deadline answers the 督办: no overdue', () => {
    const desk = makeDesk();
    const id = ok(desk.open(TF1, 'blue', [], T0)).warningId!;
    ok(desk.sign(id, E, T0 + MIN));
    ok(desk.urge(id, C, { text: '督办', deadlineMs: T0 + 2 * HOUR }, T0 + HOUR));
    ok(desk.feedback(id, E, '已处置', T0 + HOUR + MIN));
    expect(desk.get(id)?.urge).toBeNull();
    expect(ok(desk.tick(T0 + 3 * HOUR)).events).toEqual([]);
  });

  it.each([
    ['a deadline not after now', { text: '督办', deadlineMs: T0 + HOUR }, 'HW_CORE_WARNING_INVALID_DEADLINE'],
    ['a non-finite deadline', { text: '督办', deadlineMs: Number.NaN }, 'HW_CORE_WARNING_INVALID_DEADLINE'],
    ['an empty note', { text: '  ', deadlineMs: T0 + 2 * HOUR }, 'HW_CORE_WARNING_TEXT_REQUIRED'],
  ])('refuses %s', (_name, request, code) => {
    const desk = makeDesk();
    const id = ok(desk.open(TF1, 'blue', [], T0)).warningId!;
    failsWith(desk.urge(id, C, request, T0 + HOUR), code);
  });
});

describe('核查: a regulator verifies the feedback', () => {
  it('feedback → verified with the verification text; new feedback asks for a new verification', () => {
    const desk = makeDesk();
    const id = ok(desk.open(TF1, 'red', [], T0)).warningId!;
    ok(desk.sign(id, E, T0 + MIN));
    ok(desk.feedback(id, E, '已处置', T0 + 2 * MIN));
    const [v] = ok(desk.verify(id, C, '现场核查：阀门已关闭', T0 + 3 * MIN)).events;
    expect(v).toMatchObject({
      type: 'verified',
      from: 'feedback',
      to: 'verified',
      text: '现场核查：阀门已关闭',
    });
    ok(desk.feedback(id, E, '补充：已更换垫片', T0 + 4 * MIN));
    expect(desk.get(id)?.state).toBe('feedback');
    failsWith(
      desk.close(id, C, { causeActive: false }, T0 + 5 * MIN),
      'HW_CORE_WARNING_VERIFICATION_REQUIRED',
    );
    failsWith(desk.verify(id, C, ' ', T0 + 5 * MIN), 'HW_CORE_WARNING_TEXT_REQUIRED');
  });
});

describe('recipients by colour and step (policy data)', () => {
  const steps: WarningNotificationKind[] = ['opened', 'upgraded', 'escalated', 'reminder', 'urged', 'closed'];
  const all = ['principal', 'technical', 'operational'];
  it.each<[WarningColour, WarningNotificationKind, string[]]>([
    ...steps.map((s): [WarningColour, WarningNotificationKind, string[]] => ['red', s, all]),
    ...steps.map((s): [WarningColour, WarningNotificationKind, string[]] => ['orange', s, all]),
    ['yellow', 'opened', ['technical', 'operational']],
    ['yellow', 'reminder', ['technical', 'operational']],
    ['yellow', 'escalated', all],
    ['yellow', 'urged', all],
    ['yellow', 'closed', ['technical', 'operational']],
    ['blue', 'opened', ['operational']],
    ['blue', 'escalated', all],
    ['blue', 'urged', all],
    ['blue', 'closed', ['operational']],
  ])('default: %s %s → %o', (colour, step, roles) => {
    expect(compileWarningPolicy().recipients[colour][step]).toEqual(roles);
  });

  it('opening a yellow 预警 notifies its technical and operational persons and the grassroots regulators', () => {
    const desk = makeDesk();
    const r = ok(desk.open(TF1, 'yellow', [], T0));
    expect(who(r.notifications[0]!)).toEqual([
      'technical:李技',
      'operational:王操',
      'regulator:PARK1',
      'regulator:320623',
    ]);
  });

  it('is configurable per colour and step', () => {
    const desk = makeDesk({ policy: { recipients: { yellow: { opened: ['principal'] } } } });
    expect(who(ok(desk.open(TF1, 'yellow', [], T0)).notifications[0]!)).toEqual([
      'principal:张主',
      'regulator:PARK1',
      'regulator:320623',
    ]);
  });

  it.each<[string, unknown, string]>([
    ['an unknown colour', { recipients: { green: {} } }, 'recipients.green'],
    ['an unknown step', { recipients: { red: { paged: [] } } }, 'recipients.red.paged'],
    ['an unknown role', { recipients: { red: { opened: ['boss'] } } }, 'recipients.red.opened'],
    ['a non-list', { recipients: { red: { opened: 'principal' } } }, 'recipients.red.opened'],
    ['an unknown closer', { closing: { red: { closedBy: 'park' } } }, 'closing.red.closedBy'],
    ['closing before 签收', { closing: { red: { after: 'pushed' } } }, 'closing.red.after'],
    ['an unknown closing key', { closing: { red: { by: 'regulator' } } }, 'closing.red.by'],
  ])('refuses %s, naming the key', (_name, options, key) => {
    expect(() => compileWarningPolicy(options as never)).toThrow(
      expect.objectContaining({
        code: 'HW_CORE_WARNING_INVALID_POLICY',
        data: expect.objectContaining({ key }),
      }),
    );
  });
});

describe('deadlines per step, from the events and the policy', () => {
  const policy = compileWarningPolicy();
  const ev = (type: WarningEvent['type'], minutes: number, deadline?: number) => ({
    type,
    ts: T0 + minutes * MIN,
    ...(deadline !== undefined ? { deadline } : {}),
  });

  it('red signed late after an escalation: sign due 5 min after the escalation, feedback 30 min after it', () => {
    const events = [ev('opened', 0), ev('escalated', 5), ev('signed', 7)];
    expect(warningDeadlines(events, 'red', policy, T0 + 20 * MIN)).toEqual([
      { step: 'sign', dueAt: T0 + 10 * MIN, metAt: T0 + 7 * MIN, overdue: false },
      { step: 'feedback', dueAt: T0 + 35 * MIN, metAt: null, overdue: false },
    ]);
  });

  it('flags a step met late, and one past due and not met', () => {
    const events = [ev('opened', 0), ev('signed', 7)];
    expect(warningDeadlines(events, 'red', policy, T0 + 40 * MIN)).toEqual([
      { step: 'sign', dueAt: T0 + 5 * MIN, metAt: T0 + 7 * MIN, overdue: true },
      { step: 'feedback', dueAt: T0 + 30 * MIN, metAt: null, overdue: true },
    ]);
  });

  it('adds the last 督办 deadline, met by feedback after it; blue has no sign deadline', () => {
    const events = [ev('opened', 0), ev('urged', 60, T0 + 120 * MIN), ev('feedback', 90)];
    expect(warningDeadlines(events, 'blue', policy, T0 + 200 * MIN)).toEqual([
      { step: 'feedback', dueAt: T0 + 72 * HOUR, metAt: T0 + 90 * MIN, overdue: false },
      { step: 'urge', dueAt: T0 + 120 * MIN, metAt: T0 + 90 * MIN, overdue: false },
    ]);
  });

  it('an upgrade asks for a new signature: deadlines run from the upgrade', () => {
    const events = [ev('opened', 0), ev('signed', 1), ev('upgraded', 10)];
    expect(warningDeadlines(events, 'red', policy, T0 + 12 * MIN)[0]).toEqual({
      step: 'sign',
      dueAt: T0 + 15 * MIN,
      metAt: null,
      overdue: false,
    });
  });
});

describe('the 预警 policy inside the deployment’s alarm settings', () => {
  it('names the bad key under its full path', () => {
    const compiled = compileAlarmSettings(
      { warnings: { closing: { red: { closedBy: 'park' } } } },
      { path: 'alarms' },
    );
    expect(compiled.ok).toBe(false);
    if (!compiled.ok) expect(compiled.errors.join('\n')).toContain('alarms.warnings.closing.red.closedBy');
  });

  it('carries the closing rules and recipients to the engine and the API alike', () => {
    const compiled = compileAlarmSettings({
      warnings: {
        closing: { yellow: { closedBy: 'regulator', after: 'verified' } },
        recipients: { blue: { opened: [] } },
      },
    });
    if (!compiled.ok) expect.fail(compiled.errors.join('; '));
    expect(compiled.value.warningPolicy.closing.yellow).toEqual({ closedBy: 'regulator', after: 'verified' });
    expect(compiled.value.warningPolicy.recipients.blue.opened).toEqual([]);
    expect(Object.isFrozen(compiled.value.warningPolicy.closing.yellow)).toBe(true);
  });
});
