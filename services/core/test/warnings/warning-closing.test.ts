/**
 * Who closes (消警) which colour, in which state (issue #19): the closing rule is policy data.
 * Defaults: red/orange by a regulator at or above the warning's level, after its verification
 * (核查) of the enterprise's feedback; yellow/blue by the enterprise after its feedback; never
 * before 签收; a forced close (cause active) needs a reason and still obeys the rule; the
 * administrator closes only as break-glass, with a reason, recorded as forced.
 */
import { describe, expect, it } from 'vitest';
import type { WarningColour } from '@hazardwatch/contracts';
import type { WarningActor, WarningDesk, WarningState } from '@hazardwatch/core';
import { admin, ent, failsWith, makeDesk, ok, reg } from './desk-helpers.js';
import { HOUR, MIN, T0, TF1 } from './warning-site.js';

type OpenState = Exclude<WarningState, 'closed'>;

/** One warning of `colour` driven into `state` within the first minutes (no escalation yet). */
function warningIn(colour: WarningColour, state: OpenState): { desk: WarningDesk; id: string } {
  const desk = makeDesk();
  const id = ok(desk.open(TF1, colour, ['a1'], T0)).warningId!;
  if (state === 'pushed') return { desk, id };
  ok(desk.sign(id, ent('op'), T0 + 1_000));
  if (state === 'signed') return { desk, id };
  ok(desk.feedback(id, ent('op'), '已关闭进料阀', T0 + 2_000));
  if (state === 'feedback') return { desk, id };
  ok(desk.verify(id, reg('county'), '现场核查属实', T0 + 3_000));
  return { desk, id };
}

const E = ent('op');
const C = reg('county');
const P = reg('province');
const A = admin();
const NOW = T0 + 4_000;
const OK = 'closed';
const INVALID = 'HW_CORE_WARNING_INVALID_TRANSITION';
const PARTY = 'HW_CORE_WARNING_PARTY_REFUSED';
const FEEDBACK = 'HW_CORE_WARNING_FEEDBACK_REQUIRED';
const VERIFY = 'HW_CORE_WARNING_VERIFICATION_REQUIRED';
const REASON = 'HW_CORE_WARNING_REASON_REQUIRED';

describe('closing rules per colour × side × state (normal close, cause back to normal)', () => {
  it.each<[WarningColour, string, WarningActor, OpenState, string]>([
    // red and orange: the regulator, after verification
    ['red', 'enterprise', E, 'pushed', INVALID],
    ['red', 'enterprise', E, 'feedback', PARTY],
    ['red', 'enterprise', E, 'verified', PARTY],
    ['red', 'county', C, 'pushed', INVALID],
    ['red', 'county', C, 'signed', FEEDBACK],
    ['red', 'county', C, 'feedback', VERIFY],
    ['red', 'county', C, 'verified', OK],
    ['red', 'province', P, 'verified', OK],
    ['red', 'admin (no reason)', A, 'verified', REASON],
    ['red', 'admin (no reason)', A, 'pushed', INVALID],
    ['orange', 'enterprise', E, 'verified', PARTY],
    ['orange', 'county', C, 'signed', FEEDBACK],
    ['orange', 'county', C, 'feedback', VERIFY],
    ['orange', 'county', C, 'verified', OK],
    // yellow and blue: the enterprise, after feedback; the regulator sees it, does not close it
    ['yellow', 'enterprise', E, 'pushed', INVALID],
    ['yellow', 'enterprise', E, 'signed', FEEDBACK],
    ['yellow', 'enterprise', E, 'feedback', OK],
    ['yellow', 'enterprise', E, 'verified', OK],
    ['yellow', 'county', C, 'feedback', PARTY],
    ['blue', 'enterprise', E, 'signed', FEEDBACK],
    ['blue', 'enterprise', E, 'feedback', OK],
    ['blue', 'province', P, 'feedback', PARTY],
  ])('%s, closed by %s in %s → %s', (colour, _side, actor, state, expected) => {
    const { desk, id } = warningIn(colour, state);
    const before = desk.get(id);
    const result = desk.close(id, actor, { causeActive: false }, NOW);
    if (expected !== OK) {
      failsWith(result, expected);
      expect(desk.get(id)).toBe(before);
      return;
    }
    const [event] = ok(result).events;
    expect(event).toMatchObject({ type: 'closed', forced: false, actor: actor.id, party: actor.party });
    expect(desk.get(id)).toBeUndefined();
  });
});

