import { describe, expect, it } from 'vitest';
import {
  duplicateOpenAlarms,
  duplicateRaises,
  percentile,
  perWorkerIncrements,
  readingsLost,
  summarizeLatencies,
  type AlarmEventRow,
} from '../src/failover-accounting.js';

const ev = (sourceKey: string, condition: string, fromState: string, toState: string): AlarmEventRow => ({
  sourceKey,
  condition,
  fromState,
  toState,
});

describe('failover accounting', () => {
  it.each([
    { values: [], q: 0.5, want: 0 },
    { values: [7], q: 0.99, want: 7 },
    { values: [1, 2, 3, 4], q: 0.5, want: 2 },
    { values: [1, 2, 3, 4], q: 0.99, want: 4 },
    // Of 20 rounds the p99 is the slowest one (nearest rank 20), the p50 the 10th.
    { values: Array.from({ length: 20 }, (_, i) => i + 1), q: 0.99, want: 20 },
    { values: Array.from({ length: 20 }, (_, i) => i + 1), q: 0.5, want: 10 },
    { values: Array.from({ length: 200 }, (_, i) => i + 1), q: 0.99, want: 198 },
  ])('percentile($q) of $values.length values is $want', ({ values, q, want }) => {
    expect(percentile(values, q)).toBe(want);
  });

  it('summarises unsorted kill → alarm times with rounding', () => {
    expect(summarizeLatencies([4100.4, 2300.6, 3900, 5200.2])).toEqual({
      p50Ms: 3900,
      p99Ms: 5200,
      maxMs: 5200,
      samples: 4,
    });
    expect(summarizeLatencies([])).toEqual({ p50Ms: 0, p99Ms: 0, maxMs: 0, samples: 0 });
  });

  it.each([
    { acked: 100, stored: 100, lost: 0, extra: 0 },
    { acked: 100, stored: 97, lost: 3, extra: 0 },
    { acked: 100, stored: 103, lost: 0, extra: 3 },
  ])('acked $acked, stored $stored: lost $lost, extra $extra', ({ acked, stored, lost, extra }) => {
    expect(readingsLost(acked, stored)).toEqual({ lost, extra });
  });

  it('counts a second raise of one excursion, not a raise after the alarm is back at NORM or from RTNUN', () => {
    const events = [
      ev('point:1', 'H', 'NORM', 'UNACK'),
      ev('point:1', 'H', 'UNACK', 'RTNUN'),
      // A new excursion before the acknowledgement: the lifecycle, not a duplicate.
      ev('point:1', 'H', 'RTNUN', 'UNACK'),
      ev('point:1', 'H', 'UNACK', 'ACKED'),
      ev('point:1', 'H', 'ACKED', 'NORM'),
      ev('point:1', 'H', 'NORM', 'UNACK'),
      // Another condition and another source are their own alarms.
      ev('point:1', 'HH', 'NORM', 'UNACK'),
      ev('point:2', 'H', 'NORM', 'UNACK'),
    ];
    expect(duplicateRaises(events)).toBe(0);
    // Two owners raising the same excursion: the second from NORM while it is UNACK.
    expect(duplicateRaises([...events, ev('point:2', 'H', 'NORM', 'UNACK')])).toBe(1);
    expect(
      duplicateRaises([
        ev('point:3', 'H', 'NORM', 'UNACK'),
        ev('point:3', 'H', 'UNACK', 'RTNUN'),
        ev('point:3', 'H', 'NORM', 'UNACK'),
      ]),
    ).toBe(1);
  });

  it('counts open alarm rows beyond one per source and condition', () => {
    expect(
      duplicateOpenAlarms([
        { sourceKey: 'point:1', condition: 'H' },
        { sourceKey: 'point:1', condition: 'HH' },
        { sourceKey: 'point:2', condition: 'H' },
      ]),
    ).toBe(0);
    expect(
      duplicateOpenAlarms([
        { sourceKey: 'point:1', condition: 'H' },
        { sourceKey: 'point:1', condition: 'H' },
        { sourceKey: 'point:1', condition: 'H' },
      ]),
    ).toBe(2);
  });

  it('gives the rate each added worker bought', () => {
    expect(perWorkerIncrements([10_000, 17_000, 21_000])).toEqual([7_000, 4_000]);
    expect(perWorkerIncrements([10_000])).toEqual([]);
  });
});
