import { describe, expect, it } from 'vitest';
import { compareAlarms, sortAlarms } from '../src/logic/alarm-sort.js';
import { colourRank, worstColour } from '../src/logic/colour.js';

describe('alarm console order', () => {
  it('puts the higher colour first whatever the time, then the newest first', () => {
    const alarms = [
      { id: 'b1', colour: 'blue' as const, raisedAt: 500 },
      { id: 'r-old', colour: 'red' as const, raisedAt: 100 },
      { id: 'o1', colour: 'orange' as const, raisedAt: 400 },
      { id: 'none', colour: null, raisedAt: 900 },
      { id: 'r-new', colour: 'red' as const, raisedAt: 300 },
      { id: 'y1', colour: 'yellow' as const, raisedAt: 800 },
    ];
    expect(sortAlarms(alarms).map((a) => a.id)).toEqual(['r-new', 'r-old', 'o1', 'y1', 'b1', 'none']);
  });

  it('breaks exact ties by id, so the order is stable between refreshes', () => {
    const a = { id: 'a', colour: 'red' as const, raisedAt: 1 };
    const b = { id: 'b', colour: 'red' as const, raisedAt: 1 };
    expect(compareAlarms(a, b)).toBeLessThan(0);
    expect(compareAlarms(b, a)).toBeGreaterThan(0);
    expect(sortAlarms([b, a])).toEqual([a, b]);
  });

  it('ranks 红 > 橙 > 黄 > 蓝 > normal', () => {
    expect(['red', 'orange', 'yellow', 'blue', null].map((c) => colourRank(c as never))).toEqual([
      4, 3, 2, 1, 0,
    ]);
    expect(worstColour(['blue', null, 'orange', 'yellow'])).toBe('orange');
    expect(worstColour([null, undefined])).toBeNull();
  });
});
