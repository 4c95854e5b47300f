import { describe, expect, it } from 'vitest';
import type { WarningDesk, WarningResult, WarningState } from '@hazardwatch/core';
import { failsWith, makeDesk, ok } from './desk-helpers.js';
import { MIN, T0, TF1 } from './warning-site.js';

/** A desk with one orange warning (sign 15 min, feedback 2 h) driven into `state`. */
function inState(state: WarningState): { desk: WarningDesk; id: string } {
  const desk = makeDesk();
  const id = ok(desk.open(TF1, 'orange', ['a1'], T0)).warningId!;
  if (state === 'pushed') return { desk, id };
  ok(desk.sign(id, 'u-张主', T0 + 1 * MIN));
  if (state === 'signed') return { desk, id };
  ok(desk.feedback(id, 'u-王操', '已关闭进料阀，现场确认无泄漏', T0 + 2 * MIN));
  if (state === 'feedback') return { desk, id };
  ok(desk.close(id, 'u-张主', { causeActive: false }, T0 + 3 * MIN));
  return { desk, id };
}

type Action = (desk: WarningDesk, id: string, now: number) => WarningResult;
const sign: Action = (d, id, now) => d.sign(id, 'u-1', now);
const feedback: Action = (d, id, now) => d.feedback(id, 'u-1', '处置完毕', now);
const feedbackBlank: Action = (d, id, now) => d.feedback(id, 'u-1', '   ', now);
const closeNormal: Action = (d, id, now) => d.close(id, 'u-1', { causeActive: false }, now);
const closeActive: Action = (d, id, now) => d.close(id, 'u-1', { causeActive: true }, now);
const closeForced: Action = (d, id, now) =>
  d.close(id, 'u-1', { causeActive: true, reason: '仪表故障误报，已报修' }, now);
const closeEarlyWithReason: Action = (d, id, now) =>
  d.close(id, 'u-1', { causeActive: false, reason: '检修期间报警' }, now);

const NOW = T0 + 4 * MIN;

describe('预警 handling transitions: pushed → signed → feedback → closed', () => {
  it.each<[WarningState, string, Action, string | { type: string; to: WarningState; forced?: boolean }]>([
    ['pushed', 'sign', sign, { type: 'signed', to: 'signed' }],
    ['pushed', 'feedback', feedback, 'HW_CORE_WARNING_INVALID_TRANSITION'],
    ['pushed', 'close (normal)', closeNormal, 'HW_CORE_WARNING_FEEDBACK_REQUIRED'],
    ['pushed', 'close (cause active)', closeActive, 'HW_CORE_WARNING_CAUSE_ACTIVE'],
    ['pushed', 'close (forced)', closeForced, { type: 'closed', to: 'closed', forced: true }],
    [
      'pushed',
      'close (reason, no feedback)',
      closeEarlyWithReason,
      { type: 'closed', to: 'closed', forced: true },
    ],
    ['signed', 'sign', sign, 'HW_CORE_WARNING_INVALID_TRANSITION'],
    ['signed', 'feedback', feedback, { type: 'feedback', to: 'feedback' }],
    ['signed', 'feedback (blank text)', feedbackBlank, 'HW_CORE_WARNING_TEXT_REQUIRED'],
    ['signed', 'close (normal)', closeNormal, 'HW_CORE_WARNING_FEEDBACK_REQUIRED'],
    ['signed', 'close (forced)', closeForced, { type: 'closed', to: 'closed', forced: true }],
    ['feedback', 'sign', sign, 'HW_CORE_WARNING_INVALID_TRANSITION'],
    ['feedback', 'feedback again', feedback, { type: 'feedback', to: 'feedback' }],
    ['feedback', 'feedback (blank text)', feedbackBlank, 'HW_CORE_WARNING_TEXT_REQUIRED'],
    ['feedback', 'close (normal)', closeNormal, { type: 'closed', to: 'closed', forced: false }],
    ['feedback', 'close (cause active)', closeActive, 'HW_CORE_WARNING_CAUSE_ACTIVE'],
    ['feedback', 'close (forced)', closeForced, { type: 'closed', to: 'closed', forced: true }],
    ['closed', 'sign', sign, 'HW_CORE_WARNING_INVALID_TRANSITION'],
    ['closed', 'feedback', feedback, 'HW_CORE_WARNING_INVALID_TRANSITION'],
    ['closed', 'close', closeForced, 'HW_CORE_WARNING_INVALID_TRANSITION'],
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

  it('records the feedback text and the forced-close reason on the event', () => {
    const { desk, id } = inState('signed');
    expect(ok(desk.feedback(id, 'u-1', '  已处置  ', NOW)).events[0]?.text).toBe('已处置');
    const closed = ok(desk.close(id, 'u-1', { causeActive: true, reason: '误报' }, NOW + MIN)).events[0]!;
    expect(closed).toMatchObject({ type: 'closed', forced: true, text: '误报' });
  });

  it('a closing notification goes to the persons and every regulator tier told so far', () => {
    const { desk, id } = inState('feedback');
    const n = ok(desk.close(id, 'u-1', { causeActive: false }, NOW)).notifications;
    expect(n).toHaveLength(1);
    expect(n[0]).toMatchObject({ kind: 'closed', warningId: id });
    expect(n[0]!.recipients).toHaveLength(5);
  });

  it('a subject can open a new warning once the previous one is closed', () => {
    const { desk, id } = inState('closed');
    const again = ok(desk.open(TF1, 'yellow', ['a2'], NOW)).warningId;
    expect(again).not.toBe(id);
    expect(desk.openWarningFor(TF1)?.id).toBe(again);
  });

  it.each<[string, (d: WarningDesk, id: string) => WarningResult, string]>([
    ['unknown warning', (d) => d.sign('nope', 'u-1', NOW), 'HW_CORE_WARNING_NOT_FOUND'],
    ['empty actor', (d, id) => d.sign(id, ' ', NOW), 'HW_CORE_WARNING_ACTOR_REQUIRED'],
    ['time before the last change', (d, id) => d.sign(id, 'u-1', T0 - 1), 'HW_CORE_WARNING_TIME_REVERSED'],
    ['non-finite time', (d, id) => d.sign(id, 'u-1', Number.NaN), 'HW_CORE_WARNING_INVALID_TIME'],
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
      ok(desk.close(id, 'u', { causeActive: false, reason: 'test' }, t));
      return id;
    };
    const first = close('TF1', T0);
    const second = close('TF2', T0 + 1);
    failsWith(desk.sign(first, 'u', T0 + 2), 'HW_CORE_WARNING_NOT_FOUND');
    failsWith(desk.sign(second, 'u', T0 + 2), 'HW_CORE_WARNING_INVALID_TRANSITION');
  });
});
