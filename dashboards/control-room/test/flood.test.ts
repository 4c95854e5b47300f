import { describe, expect, it } from 'vitest';
import { FLOOD_THRESHOLD, FLOOD_WINDOW_MS, FloodDetector } from '../src/logic/flood.js';

const MIN = 60_000;

describe('ISA-18.2 flood detection (> 10 alarms per 10 min)', () => {
  it('uses the REFERENCE §7 numbers', () => {
    expect(FLOOD_WINDOW_MS).toBe(10 * MIN);
    expect(FLOOD_THRESHOLD).toBe(10);
  });

  it('is not a flood at exactly 10 in the window, is at 11', () => {
    const f = new FloodDetector();
    for (let i = 0; i < 10; i += 1) f.record(i * 30_000);
    expect(f.inFlood(5 * MIN)).toBe(false);
    f.record(5 * MIN);
    expect(f.count(5 * MIN)).toBe(11);
    expect(f.inFlood(5 * MIN)).toBe(true);
  });

  it('leaves the flood when old alarms slide out of the window, without a new alarm', () => {
    const f = new FloodDetector();
    for (let i = 0; i < 11; i += 1) f.record(i * 1000);
    expect(f.inFlood(20_000)).toBe(true);
    // The first alarm (t = 0) leaves at exactly t = 10 min: the window is (now − 10 min, now].
    expect(f.inFlood(10 * MIN)).toBe(false);
    expect(f.count(10 * MIN)).toBe(10);
  });

  it('counts out-of-order (replayed) times in their place', () => {
    const f = new FloodDetector();
    f.record(9 * MIN);
    f.record(1 * MIN);
    f.record(5 * MIN);
    expect(f.count(10.5 * MIN)).toBe(3);
    expect(f.count(11.5 * MIN)).toBe(2);
  });
});