describe('forced close and break-glass', () => {
  it('a county regulator cannot force-close a red 预警 with only a reason and no enterprise feedback', () => {
    const { desk, id } = warningIn('red', 'signed');
    failsWith(desk.close(id, C, { causeActive: true, reason: '已电话核实' }, NOW), FEEDBACK);
  });

  it('a forced close needs a reason, and is recorded as forced with it', () => {
    const { desk, id } = warningIn('red', 'verified');
    failsWith(desk.close(id, C, { causeActive: true }, NOW), 'HW_CORE_WARNING_CAUSE_ACTIVE');
    const [event] = ok(desk.close(id, C, { causeActive: true, reason: '仪表故障已报修' }, NOW)).events;
    expect(event).toMatchObject({ type: 'closed', forced: true, text: '仪表故障已报修', party: 'county' });
  });

  it('the administrator closes as break-glass only with a reason, always forced, whatever the rule', () => {
    const { desk, id } = warningIn('red', 'signed');
    failsWith(desk.close(id, A, { causeActive: false }, NOW), REASON);
    const [event] = ok(desk.close(id, A, { causeActive: false, reason: '测试数据清理' }, NOW)).events;
    expect(event).toMatchObject({ type: 'closed', forced: true, text: '测试数据清理', party: 'admin' });
  });

  it('an enterprise operator cannot close its red 预警 escalated to the province, even seconds after signing', () => {
    const desk = makeDesk();
    const id = ok(desk.open(TF1, 'red', ['a1'], T0)).warningId!;
    ok(desk.tick(T0 + 15 * MIN)); // sign missed: county @5, city @10, province @15
    expect(desk.get(id)?.level).toBe('province');
    ok(desk.sign(id, E, T0 + 16 * MIN));
    ok(desk.feedback(id, E, '已处置', T0 + 16 * MIN + 1_000));
    failsWith(desk.close(id, E, { causeActive: false }, T0 + 16 * MIN + 5_000), PARTY);
  });
});

describe('a regulator closes only at or above the 预警’s current level', () => {
  /** Red, escalated to `level` by missed sign deadlines (5 min each), then signed, fed back, verified. */
  function escalatedTo(minutes: number): { desk: WarningDesk; id: string; t: number } {
    const desk = makeDesk();
    const id = ok(desk.open(TF1, 'red', ['a1'], T0)).warningId!;
    const t = T0 + minutes * MIN;
    ok(desk.sign(id, E, t));
    ok(desk.feedback(id, E, '已处置', t + 1_000));
    ok(desk.verify(id, C, '核查属实', t + 2_000));
    return { desk, id, t: t + 3_000 };
  }

  it.each<[string, number, WarningActor, string]>([
    ['county', 6, C, OK],
    ['city', 11, C, 'HW_CORE_WARNING_TIER_TOO_LOW'],
    ['city', 11, reg('city'), OK],
    ['province', 16, C, 'HW_CORE_WARNING_TIER_TOO_LOW'],
    ['province', 16, reg('city'), 'HW_CORE_WARNING_TIER_TOO_LOW'],
    ['province', 16, P, OK],
  ])('escalated to %s (%i min), closed by %o → %s', (level, minutes, actor, expected) => {
    const { desk, id, t } = escalatedTo(minutes);
    expect(desk.get(id)?.level).toBe(level);
    const result = desk.close(id, actor, { causeActive: false }, t);
    if (expected === OK) expect(ok(result).events.at(-1)).toMatchObject({ type: 'closed' });
    else failsWith(result, expected);
  });

  it('decides on the level the timers have reached, even before the host ticks', () => {
    const { desk, id } = warningIn('red', 'pushed');
    // Unsigned at 6 min: the escalation to the county happened at 5 min.
    ok(desk.sign(id, E, T0 + 6 * MIN));
    ok(desk.feedback(id, E, '已处置', T0 + 6 * MIN));
    ok(desk.verify(id, C, '属实', T0 + 6 * MIN));
    // No tick; feedback was due 30 min after the escalation (35 min) — verified, so no deadline.
    // The city escalation never comes: county may close.
    expect(ok(desk.close(id, C, { causeActive: false }, T0 + 50 * MIN)).events.at(-1)).toMatchObject({
      type: 'closed',
      level: 'county',
    });
  });
});

describe('sides of the other steps (defence in depth beside the authority table)', () => {
  it.each<[string, (d: WarningDesk, id: string) => ReturnType<WarningDesk['sign']>]>([
    ['a county regulator signing', (d, id) => d.sign(id, C, NOW)],
    ['a city regulator giving feedback', (d, id) => d.feedback(id, reg('city'), 'x', NOW)],
    ['the enterprise verifying its own feedback', (d, id) => d.verify(id, E, '自查', NOW)],
    ['the enterprise urging itself', (d, id) => d.urge(id, E, { text: 'x', deadlineMs: NOW + HOUR }, NOW)],
  ])('refuses %s', (_name, act) => {
    const { desk, id } = warningIn('red', 'pushed');
    const { desk: d2, id: id2 } = warningIn('red', 'feedback');
    const target = _name.includes('verifying') ? { d: d2, i: id2 } : { d: desk, i: id };
    failsWith(act(target.d, target.i), PARTY);
  });

  it('closing rules are policy data: orange closed by the enterprise after feedback when configured', () => {
    const desk = makeDesk({ policy: { closing: { orange: { closedBy: 'enterprise', after: 'feedback' } } } });
    const id = ok(desk.open(TF1, 'orange', [], T0)).warningId!;
    ok(desk.sign(id, E, T0 + 1));
    ok(desk.feedback(id, E, '已处置', T0 + 2));
    failsWith(desk.close(id, C, { causeActive: false }, T0 + 3), PARTY);
    expect(ok(desk.close(id, E, { causeActive: false }, T0 + 3)).events.at(-1)?.type).toBe('closed');
  });
});
