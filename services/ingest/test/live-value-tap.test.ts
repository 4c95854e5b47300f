import { describe, expect, it } from 'vitest';
import type { LiveValue } from '@hazardwatch/contracts';
import { ManualClock } from '@hazardwatch/kit';
import { LiveValueTap } from '../src/live-value-tap.js';

const GOOD = 0;

function recording(): { batches: LiveValue[][]; values(values: readonly LiveValue[]): void } {
  const batches: LiveValue[][] = [];
  return { batches, values: (values) => batches.push([...values]) };
}

describe('LiveValueTap', () => {
  it('flushes the latest value per point once per interval, on the injected clock', () => {
    const clock = new ManualClock(1_000);
    const tap = new LiveValueTap({ intervalMs: 25, clock });
    const sink = recording();
    tap.add(sink);
    tap.observe(1, 100, 1.5, GOOD);
    tap.observe(1, 110, 2.5, GOOD);
    tap.observe(2, 105, 7, GOOD);
    clock.advance(24);
    expect(sink.batches).toEqual([]);
    clock.advance(1);
    expect(sink.batches).toEqual([
      [
        { pointId: 1, ts: 110, value: 2.5, quality: 'good' },
        { pointId: 2, ts: 105, value: 7, quality: 'good' },
      ],
    ]);
    clock.advance(100);
    expect(sink.batches).toHaveLength(1); // nothing new: no empty batches
  });

  it('keeps the newer value when an older reading arrives late', () => {
    const clock = new ManualClock();
    const tap = new LiveValueTap({ clock });
    const sink = recording();
    tap.add(sink);
    tap.observe(1, 200, 2, GOOD);
    tap.observe(1, 100, 1, GOOD);
    clock.advance(25);
    expect(sink.batches).toEqual([[{ pointId: 1, ts: 200, value: 2, quality: 'good' }]]);
  });

  it('holds no timer and keeps nothing while no sink is attached', () => {
    const clock = new ManualClock();
    const tap = new LiveValueTap({ clock });
    tap.observe(1, 100, 1, GOOD);
    expect(clock.pendingTimers).toBe(0);
    const first = recording();
    const second = recording();
    const stopFirst = tap.add(first);
    const stopSecond = tap.add(second);
    expect(clock.pendingTimers).toBe(1);
    tap.observe(2, 100, 2, GOOD);
    stopFirst();
    expect(clock.pendingTimers).toBe(1);
    clock.advance(25);
    expect(first.batches).toEqual([]);
    expect(second.batches).toEqual([[{ pointId: 2, ts: 100, value: 2, quality: 'good' }]]);
    tap.observe(3, 100, 3, GOOD);
    stopSecond();
    expect(clock.pendingTimers).toBe(0);
    const third = recording();
    tap.add(third);
    clock.advance(25);
    expect(third.batches).toEqual([]); // what was pending when the last sink left is gone
  });
});
