import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { alarmKpiReport, countAlarmIntervals, findFloodEpisodes } from '@hazardwatch/core';
import { ALARM_STATES, type AlarmEvent, type AlarmState } from '@hazardwatch/contracts';
import { DAY, HOUR, MIN, T0, ev } from './kpi-events.js';

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so the big fixture is reproducible. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('30 days, 200,000 events', () => {
  it('runs on bucket counting and gets the totals right', () => {
    const rnd = random(42);
    const range = { fromMs: T0, toMs: T0 + 30 * DAY };
    const events: AlarmEvent[] = [];
    let annunciations = 0;
    // 50,000 alarm cycles of 4 events: raise, ack, (re-alarm or clear), close.
    for (let i = 0; i < 50_000; i++) {
      const pointId = 1 + Math.floor(rnd() * 2_000);
      const t = T0 + Math.floor(rnd() * 30 * DAY);
      const realarm = rnd() < 0.2;
      events.push(
        ev(pointId, 'NORM', 'UNACK', t, 'H', `c${i}`),
        ev(pointId, 'UNACK', 'ACKED', t + 30_000, 'H', `c${i}`),
        realarm
          ? ev(pointId, 'ACKED', 'UNACK', t + 60_000, 'H', `c${i}`)
          : ev(pointId, 'ACKED', 'NORM', t + 60_000, 'H', `c${i}`),
        ev(pointId, realarm ? 'UNACK' : 'NORM', realarm ? 'RTNUN' : 'NORM', t + 90_000, 'H', `c${i}`),
      );
      for (const at of realarm ? [t, t + 60_000] : [t]) if (at < range.toMs) annunciations++;
    }
    expect(events).toHaveLength(200_000);

    const r = alarmKpiReport(events, range);
    expect(r.total).toBe(annunciations);
    expect(r.intervals.count).toBe(30 * 24 * 6);
    expect(r.intervals.counts.reduce((s, c) => s + c, 0)).toBe(r.total);
    expect(r.avgPerHour).toBeCloseTo(r.total / (30 * 24), 10);
    expect(r.top.entries).toHaveLength(10);
    // ~83 alarms/h on average: far above 12/h.
    expect(r.alerts.map((a) => a.code)).toContain('ALARM_RATE_OVER_MANAGEABLE');
  });
});

describe('properties', () => {
  // Transitions drawn from the whole state set: the KPIs must not care whether a log is tidy.
  const state = fc.constantFrom<AlarmState>(...ALARM_STATES);
  const RANGE = { fromMs: T0, toMs: T0 + 6 * HOUR };
  const eventsArb = fc
    .uniqueArray(
      fc.record({
        pointId: fc.integer({ min: 1, max: 6 }),
        condition: fc.constantFrom('H' as const, 'HH' as const),
        from: state,
        to: fc.oneof(fc.constant<AlarmState>('UNACK'), state),
        // Unique times, some before and after the range; bunched so floods and chattering happen.
        ts: fc.integer({ min: -2 * HOUR, max: 8 * HOUR }).map((d) => T0 + d - (d % 7)),
      }),
      { selector: (e) => e.ts, minLength: 0, maxLength: 300 },
    )
    .map((list) => list.map((e) => ev(e.pointId, e.from, e.to, e.ts, e.condition)));

  it('every KPI is invariant to the order of the input events', () => {
    fc.assert(
      fc.property(
        eventsArb,
        fc.array(fc.double({ noNaN: true }), { minLength: 300, maxLength: 300 }),
        (events, keys) => {
          const shuffled = events
            .map((e, i) => ({ e, k: keys[i] ?? 0 }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.e);
          const colourOf = (id: string) => (id.endsWith('HH') ? 'red' : 'blue');
          expect(alarmKpiReport(shuffled, RANGE, { colourOf })).toEqual(
            alarmKpiReport(events, RANGE, { colourOf }),
          );
          expect(alarmKpiReport([...events].reverse(), RANGE)).toEqual(alarmKpiReport(events, RANGE));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the 10-minute buckets sum to the total, and flood time never exceeds the range', () => {
    fc.assert(
      fc.property(eventsArb, (events) => {
        const r = alarmKpiReport(events, RANGE);
        expect(r.intervals.counts.reduce((s, c) => s + c, 0)).toBe(r.total);
        expect(r.intervals.count).toBe(36);
        expect(r.floods.floodTimeMs).toBeLessThanOrEqual(RANGE.toMs - RANGE.fromMs);
        for (const e of r.floods.episodes) expect(e.peakCount).toBeGreaterThan(10);
        expect(r.top.entries.reduce((s, e) => s + e.count, 0)).toBeLessThanOrEqual(r.total);
      }),
      { numRuns: 200 },
    );
  });

  it('sliding floods agree with a brute-force window count', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 3 * HOUR - 1 }), { maxLength: 120 }),
        (offsets) => {
          const times = offsets.map((o) => T0 + o).sort((a, b) => a - b);
          const range = { fromMs: T0, toMs: T0 + 3 * HOUR };
          const { floodTimeMs } = findFloodEpisodes(times, range, 10 * MIN, 10);
          // Brute force: the window count is constant between arrivals and departures, so check each such instant.
          let brute = 0;
          const marks = [...new Set([...times, ...times.map((t) => t + 10 * MIN), range.toMs])]
            .filter((t) => t <= range.toMs)
            .sort((a, b) => a - b);
          for (let i = 0; i + 1 < marks.length; i++) {
            const at = marks[i]!;
            const inWindow = times.filter((t) => t > at - 10 * MIN && t <= at).length;
            if (inWindow > 10) brute += marks[i + 1]! - at;
          }
          expect(floodTimeMs).toBe(brute);
          expect(countAlarmIntervals(times, range, 10 * MIN, 10).counts.reduce((s, c) => s + c, 0)).toBe(
            times.length,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
