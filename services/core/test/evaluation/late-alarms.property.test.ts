/**
 * Engine and alarm book together under replays (issue #16 item 2; STYLE rule 12): whatever mix of
 * live readings and replayed (older) ones arrives, and whenever the clock ticks, there is never
 * more than one open alarm per point and condition, and the live lane's verdict always decides an
 * alarm's state when it holds the condition.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlarmBook, EvaluationEngine, type ConditionChange } from '@hazardwatch/core';
import { gateway, point } from './evaluation-fixture.js';

const op = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('live' as const),
      dt: fc.integer({ min: 1, max: 4000 }),
      value: fc.double({ min: 0, max: 100, noNaN: true }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('replay' as const),
      back: fc.integer({ min: 1, max: 60_000 }),
      value: fc.double({ min: 0, max: 100, noNaN: true }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 90_000 }) }),
  },
);

describe('late alarms with the book (fast-check)', () => {
  it('never two open alarms for one point and condition; live-active conditions are never late or RTNUN', () => {
    fc.assert(
      fc.property(
        fc.record({ onDelayMs: fc.constantFrom(0, 2000), offDelayMs: fc.constantFrom(0, 2000) }),
        fc.array(op, { maxLength: 200 }),
        (delays, ops) => {
          let n = 0;
          const book = new AlarmBook({ newId: () => `a${++n}` });
          const live = new Map<string, boolean>();
          const sink = {
            change: (c: ConditionChange) => {
              if (c.late !== true) live.set(c.condition, c.active);
              book.change(c);
            },
          };
          const engine = new EvaluationEngine({
            points: [
              point({
                kind: 'combustible_gas',
                limits: { h: 20, hh: 40 },
                range: { min: 0, max: 100 },
                deadband: 1,
                ...delays,
              }),
            ],
            gateways: [gateway()],
            sink,
          });
          let ts = 1_000_000;
          let now = 0;
          engine.tick(now);
          for (const o of ops) {
            if (o.t === 'live') engine.observe(1, (ts += o.dt), o.value, 0);
            else if (o.t === 'replay') engine.observe(1, ts - o.back, o.value, 0);
            else engine.tick((now += o.dt));
            const open = book.open();
            const keys = open.map((a) => `${a.sourceKey}|${a.condition}`);
            expect(new Set(keys).size).toBe(keys.length);
            for (const a of open) {
              if (live.get(a.condition) === true) {
                expect(a.late, `${a.condition} held live but late`).not.toBe(true);
                expect(a.active).toBe(true);
              }
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
