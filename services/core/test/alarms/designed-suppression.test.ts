/**
 * ISA-18.2 designed (state-based) suppression, issue #19 item 8: while the HH alarm of a point is
 * in alarm its H alarm is DSUPR, not RTNUN with the value still above H; LL suppresses L alike.
 * Readings go through the real evaluators into the book and the colour roll-up.
 */
import { describe, expect, it } from 'vitest';
import type { AlarmCondition, AlarmState } from '@hazardwatch/contracts';
import {
  AlarmBook,
  ColourRollup,
  DEFAULT_COLOUR_POLICY,
  EvaluationEngine,
  alarmKpiReport,
  siteColourOf,
  type AlarmLifecycleEvent,
  type AlarmRecord,
  type BookUpdate,
} from '@hazardwatch/core';
import { T0, idSequence, rollupSite } from './alarm-fixture.js';

/** Point 1 of the roll-up site: LT101, level, LL 5 / L 10 / H 80 / HH 90, hazard TF1 (一级). */
const LT101 = 1;
const annunciated: ReadonlySet<AlarmState> = new Set(['UNACK', 'ACKED', 'RTNUN']);

function harness() {
  const index = rollupSite();
  const book = new AlarmBook({ newId: idSequence(), colourOf: siteColourOf(index, DEFAULT_COLOUR_POLICY) });
  const rollup = new ColourRollup(index, DEFAULT_COLOUR_POLICY);
  const events: AlarmLifecycleEvent[] = [];
  let now = T0;
  const absorb = (u: BookUpdate): void => {
    events.push(...u.events);
    rollup.apply(u.alarms, now);
  };
  const engine = new EvaluationEngine({
    points: index.points(),
    sink: { change: (c) => absorb(book.change(c)) },
  });
  const alarm = (condition: AlarmCondition): AlarmRecord | undefined =>
    book.find({ kind: 'point', pointId: LT101 }, condition);
  return {
    book,
    rollup,
    events,
    alarm,
    state: (condition: AlarmCondition): AlarmState => alarm(condition)?.state ?? 'NORM',
    /** One reading of LT101, 1 s after the previous one. */
    read(value: number): void {
      now += 1_000;
      engine.observe(LT101, now, value, 0);
    },
    ack(condition: AlarmCondition): void {
      const a = alarm(condition);
      if (a === undefined) throw new Error(`no open ${condition}`);
      const r = book.act({ alarmId: a.id }, { action: 'ack', actor: 'op1', ts: now });
      if (!r.ok) throw r.error;
      absorb(r.value);
    },
    /** What the header counts: open alarms needing the operator's attention. */
    attention: (): number => book.open().filter((a) => annunciated.has(a.state)).length,
    /** Transitions of one condition's alarms, `from→to (actor: reason)`. */
    journal: (condition: AlarmCondition): string[] =>
      events
        .filter((e) => e.condition === condition && e.from !== e.to)
        .map((e) => `${e.from}→${e.to} (${e.actor}: ${e.reason ?? ''})`),
  };
}

