import { describe, expect, it } from 'vitest';
import { AlarmBook, DEFAULT_COLOUR_POLICY, ColourRollup, type ConditionChange } from '@hazardwatch/core';
import { P1, T0, clear, idSequence, raise, rollupSite } from './alarm-fixture.js';

const late = (c: ConditionChange): ConditionChange => ({ ...c, late: true });
const book = () => new AlarmBook({ newId: idSequence() });
const steps = (events: readonly { from: string; to: string; late?: boolean }[]) =>
  events.map((e) => `${e.from}→${e.to}${e.late === true ? ' late' : ''}`);

describe('late alarms (replayed readings, issue #16 item 2)', () => {
  it('a late HH that raised and cleared in the past is a journal entry: RTNUN, marked late, awaiting acknowledgement', () => {
    const b = book();
    const up = b.change(late(raise(P1, 'HH', T0 + 5000, 45)));
    const down = b.change(late(clear(P1, 'HH', T0 + 25_000, 5)));
    expect(steps([...up.events, ...down.events])).toEqual(['NORM→UNACK late', 'UNACK→RTNUN late']);
    expect(up.events[0]!.ts).toBe(T0 + 5000); // source times
    expect(down.events[0]!.ts).toBe(T0 + 25_000);
    const alarm = b.find(P1, 'HH')!;
    expect(alarm).toMatchObject({ state: 'RTNUN', late: true, raisedAt: T0 + 5000 });
    const ack = b.act({ alarmId: alarm.id }, { action: 'ack', actor: 'u1', ts: T0 + 60_000 });
    expect(ack.ok && steps(ack.value.events)).toEqual(['RTNUN→NORM']);
  });

  it('a late raise while the live lane holds the alarm is noted on it, never a second alarm or a state change', () => {
    const b = book();
    b.change(raise(P1, 'HH', T0 + 30_000, 45));
    const note = b.change(late(raise(P1, 'HH', T0 + 20_000, 45)));
    expect(steps(note.events)).toEqual(['UNACK→UNACK late']);
    expect(note.events[0]!.ts).toBe(T0 + 20_000);
    expect(b.change(late(clear(P1, 'HH', T0 + 25_000, 5))).events).toEqual([]);
    expect(b.open()).toHaveLength(1);
    expect(b.find(P1, 'HH')).toMatchObject({ state: 'UNACK', active: true });
    expect(b.find(P1, 'HH')!.late).not.toBe(true);
  });

  it('live data showing the condition takes a late alarm over: RTNUN re-alarms, UNACK becomes live', () => {
    const b = book();
    b.change(late(raise(P1, 'HH', T0 + 5000)));
    b.change(late(clear(P1, 'HH', T0 + 6000)));
    const again = b.change(raise(P1, 'HH', T0 + 40_000));
    expect(steps(again.events)).toEqual(['RTNUN→UNACK']);
    expect(b.find(P1, 'HH')!.late).toBe(false);

    const c = book();
    c.change(late(raise(P1, 'H', T0 + 5000)));
    const live = c.change(raise(P1, 'H', T0 + 40_000));
    expect(steps(live.events)).toEqual(['UNACK→UNACK']);
    expect(live.events[0]!.reason).toMatch(/^live:/);
    expect(c.find(P1, 'H')).toMatchObject({ state: 'UNACK', late: false });
    // The late lane no longer drives it.
    expect(c.change(late(clear(P1, 'H', T0 + 6000))).events).toEqual([]);
  });

  it('a late alarm does not colour the roll-up (it describes the past, the colour is now)', () => {
    const b = book();
    const rollup = new ColourRollup(rollupSite(), DEFAULT_COLOUR_POLICY);
    const up = b.change(late(raise({ kind: 'point', pointId: 2 }, 'HH', T0)));
    expect(rollup.apply(up.alarms, T0).changes).toEqual([]);
    expect(rollup.colour('point', '2')).toBeNull();
  });
});
