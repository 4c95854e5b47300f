import { describe, expect, it } from 'vitest';
import type { WarningEvent } from '@hazardwatch/core';
import { ent, failsWith, makeDesk, ok, who } from './desk-helpers.js';
import { MIN, T0, TF1 } from './warning-site.js';

const colours = (events: readonly WarningEvent[]) =>
  events.map((e) => `${e.type}:${e.previousColour ?? ''}>${e.colour}@${(e.ts - T0) / MIN}`);

/** No deadlines, so colour changes are tested alone. */
const quiet = {
  timeouts: {
    red: { signWithinMs: null, feedbackWithinMs: null },
    orange: { signWithinMs: null, feedbackWithinMs: null },
    yellow: { signWithinMs: null, feedbackWithinMs: null },
    blue: { signWithinMs: null, feedbackWithinMs: null },
  },
};

describe('upgrade: a higher colour upgrades the open warning, never a second one', () => {
  it('same warning id, one record, an `upgraded` event and notification', () => {
    const desk = makeDesk();
    const id = ok(desk.open(TF1, 'yellow', ['a1'], T0)).warningId!;
    ok(desk.sign(id, ent('u-1'), T0 + MIN));
    const up = ok(desk.open(TF1, 'red', ['a1', 'a2'], T0 + 2 * MIN));
    expect(up.warningId).toBe(id);
    expect(desk.openWarnings()).toHaveLength(1);
    expect(up.events).toEqual([
      expect.objectContaining({
        type: 'upgraded',
        from: 'signed',
        to: 'pushed', // the more serious warning must be signed for again
        colour: 'red',
        previousColour: 'yellow',
        causeAlarmIds: ['a2'],
      }),
    ]);
    expect(up.notifications.map((n) => [n.kind, n.colour])).toEqual([['upgraded', 'red']]);
    expect(who(up.notifications[0]!)).toContain('principal:张主');
    expect(desk.get(id)).toMatchObject({
      colour: 'red',
      state: 'pushed',
      causeAlarmIds: ['a1', 'a2'],
      timerStartMs: T0 + 2 * MIN,
    });
  });

  it('an upgrade restarts the timers with the tighter deadlines of the new colour', () => {
    const desk = makeDesk();
    ok(desk.open(TF1, 'blue', [], T0));
    ok(desk.open(TF1, 'red', [], T0 + 10 * MIN));
    expect(colours(ok(desk.tick(T0 + 15 * MIN)).events)).toEqual(['escalated:>red@15']);
  });

  it.each(['yellow', 'blue'] as const)('the same or a lower colour (%s) adds no event', (colour) => {
    const desk = makeDesk();
    ok(desk.open(TF1, 'yellow', ['a1'], T0));
    const again = ok(desk.open(TF1, colour, ['a9'], T0 + MIN));
    expect(again.events).toEqual([]);
    expect(again.notifications).toEqual([]);
    expect(desk.openWarnings()).toHaveLength(1);
  });

  it('observe() with a higher colour upgrades too; with no open warning it does nothing', () => {
    const desk = makeDesk();
    expect(ok(desk.observe(TF1, 'red', T0)).events).toEqual([]);
    ok(desk.open(TF1, 'orange', [], T0));
    expect(colours(ok(desk.observe(TF1, 'red', T0 + MIN)).events)).toEqual(['upgraded:orange>red@1']);
  });

  it('an upgrade keeps the escalation level reached', () => {
    const desk = makeDesk();
    const id = ok(desk.open(TF1, 'orange', [], T0)).warningId!;
    ok(desk.tick(T0 + 15 * MIN));
    ok(desk.open(TF1, 'red', [], T0 + 16 * MIN));
    expect(desk.get(id)?.level).toBe('county');
  });
});

