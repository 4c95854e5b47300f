import { describe, expect, it } from 'vitest';
import type { WarningDesk, WarningResult, WarningState } from '@hazardwatch/core';
import { ent, failsWith, makeDesk, ok, reg, who } from './desk-helpers.js';
import { MIN, T0, TF1 } from './warning-site.js';

/**
 * A desk with one yellow warning (closed by the enterprise after feedback; sign 60 min) driven
 * into `state`. The colour × side closing rules are in warning-closing.test.ts.
 */
function inState(state: WarningState): { desk: WarningDesk; id: string } {
  const desk = makeDesk();
  const id = ok(desk.open(TF1, 'yellow', ['a1'], T0)).warningId!;
  if (state === 'pushed') return { desk, id };
  ok(desk.sign(id, ent('u-张主'), T0 + 1 * MIN));
  if (state === 'signed') return { desk, id };
  ok(desk.feedback(id, ent('u-王操'), '已关闭进料阀，现场确认无泄漏', T0 + 2 * MIN));
  if (state === 'feedback') return { desk, id };
  if (state === 'verified') {
    ok(desk.verify(id, reg('county'), '现场核查属实', T0 + 3 * MIN));
    return { desk, id };
  }
  ok(desk.close(id, ent('u-张主'), { causeActive: false }, T0 + 3 * MIN));
  return { desk, id };
}

type Action = (desk: WarningDesk, id: string, now: number) => WarningResult;
const sign: Action = (d, id, now) => d.sign(id, ent('u-1'), now);
const feedback: Action = (d, id, now) => d.feedback(id, ent('u-1'), '处置完毕', now);
const feedbackBlank: Action = (d, id, now) => d.feedback(id, ent('u-1'), '   ', now);
const verify: Action = (d, id, now) => d.verify(id, { id: 'u-1', party: 'county' }, '核查属实', now);
const urge: Action = (d, id, now) =>
  d.urge(id, { id: 'u-1', party: 'county' }, { text: '请尽快处置', deadlineMs: now + 60 * MIN }, now);
const closeNormal: Action = (d, id, now) => d.close(id, ent('u-1'), { causeActive: false }, now);
const closeActive: Action = (d, id, now) => d.close(id, ent('u-1'), { causeActive: true }, now);
const closeForced: Action = (d, id, now) =>
  d.close(id, ent('u-1'), { causeActive: true, reason: '仪表故障误报，已报修' }, now);

const NOW = T0 + 4 * MIN;
const T = 'HW_CORE_WARNING_INVALID_TRANSITION';

