import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_WARNING_TIMEOUTS, type WarningEvent } from '@hazardwatch/core';
import type { WarningColour } from '@hazardwatch/contracts';
import { ent, makeDesk, ok, who } from './desk-helpers.js';
import { HOUR, MIN, T0, TF1 } from './warning-site.js';

const summary = (events: readonly WarningEvent[]) =>
  events.map((e) => `${e.type}:${e.step ?? ''}:${e.level}@${(e.ts - T0) / MIN}`);

describe('timeout escalation: enterprise → county → city → province, then stop', () => {
  it.each<[WarningColour, number]>([
    ['red', 5],
    ['orange', 15],
    ['yellow', 60],
  ])('%s: an unsigned warning escalates every %i min and stops at the province', (colour, signMin) => {
    const desk = makeDesk();
    const id = ok(desk.open(TF1, colour, ['a1'], T0)).warningId!;
    expect(ok(desk.tick(T0 + signMin * MIN - 1)).events).toEqual([]);

    const step = (k: number) => ok(desk.tick(T0 + k * signMin * MIN));
    const county = step(1);
    expect(summary(county.events)).toEqual([`escalated:sign:county@${signMin}`]);
    // The next regulator level AND the three responsible persons (issue #19: escalation used to
    // notify the regulator only).
    expect(county.notifications.map((n) => [n.kind, who(n)])).toEqual([
      [
        'escalated',
        ['principal:张主', 'technical:李技', 'operational:王操', 'regulator:PARK1', 'regulator:320623'],
      ],
    ]);
    expect(desk.get(id)).toMatchObject({ level: 'county', timerStartMs: T0 + signMin * MIN });

    expect(summary(step(2).events)).toEqual([`escalated:sign:city@${2 * signMin}`]);
    const province = step(3);
    expect(summary(province.events)).toEqual([`escalated:sign:province@${3 * signMin}`]);
    expect(who(province.notifications[0]!)).toEqual([
      'principal:张主',
      'technical:李技',
      'operational:王操',
      'regulator:320000',
    ]);

    // At the top: the miss is recorded once (with a reminder), never escalated further.
    const top = step(4);
    expect(summary(top.events)).toEqual([`overdue:sign:province@${4 * signMin}`]);
    expect(top.notifications[0]?.kind).toBe('reminder');
    // Reminders go to the colour's routine recipients (yellow: technical + operational).
    const routine =
      colour === 'yellow'
        ? ['technical:李技', 'operational:王操']
        : ['principal:张主', 'technical:李技', 'operational:王操'];
    expect(who(top.notifications[0]!)).toEqual([...routine, 'regulator:320000']);
    const feedbackMin = DEFAULT_WARNING_TIMEOUTS[colour].feedbackWithinMs! / MIN;
    const later = ok(desk.tick(T0 + 100 * 24 * HOUR));
    expect(summary(later.events)).toEqual([`overdue:feedback:province@${3 * signMin + feedbackMin}`]);
    expect(ok(desk.tick(T0 + 200 * 24 * HOUR)).events).toEqual([]);
    expect(desk.get(id)?.level).toBe('province');
  });

  it('a missed feedback deadline escalates too, timed from the push (signing does not restart it)', () => {
    const desk = makeDesk();
    const id = ok(desk.open(TF1, 'red', [], T0)).warningId!;
    ok(desk.sign(id, ent('u-1'), T0 + 2 * MIN));
    const all = ok(desk.tick(T0 + 10 * HOUR)).events;
    expect(summary(all)).toEqual([
      'escalated:feedback:county@30',
      'escalated:feedback:city@60',
      'escalated:feedback:province@90',
      'overdue:feedback:province@120',
    ]);
  });

  it('each escalation restarts both timers at the new level', () => {
    const desk = makeDesk();
    const id = ok(desk.open(TF1, 'red', [], T0)).warningId!;
    // The sign deadline (5 min) passed before this sign at 7 min: the escalation is recorded first.
    expect(summary(ok(desk.sign(id, ent('u-1'), T0 + 7 * MIN)).events)).toEqual([
      'escalated:sign:county@5',
      'signed::county@7',
    ]);
    // Feedback is now due 30 min after the escalation at 5 min, i.e. at 35 min.
    expect(ok(desk.tick(T0 + 35 * MIN - 1)).events).toEqual([]);
    expect(summary(ok(desk.tick(T0 + 35 * MIN)).events)).toEqual(['escalated:feedback:city@35']);
  });

  it('skips a tier the region chain does not have (enterprise directly under a city)', () => {
    const desk = makeDesk();
    ok(desk.open({ enterprise: 'E3', hazard: 'H3' }, 'red', [], T0));
    const r = ok(desk.tick(T0 + 15 * MIN));
    expect(summary(r.events)).toEqual([
      'escalated:sign:city@5',
      'escalated:sign:province@10',
      'overdue:sign:province@15',
    ]);
    expect(who(r.notifications[0]!)).toEqual([
      'principal:郑主',
      'technical:冯技',
      'operational:陈操',
      'regulator:320500',
    ]);
  });

  it('blue never escalates: the feedback deadline (72 h) gives one reminder to its operational person', () => {
    const desk = makeDesk();
    ok(desk.open(TF1, 'blue', [], T0));
    expect(ok(desk.tick(T0 + 72 * HOUR - 1)).events).toEqual([]);
    const r = ok(desk.tick(T0 + 72 * HOUR));
    expect(summary(r.events)).toEqual([`overdue:feedback:enterprise@${72 * 60}`]);
    expect(r.notifications.map((n) => [n.kind, who(n)])).toEqual([['reminder', ['operational:王操']]]);
    expect(ok(desk.tick(T0 + 1000 * HOUR)).events).toEqual([]);
  });

  it('a warning in feedback waits for close without deadlines', () => {
    const desk = makeDesk();
    const id = ok(desk.open(TF1, 'red', [], T0)).warningId!;
    ok(desk.sign(id, ent('u'), T0 + MIN));
    ok(desk.feedback(id, ent('u'), '已处置', T0 + 2 * MIN));
    expect(ok(desk.tick(T0 + 1000 * HOUR)).events).toEqual([]);
  });

  it('property: the escalation log does not depend on how often the host ticks', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<WarningColour>('red', 'orange', 'yellow', 'blue'),
        fc.array(fc.integer({ min: 1, max: 3 * HOUR }), { minLength: 1, maxLength: 40 }),
        fc.option(fc.integer({ min: 0, max: 4 * HOUR }), { nil: undefined }),
        (colour, gaps, signAt) => {
          const end = T0 + gaps.reduce((s, g) => s + g, 0);
          const run = (ticks: number[]) => {
            const desk = makeDesk();
            const id = ok(desk.open(TF1, colour, [], T0)).warningId!;
            const log: WarningEvent[] = [];
            let signed = signAt === undefined || T0 + signAt > end;
            for (const t of ticks) {
              if (!signed && T0 + signAt! <= t) {
                log.push(...ok(desk.sign(id, ent('u'), T0 + signAt!)).events);
                signed = true;
              }
              log.push(...ok(desk.tick(t)).events);
            }
            return log;
          };
          let t = T0;
          const often = gaps.map((g) => (t += g));
          // Once at the end (plus at the sign instant, so the sign lands at its own time).
          const once = signAt === undefined || T0 + signAt > end ? [end] : [T0 + signAt, end];
          expect(run(often)).toEqual(run(once));
        },
      ),
      { numRuns: 200 },
    );
  });
});