describe('downgrade over time when the cause improves', () => {
  it('steps down one colour per held interval (default 30 min), never below blue', () => {
    const desk = makeDesk({ policy: quiet });
    const id = ok(desk.open(TF1, 'red', [], T0)).warningId!;
    ok(desk.observe(TF1, 'orange', T0 + 1 * MIN));
    expect(ok(desk.tick(T0 + 31 * MIN - 1)).events).toEqual([]);
    expect(colours(ok(desk.tick(T0 + 31 * MIN)).events)).toEqual(['downgraded:red>orange@31']);
    // Observed orange = warning orange: not improving any more.
    expect(ok(desk.tick(T0 + 200 * MIN)).events).toEqual([]);
    ok(desk.observe(TF1, null, T0 + 200 * MIN));
    expect(colours(ok(desk.tick(T0 + 400 * MIN)).events)).toEqual([
      'downgraded:orange>yellow@230',
      'downgraded:yellow>blue@260',
    ]);
    expect(desk.get(id)).toMatchObject({ colour: 'blue', state: 'pushed' });
  });

  it('a colour back at the warning colour cancels the wait', () => {
    const desk = makeDesk({ policy: quiet });
    ok(desk.open(TF1, 'red', [], T0));
    ok(desk.observe(TF1, 'yellow', T0));
    ok(desk.observe(TF1, 'red', T0 + 20 * MIN));
    ok(desk.observe(TF1, 'yellow', T0 + 25 * MIN));
    expect(colours(ok(desk.tick(T0 + 54 * MIN)).events)).toEqual([]);
    expect(colours(ok(desk.tick(T0 + 55 * MIN)).events)).toEqual(['downgraded:red>orange@55']);
  });

  it('can be switched off', () => {
    const desk = makeDesk({ policy: { ...quiet, downgradeStepMs: null } });
    ok(desk.open(TF1, 'red', [], T0));
    ok(desk.observe(TF1, null, T0));
    expect(ok(desk.tick(T0 + 1000 * MIN)).events).toEqual([]);
  });

  it('a downgrade loosens the deadlines of the running step', () => {
    const desk = makeDesk({ policy: { downgradeStepMs: MIN } });
    ok(desk.open(TF1, 'red', [], T0));
    ok(desk.observe(TF1, 'blue', T0));
    // red (sign 5 min) → orange at 1 min → yellow at 2 min (sign 60 min) → blue at 3 min (no sign deadline).
    expect(colours(ok(desk.tick(T0 + 59 * MIN)).events)).toEqual([
      'downgraded:red>orange@1',
      'downgraded:orange>yellow@2',
      'downgraded:yellow>blue@3',
    ]);
  });
});

describe('load: open warnings survive a restart', () => {
  it('a reloaded desk continues the timers where the old one stopped', () => {
    const a = makeDesk();
    const id = ok(a.open(TF1, 'red', ['a1'], T0)).warningId!;
    ok(a.tick(T0 + 5 * MIN));
    const b = makeDesk();
    expect(b.load(a.openWarnings())).toEqual({ loaded: 1, errors: [] });
    expect(b.get(id)).toEqual(a.get(id));
    expect(colours(ok(b.tick(T0 + 10 * MIN)).events)).toEqual(['escalated:>red@10']);
    expect(b.get(id)?.level).toBe('city');
  });

  it('rejects duplicates and malformed records with coded errors', () => {
    const a = makeDesk();
    ok(a.open(TF1, 'red', [], T0));
    const [rec] = a.openWarnings();
    const b = makeDesk();
    const result = b.load([
      rec!,
      rec!,
      { ...rec!, id: 'x', state: 'closed' as never },
      { ...rec!, id: 'y', hazard: 'TF2', colour: 'pink' as never },
    ]);
    expect(result.loaded).toBe(1);
    expect(result.errors.map((e) => e.code)).toEqual([
      'HW_CORE_WARNING_LOAD_REJECTED',
      'HW_CORE_WARNING_LOAD_REJECTED',
      'HW_CORE_WARNING_LOAD_REJECTED',
    ]);
    expect(result.errors.map((e) => e.data.problem)).toEqual([
      'a warning with this id is already open',
      'its subject already has an open warning',
      'colour "pink" is not a 预警 colour',
    ]);
  });

  it('an action at a time before the last change is refused', () => {
    const desk = makeDesk();
    const id = ok(desk.open(TF1, 'red', [], T0)).warningId!;
    ok(desk.sign(id, ent('u'), T0 + MIN));
    failsWith(desk.feedback(id, ent('u'), 'x', T0 + MIN - 1), 'HW_CORE_WARNING_TIME_REVERSED');
    failsWith(desk.open(TF1, 'red', [], T0), 'HW_CORE_WARNING_TIME_REVERSED');
  });
});
