/**
 * Invariant of the closing rules (issue #19): whatever sides act in whatever order, with time
 * passing and the cause active or not, a red or orange 预警 is closed only by the administrator or
 * by a regulator at or above its level after a regulator's verification of the enterprise's
 * feedback — and nothing is ever closed before 签收.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { WarningColour } from '@hazardwatch/contracts';
import type { WarningActor, WarningEvent } from '@hazardwatch/core';
import { makeDesk } from './desk-helpers.js';
import { MIN, T0, TF1 } from './warning-site.js';

const SIDES: WarningActor[] = [
  { id: 'op', party: 'enterprise' },
  { id: 'county', party: 'county' },
  { id: 'city', party: 'city' },
  { id: 'province', party: 'province' },
  { id: 'admin', party: 'admin' },
];
const RANK = { enterprise: 0, county: 1, city: 2, province: 3 } as const;

const step = fc.record({
  verb: fc.constantFrom('sign', 'feedback', 'urge', 'verify', 'close', 'wait'),
  side: fc.integer({ min: 0, max: SIDES.length - 1 }),
  minutes: fc.integer({ min: 0, max: 20 }),
  causeActive: fc.boolean(),
  reason: fc.boolean(),
});

describe('closing rules hold for any sequence of actions', () => {
  it.each<WarningColour>(['red', 'orange', 'yellow', 'blue'])('%s', (colour) => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 25 }), (steps) => {
        const desk = makeDesk();
        const id = desk.open(TF1, colour, ['a1'], T0);
        if (!id.ok) throw id.error;
        const warningId = id.warningId!;
        const log: WarningEvent[] = [...id.events];
        let now = T0;
        for (const s of steps) {
          now += s.minutes * MIN;
          const actor = SIDES[s.side]!;
          const reason = s.reason ? '理由' : undefined;
          const r =
            s.verb === 'sign'
              ? desk.sign(warningId, actor, now)
              : s.verb === 'feedback'
                ? desk.feedback(warningId, actor, '处置', now)
                : s.verb === 'urge'
                  ? desk.urge(warningId, actor, { text: '督办', deadlineMs: now + 10 * MIN }, now)
                  : s.verb === 'verify'
                    ? desk.verify(warningId, actor, '核查', now)
                    : s.verb === 'close'
                      ? desk.close(warningId, actor, { causeActive: s.causeActive, reason }, now)
                      : desk.tick(now);
          if (r.ok) log.push(...r.events);
        }
        const closed = log.find((e) => e.type === 'closed');
        if (closed === undefined) return;
        const before = log.slice(0, log.indexOf(closed));
        // Never before 签收 (since the last open or upgrade).
        const lastCycle = before.map((e) => e.type).lastIndexOf('upgraded');
        expect(before.slice(lastCycle + 1).some((e) => e.type === 'signed')).toBe(true);
        if (closed.party === 'admin') {
          expect(closed.forced).toBe(true);
          expect(closed.text).toBeTruthy();
          return;
        }
        const regulatorClosed = colour === 'red' || colour === 'orange';
        if (regulatorClosed) {
          expect(closed.party).not.toBe('enterprise');
          expect(RANK[closed.party as 'county']).toBeGreaterThanOrEqual(RANK[closed.level]);
          // The last state before the close was verified: verification after the last feedback.
          expect(closed.from).toBe('verified');
        } else {
          expect(closed.party).toBe('enterprise');
          expect(['feedback', 'verified']).toContain(closed.from);
        }
        if (closed.forced) expect(closed.text).toBeTruthy();
      }),
      { numRuns: 300 },
    );
  });
});