describe('designed suppression: HH suppresses H of the same point (ISA-18.2)', () => {
  it('H is DSUPR while HH is active, and comes back UNACK when HH returns with the value above H', () => {
    const h = harness();
    h.read(50);
    h.read(85);
    expect(h.state('H')).toBe('UNACK');
    h.read(95);
    expect(h.state('HH')).toBe('UNACK');
    expect(h.state('H')).toBe('DSUPR');
    expect(h.alarm('H')?.suppressReason).toBe('suppressed by HH');
    expect(h.alarm('H')?.suppressedBy).toBe('system');
    // Shown once: the header counts HH only, and the point is HH's colour.
    expect(h.attention()).toBe(1);
    expect(h.rollup.colour('point', String(LT101))).toBe(h.alarm('HH')?.colour);
    expect(h.rollup.hazardVerdict('E1', 'TF1')?.pointsInAlarm).toBe(1);

    h.read(85);
    expect(h.state('HH')).toBe('RTNUN');
    expect(h.state('H')).toBe('UNACK');
    expect(h.attention()).toBe(2);
    h.read(50);
    expect(h.state('H')).toBe('RTNUN');
    expect(h.journal('H')).toEqual([
      'NORM→UNACK (system: condition active)',
      'UNACK→DSUPR (system: suppressed by HH)',
      'DSUPR→UNACK (system: HH no longer in alarm)',
      'UNACK→RTNUN (system: returned to normal unacknowledged)',
    ]);
  });

  it('an acknowledged H comes back ACKED: the operator already acknowledged this occurrence', () => {
    const h = harness();
    h.read(85);
    h.ack('H');
    h.read(95);
    expect(h.state('H')).toBe('DSUPR');
    h.ack('HH');
    h.read(85);
    expect(h.state('H')).toBe('ACKED');
    expect(h.alarm('H')?.ackedBy).toBe('op1');
    h.read(50);
    expect(h.alarm('H')).toBeUndefined();
    expect(h.journal('H')).toEqual([
      'NORM→UNACK (system: condition active)',
      'UNACK→ACKED (op1: )',
      'ACKED→DSUPR (system: suppressed by HH)',
      'DSUPR→ACKED (system: HH no longer in alarm)',
      'ACKED→NORM (system: returned to normal)',
    ]);
  });

  it('an unacknowledged H whose value falls below H together with HH returns to NORM (ISA-18.2 unsuppression)', () => {
    const h = harness();
    h.read(85);
    h.read(95);
    h.read(50);
    expect(h.state('HH')).toBe('RTNUN');
    expect(h.alarm('H')).toBeUndefined();
    expect(h.journal('H').at(-1)).toBe('DSUPR→NORM (system: HH no longer in alarm)');
    expect(h.attention()).toBe(1);
  });

  it('suppression follows the HH condition: shelving HH keeps H suppressed until HH returns', () => {
    const h = harness();
    h.read(85);
    h.read(95);
    const hh = h.alarm('HH')!;
    const r = h.book.act(
      { alarmId: hh.id },
      { action: 'shelve', actor: 'op1', ts: T0 + 10_000, untilMs: T0 + 60_000, reason: 'test' },
    );
    if (!r.ok) throw r.error;
    expect(h.state('H')).toBe('DSUPR');
    h.read(85);
    expect(h.state('H')).toBe('UNACK');
  });

  it('an excursion through H to HH and back is annunciated twice, not three times (KPI and flood counts)', () => {
    const h = harness();
    for (const v of [50, 85, 95, 85, 50]) h.read(v);
    const report = alarmKpiReport(h.events, { fromMs: T0, toMs: T0 + 3_600_000 });
    expect(report.total).toBe(2);
  });

  it('a suppressed H standing for a day is not a stale alarm; its HH is', () => {
    const h = harness();
    h.read(85);
    h.read(95);
    const report = alarmKpiReport(h.events, { fromMs: T0, toMs: T0 + 25 * 3_600_000 });
    expect(report.stale.alarms.map((a) => a.condition)).toEqual(['HH']);
  });

  it('HH chattering across its limit does not make H chatter: H activations while suppressed are not counted', () => {
    const h = harness();
    for (const v of [85, 95, 85, 95, 85, 95, 85]) h.read(v);
    expect(h.alarm('H')?.chattering).toBe(false);
  });
});

describe('designed suppression: LL suppresses L (symmetric)', () => {
  it('L is DSUPR while LL is active and comes back when LL returns', () => {
    const h = harness();
    h.read(50);
    h.read(8);
    expect(h.state('L')).toBe('UNACK');
    h.read(3);
    expect(h.state('LL')).toBe('UNACK');
    expect(h.state('L')).toBe('DSUPR');
    expect(h.alarm('L')?.suppressReason).toBe('suppressed by LL');
    expect(h.attention()).toBe(1);
    expect(h.rollup.colour('point', String(LT101))).toBe(h.alarm('LL')?.colour);
    h.read(8);
    expect(h.state('L')).toBe('UNACK');
    h.read(50);
    expect(h.state('L')).toBe('RTNUN');
  });
});

