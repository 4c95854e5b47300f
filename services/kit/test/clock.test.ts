import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock, systemClock, unrefTimer } from '@hazardwatch/kit';

describe('ManualClock', () => {
  it('stands still until advanced, then reads the new time', () => {
    const clock = new ManualClock(1_000);
    expect(clock.now()).toBe(1_000);
    clock.advance(250);
    expect(clock.now()).toBe(1_250);
    clock.advanceTo(2_000);
    expect(clock.now()).toBe(2_000);
  });

  it('runs due timers in due order, ties in the order set, with now() at each due time', () => {
    const clock = new ManualClock(0);
    const ran: string[] = [];
    clock.setTimeout(() => ran.push(`c@${clock.now()}`), 30);
    clock.setTimeout(() => ran.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => ran.push(`b1@${clock.now()}`), 20);
    clock.setTimeout(() => ran.push(`b2@${clock.now()}`), 20);
    clock.setTimeout(() => ran.push('late'), 31);
    clock.advance(30);
    expect(ran).toEqual(['a@10', 'b1@20', 'b2@20', 'c@30']);
    expect(clock.pendingTimers).toBe(1);
  });

  it('runs a timer set by a callback within the same advance when it falls due', () => {
    const clock = new ManualClock(0);
    const ran: number[] = [];
    clock.setTimeout(() => {
      ran.push(clock.now());
      clock.setTimeout(() => ran.push(clock.now()), 5);
    }, 10);
    clock.advance(14);
    expect(ran).toEqual([10]);
    clock.advance(1);
    expect(ran).toEqual([10, 15]);
  });

  it('repeats intervals until cleared', () => {
    const clock = new ManualClock(0);
    const ticks: number[] = [];
    const handle = clock.setInterval(() => ticks.push(clock.now()), 100);
    clock.advance(350);
    expect(ticks).toEqual([100, 200, 300]);
    clock.clearInterval(handle);
    clock.advance(1_000);
    expect(ticks).toEqual([100, 200, 300]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('clears a timeout, also from another timer due at the same time, and accepts undefined', () => {
    const clock = new ManualClock(0);
    const ran: string[] = [];
    let victim = clock.setTimeout(() => ran.push('victim'), 50);
    clock.setTimeout(() => clock.clearTimeout(victim), 10);
    clock.clearTimeout(undefined);
    clock.advance(100);
    expect(ran).toEqual([]);
    victim = clock.setTimeout(() => ran.push('second'), 0);
    clock.setTimeout(() => ran.push('third'), -5);
    clock.advance(0);
    expect(ran).toEqual(['second', 'third']);
  });

  it('refuses to go backwards', () => {
    const clock = new ManualClock(100);
    expect(() => clock.advanceTo(99)).toThrow(RangeError);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });
});

describe('systemClock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('uses the global timers at call time, so vitest fake timers drive it', () => {
    vi.useFakeTimers({ now: 5_000 });
    const ran: number[] = [];
    const once = systemClock.setTimeout(() => ran.push(systemClock.now()), 100);
    const every = systemClock.setInterval(() => ran.push(-systemClock.now()), 40);
    vi.advanceTimersByTime(100);
    systemClock.clearInterval(every);
    systemClock.clearTimeout(once);
    vi.advanceTimersByTime(1_000);
    expect(ran).toEqual([-5_040, -5_080, 5_100]);
  });

  it('unrefTimer unrefs a Node timer and ignores handles without unref', () => {
    const handle = systemClock.setTimeout(() => undefined, 60_000);
    unrefTimer(handle);
    expect((handle as unknown as { hasRef(): boolean }).hasRef()).toBe(false);
    systemClock.clearTimeout(handle);
    expect(() => unrefTimer(new ManualClock().setTimeout(() => undefined, 1))).not.toThrow();
    expect(() => unrefTimer(undefined)).not.toThrow();
  });
});
