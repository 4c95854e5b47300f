/**
 * Invariants of the book under any interleaving of condition changes, operator actions, colour
 * changes, ticks and restarts (STYLE rule 12): every event is a listed ISA-18.2 transition,
 * every alarm's events chain (`from` = previous `to`), and never two open alarms for one
 * (source, condition) — also when replayed readings (late changes) interleave with live ones;
 * and designed suppression: while a point's HH condition holds (same lane) its H alarm is never
 * annunciated, and an H suppressed by design always has such an HH (issue #19 item 8).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ALARM_ACTIONS, WARNING_COLOURS, type AlarmCondition, type AlarmState } from '@hazardwatch/contracts';
import {
  AlarmBook,
  compileAlarmPolicy,
  holdsSuppressed,
  isAllowedTransition,
  isDesignSuppressed,
  type AlarmLifecycleEvent,
  type AlarmPolicy,
  type AlarmSource,
} from '@hazardwatch/core';
import { T0, idSequence } from './alarm-fixture.js';

const SOURCES: readonly AlarmSource[] = [
  { kind: 'point', pointId: 1 },
  { kind: 'point', pointId: 2 },
  { kind: 'gateway', enterprise: 'E1', gateway: 'GW1' },
];
const CONDITIONS: readonly AlarmCondition[] = ['H', 'HH', 'STALE'];

const target = { src: fc.nat(SOURCES.length - 1), cond: fc.nat(CONDITIONS.length - 1), dt: fc.nat(40_000) };
const command = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('change' as const),
      ...target,
      active: fc.boolean(),
      /** From the late lane (replayed readings, source time in the past). */
      late: fc.boolean(),
      lateBy: fc.nat(120_000),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('act' as const),
      ...target,
      byId: fc.boolean(),
      action: fc.constantFrom(...ALARM_ACTIONS),
      reason: fc.constantFrom(null, '', 'maintenance'),
      shelveMs: fc.constantFrom(null, -1, 0, 30_000, 200_000),
      actor: fc.constantFrom('u1', 'u2', 'system'),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('tick' as const), dt: fc.nat(400_000) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('recolour' as const),
      ...target,
      colour: fc.constantFrom(...WARNING_COLOURS),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('restart' as const) }) },
);

const policyArb = fc
  .record({
    reAlarmMs: fc.constantFrom(null, 1_000, 60_000),
    latchConditions: fc.subarray([...CONDITIONS]),
    maxShelveMs: fc.constantFrom(null, 100_000),
    chattering: fc.record({ autoSuppress: fc.boolean(), releaseMs: fc.constantFrom(1_000, 300_000) }),
  })
  .map((input): AlarmPolicy => {
    const r = compileAlarmPolicy(input);
    if (!r.ok) throw r.error;
    return r.value;
  });

describe('AlarmBook invariants (fast-check)', () => {
  it('valid transitions, chained events, at most one open alarm per (source, condition)', () => {
    fc.assert(
      fc.property(policyArb, fc.array(command, { maxLength: 80 }), (policy, commands) => {
        const newId = idSequence();
        let book = new AlarmBook({ newId, policy });
        let now = T0;
        const lastTo = new Map<string, AlarmState>();
        const keyOf = new Map<string, string>();

        const check = (events: readonly AlarmLifecycleEvent[]): void => {
          for (const e of events) {
            const prev = lastTo.get(e.alarmId);
            // A new alarm starts in NORM; a closed alarm (back in NORM) never moves again.
            if (prev === undefined) expect(e.from).toBe('NORM');
            else {
              expect(e.from).toBe(prev);
              expect(prev === 'NORM' && keyOf.has(e.alarmId)).toBe(false);
            }
            if (e.from === e.to) {
              // Comments: an operator's, or the system's notes on late/live hand-over.
              if (e.actor === 'system') expect(e.reason).toMatch(/^(late|live): /);
            } else expect(isAllowedTransition(e.from, e.to)).toBe(true);
            lastTo.set(e.alarmId, e.to);
            if (e.to === 'NORM') keyOf.set(e.alarmId, 'closed');
            else keyOf.set(e.alarmId, `${e.sourceKey}|${e.condition}`);
          }
          // Never two open alarms for one (source, condition), in the journal…
          const openKeys = [...keyOf.values()].filter((k) => k !== 'closed');
          expect(new Set(openKeys).size).toBe(openKeys.length);
          // …nor in the book, whose records agree with the journal and with their own state.
          const open = book.open();
          expect(new Set(open.map((a) => `${a.sourceKey}|${a.condition}`)).size).toBe(open.length);
          expect(open.length).toBe(openKeys.length);
          for (const a of open) {
            expect(a.state).not.toBe('NORM');
            expect(lastTo.get(a.id)).toBe(a.state);
            if (a.state === 'ACKED') expect(a.active).toBe(true);
            if (a.state === 'RTNUN') expect(a.active).toBe(false);
            if (a.state === 'UNACK' && !a.active) expect(a.latched).toBe(true);
            if (a.state === 'SHLVD') expect(a.shelvedUntilMs).not.toBeNull();
            if (a.condition === 'H') {
              const held = holdsSuppressed(book.find(a.source, 'HH'), a);
              if (held) expect(['UNACK', 'ACKED', 'RTNUN']).not.toContain(a.state);
              if (isDesignSuppressed(a)) expect(held).toBe(true);
            }
          }
        };

        for (const c of commands) {
          if (c.t === 'restart') {
            const saved = book.open();
            book = new AlarmBook({ newId, policy });
            expect(book.load(saved).ok).toBe(true);
            check([]);
            continue;
          }
          now += c.dt;
          if (c.t === 'tick') {
            check(book.tick(now).events);
            continue;
          }
          const source = SOURCES[c.src]!;
          const condition = CONDITIONS[c.cond]!;
          if (c.t === 'change') {
            const before = book.find(source, condition);
            const update = book.change({
              source,
              condition,
              active: c.active,
              ts: c.late ? now - c.lateBy : now,
              value: c.active ? 1 : 0,
              limit: null,
              ...(c.late ? { late: true as const } : {}),
            });
            check(update.events);
            // Replayed data never changes the state of an alarm the live lane holds.
            if (c.late && before !== undefined && before.late !== true) {
              expect(book.find(source, condition)?.state).toBe(before.state);
              expect(update.events.every((e) => e.from === e.to && e.late === true)).toBe(true);
            }
          } else if (c.t === 'recolour') {
            const open = book.find(source, condition);
            if (open !== undefined) {
              const r = book.recolour(open.id, c.colour, now, 'test');
              expect(r.ok).toBe(true);
              if (r.ok) check(r.value.events);
            }
          } else {
            const open = book.find(source, condition);
            const tgt = c.byId && open !== undefined ? { alarmId: open.id } : { source, condition };
            const r = book.act(tgt, {
              action: c.action,
              actor: c.actor,
              ts: now,
              reason: c.reason,
              untilMs: c.shelveMs === null ? null : now + c.shelveMs,
            });
            if (r.ok) check(r.value.events);
            else {
              expect(r.error.code).toMatch(/^HW_CORE_ALARM_/);
              check([]);
            }
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});