describe('designed suppression in the book: lanes, operator and other suppressions', () => {
  const P = { kind: 'point', pointId: 7 } as const;
  const change = (condition: AlarmCondition, active: boolean, ts: number, late = false) => ({
    source: P,
    condition,
    active,
    ts,
    value: active ? 95 : 50,
    limit: null,
    ...(late ? { late: true as const } : {}),
  });
  const state = (b: AlarmBook, c: AlarmCondition) => b.find(P, c)?.state ?? 'NORM';

  it('a late H is suppressed by a late HH only, with late events; a live HH leaves it alone', () => {
    const b = new AlarmBook({ newId: idSequence() });
    b.change(change('H', true, T0 - 60_000, true));
    const u = b.change(change('HH', true, T0 - 50_000, true));
    expect(state(b, 'H')).toBe('DSUPR');
    expect(u.events.filter((e) => e.condition === 'H').every((e) => e.late === true)).toBe(true);

    const live = new AlarmBook({ newId: idSequence() });
    live.change(change('H', true, T0 - 60_000, true));
    live.change(change('HH', true, T0));
    expect(state(live, 'H')).toBe('UNACK');
  });

  it('a raise while HH holds opens H in DSUPR directly, never UNACK first', () => {
    const b = new AlarmBook({ newId: idSequence() });
    b.change(change('HH', true, T0));
    const u = b.change(change('H', true, T0 + 1));
    expect(u.events.map((e) => `${e.from}→${e.to}`)).toEqual(['NORM→DSUPR']);
    expect(b.find(P, 'H')?.active).toBe(true);
    b.change(change('HH', false, T0 + 2));
    expect(state(b, 'H')).toBe('UNACK');
  });

  it('the operator cannot unsuppress it; out of service and back lands in DSUPR again while HH holds', () => {
    const b = new AlarmBook({ newId: idSequence() });
    b.change(change('H', true, T0));
    b.change(change('HH', true, T0 + 1));
    const h = b.find(P, 'H')!;
    const un = b.act({ alarmId: h.id }, { action: 'unsuppress', actor: 'op1', ts: T0 + 2, reason: 'x' });
    expect(un.ok ? null : un.error.code).toBe('HW_CORE_ALARM_INVALID_TRANSITION');
    const oos = b.act(
      { alarmId: h.id },
      { action: 'remove_from_service', actor: 'op1', ts: T0 + 3, reason: 'calibration' },
    );
    expect(oos.ok && state(b, 'H')).toBe('OOSRV');
    expect(b.find(P, 'H')?.designSuppression).toBeUndefined();
    const back = b.act({ alarmId: h.id }, { action: 'return_to_service', actor: 'op1', ts: T0 + 4 });
    if (!back.ok) throw back.error;
    expect(back.value.events.map((e) => `${e.from}→${e.to}`)).toEqual(['OOSRV→UNACK', 'UNACK→DSUPR']);
    expect(state(b, 'H')).toBe('DSUPR');
  });

  it('an operator suppression or a shelve is not the design to end', () => {
    const b = new AlarmBook({ newId: idSequence() });
    b.change(change('H', true, T0));
    const h = b.find(P, 'H')!;
    const r = b.act({ alarmId: h.id }, { action: 'suppress', actor: 'op1', ts: T0 + 1, reason: 'test' });
    if (!r.ok) throw r.error;
    b.change(change('HH', true, T0 + 2));
    b.change(change('HH', false, T0 + 3));
    expect(b.find(P, 'H')).toMatchObject({ state: 'DSUPR', suppressedBy: 'op1' });
  });

  it('the end of chattering does not release a designed suppression', () => {
    const b = new AlarmBook({ newId: idSequence() });
    for (let i = 0; i < 3; i++) {
      b.change(change('H', true, T0 + i * 1000));
      b.change(change('H', false, T0 + i * 1000 + 500));
    }
    b.change(change('H', true, T0 + 3000));
    expect(b.find(P, 'H')?.chattering).toBe(true);
    b.change(change('HH', true, T0 + 4000));
    const tick = b.tick(T0 + 4000 + 600_000);
    expect(tick.events.filter((e) => e.condition === 'H').map((e) => `${e.from}→${e.to}`)).toEqual([]);
    expect(b.find(P, 'H')).toMatchObject({ state: 'DSUPR', chattering: false });
  });
});