describe('预警 handling transitions: pushed → signed → feedback → verified → closed', () => {
  it.each<[WarningState, string, Action, string | { type: string; to: WarningState; forced?: boolean }]>([
    ['pushed', 'sign', sign, { type: 'signed', to: 'signed' }],
    ['pushed', 'feedback', feedback, T],
    ['pushed', 'verify', verify, T],
    ['pushed', 'urge', urge, { type: 'urged', to: 'pushed' }],
    // 消警 is never offered before 签收, not even forced.
    ['pushed', 'close (normal)', closeNormal, T],
    ['pushed', 'close (cause active)', closeActive, T],
    ['pushed', 'close (forced)', closeForced, T],
    ['signed', 'sign', sign, T],
    ['signed', 'feedback', feedback, { type: 'feedback', to: 'feedback' }],
    ['signed', 'feedback (blank text)', feedbackBlank, 'HW_CORE_WARNING_TEXT_REQUIRED'],
    ['signed', 'verify', verify, T],
    ['signed', 'urge', urge, { type: 'urged', to: 'signed' }],
    ['signed', 'close (normal)', closeNormal, 'HW_CORE_WARNING_FEEDBACK_REQUIRED'],
    // A forced close does not skip the feedback the colour's rule asks for.
    ['signed', 'close (forced)', closeForced, 'HW_CORE_WARNING_FEEDBACK_REQUIRED'],
    ['feedback', 'sign', sign, T],
    ['feedback', 'feedback again', feedback, { type: 'feedback', to: 'feedback' }],
    ['feedback', 'feedback (blank text)', feedbackBlank, 'HW_CORE_WARNING_TEXT_REQUIRED'],
    ['feedback', 'verify', verify, { type: 'verified', to: 'verified' }],
    ['feedback', 'urge', urge, { type: 'urged', to: 'feedback' }],
    ['feedback', 'close (normal)', closeNormal, { type: 'closed', to: 'closed', forced: false }],
    ['feedback', 'close (cause active)', closeActive, 'HW_CORE_WARNING_CAUSE_ACTIVE'],
    ['feedback', 'close (forced)', closeForced, { type: 'closed', to: 'closed', forced: true }],
    ['verified', 'sign', sign, T],
    // New feedback after a verification asks for a new one.
    ['verified', 'feedback', feedback, { type: 'feedback', to: 'feedback' }],
    ['verified', 'verify again', verify, T],
    ['verified', 'close (normal)', closeNormal, { type: 'closed', to: 'closed', forced: false }],
    ['closed', 'sign', sign, T],
    ['closed', 'feedback', feedback, T],
    ['closed', 'verify', verify, T],
    ['closed', 'urge', urge, T],
    ['closed', 'close', closeForced, T],
  ])('%s + %s', (state, _name, act, expected) => {
    const { desk, id } = inState(state);
    const before = desk.get(id);
    const result = act(desk, id, NOW);
    if (typeof expected === 'string') {
      failsWith(result, expected);
      expect(desk.get(id)).toBe(before); // a failed action changes nothing
      return;
    }
    const { events } = ok(result);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ warningId: id, from: state, ts: NOW, actor: 'u-1', ...expected });
    if (expected.to === 'closed') expect(desk.get(id)).toBeUndefined();
    else expect(desk.get(id)?.state).toBe(expected.to);
  });

  it('records the feedback text, the actor’s side and the forced-close reason on the event', () => {
    const { desk, id } = inState('signed');
    expect(ok(desk.feedback(id, ent('u-1'), '  已处置  ', NOW)).events[0]).toMatchObject({
      text: '已处置',
      actor: 'u-1',
      party: 'enterprise',
    });
    const closed = ok(desk.close(id, ent('u-1'), { causeActive: true, reason: '误报' }, NOW + MIN))
      .events[0]!;
    expect(closed).toMatchObject({ type: 'closed', forced: true, text: '误报', party: 'enterprise' });
  });

  it('a closing notification goes to the persons and every regulator tier told so far', () => {
    const { desk, id } = inState('feedback');
    const n = ok(desk.close(id, ent('u-1'), { causeActive: false }, NOW)).notifications;
    expect(n).toHaveLength(1);
    expect(n[0]).toMatchObject({ kind: 'closed', warningId: id });
    // yellow: technical + operational, and the park and county told at the push.
    expect(who(n[0]!)).toEqual(['technical:李技', 'operational:王操', 'regulator:PARK1', 'regulator:320623']);
  });

  it('a subject can open a new warning once the previous one is closed', () => {
    const { desk, id } = inState('closed');
    const again = ok(desk.open(TF1, 'yellow', ['a2'], NOW)).warningId;
    expect(again).not.toBe(id);
    expect(desk.openWarningFor(TF1)?.id).toBe(again);
  });

  it.each<[string, (d: WarningDesk, id: string) => WarningResult, string]>([
    ['unknown warning', (d) => d.sign('nope', ent('u-1'), NOW), 'HW_CORE_WARNING_NOT_FOUND'],
    [
      'an unknown side',
      (d, id) => d.sign(id, { id: 'u-1', party: 'town' as never }, NOW),
      'HW_CORE_WARNING_INVALID_PARTY',
    ],
    ['empty actor', (d, id) => d.sign(id, ent(' '), NOW), 'HW_CORE_WARNING_ACTOR_REQUIRED'],
    [
      'time before the last change',
      (d, id) => d.sign(id, ent('u-1'), T0 - 1),
      'HW_CORE_WARNING_TIME_REVERSED',
    ],
    ['non-finite time', (d, id) => d.sign(id, ent('u-1'), Number.NaN), 'HW_CORE_WARNING_INVALID_TIME'],
    [
      'open an unknown hazard',
      (d) => d.open({ enterprise: 'E1', hazard: 'XX' }, 'red', [], NOW),
      'HW_CORE_WARNING_UNKNOWN_SUBJECT',
    ],
    [
      'open an unknown enterprise',
      (d) => d.open({ enterprise: 'E9', hazard: null }, 'red', [], NOW),
      'HW_CORE_WARNING_UNKNOWN_SUBJECT',
    ],
    [
      'open with a bad colour',
      (d) => d.open(TF1, 'purple' as never, [], NOW),
      'HW_CORE_WARNING_INVALID_COLOUR',
    ],
    ['observe a bad colour', (d) => d.observe(TF1, 'green' as never, NOW), 'HW_CORE_WARNING_INVALID_COLOUR'],
    ['tick at NaN', (d) => d.tick(Number.NaN), 'HW_CORE_WARNING_INVALID_TIME'],
  ])('%s is answered with a coded error, not thrown', (_name, act, code) => {
    const { desk, id } = inState('pushed');
    failsWith(act(desk, id), code);
  });

  it('opening records an append-only event with the causing alarms', () => {
    const desk = makeDesk();
    const { events, warningId } = ok(desk.open(TF1, 'red', ['a1', 'a2', 'a1'], T0));
    expect(events).toEqual([
      {
        warningId,
        enterprise: 'E1',
        hazard: 'TF1',
        type: 'opened',
        from: null,
        to: 'pushed',
        ts: T0,
        actor: 'system',
        colour: 'red',
        level: 'enterprise',
        causeAlarmIds: ['a1', 'a2'],
      },
    ]);
    expect(Object.isFrozen(events[0])).toBe(true);
  });

  it('a host-supplied id factory names new warnings', () => {
    const desk = makeDesk({ newId: (s, now, seq) => `W-${s.hazard}-${now}-${seq}` });
    expect(ok(desk.open(TF1, 'blue', [], T0)).warningId).toBe(`W-TF1-${T0}-1`);
  });

  it('remembers only the configured number of closed ids', () => {
    const desk = makeDesk({ closedMemory: 1 });
    const close = (hazard: string, t: number) => {
      const id = ok(desk.open({ enterprise: 'E1', hazard }, 'blue', [], t)).warningId!;
      ok(desk.sign(id, ent('u'), t));
      ok(desk.feedback(id, ent('u'), '已处置', t));
      ok(desk.close(id, ent('u'), { causeActive: false, reason: 'test' }, t));
      return id;
    };
    const first = close('TF1', T0);
    const second = close('TF2', T0 + 1);
    failsWith(desk.sign(first, ent('u'), T0 + 2), 'HW_CORE_WARNING_NOT_FOUND');
    failsWith(desk.sign(second, ent('u'), T0 + 2), 'HW_CORE_WARNING_INVALID_TRANSITION');
  });
});
