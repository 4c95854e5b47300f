import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RetryBackoff, type Timers } from '@hazardwatch/ingest';

const noTimers: Timers = { setTimeout: () => undefined };
const fixed = (r: number) => (): number => r;

describe('RetryBackoff.delayFor', () => {
  it.each([
    // initialMs, maxMs, attempt, random → delay (ms)
    [200, 10_000, 0, 0, 100],
    [200, 10_000, 0, 0.5, 150],
    [200, 10_000, 0, 1, 200],
    [200, 10_000, 1, 0, 200],
    [200, 10_000, 1, 1, 400],
    [200, 10_000, 3, 0.5, 1200],
    [200, 10_000, 5, 0, 3200],
    [200, 10_000, 6, 0, 5000],
    [200, 10_000, 6, 1, 10_000],
    [200, 10_000, 50, 0.25, 6250],
    [200, 10_000, 10_000, 1, 10_000],
    [50, 500, 0, 0.999_999, 50],
    [3, 100, 0, 0, 2],
    [20_000, 10_000, 0, 0, 5000],
  ])('initial %i, max %i, attempt %i, random %d → %i ms', (initial, max, attempt, random, expected) => {
    expect(new RetryBackoff(initial, max, noTimers, fixed(random)).delayFor(attempt)).toBe(expected);
  });

  it('stays within [base/2, base] with base = min(max, initial·2^attempt), for any random draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (initial, max, attempt, random) => {
          const base = Math.min(max, initial * 2 ** Math.min(attempt, 30));
          const delay = new RetryBackoff(initial, max, noTimers, fixed(random)).delayFor(attempt);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(base / 2));
          expect(delay).toBeLessThanOrEqual(base);
          expect(delay).toBeLessThanOrEqual(max);
        },
      ),
      { seed: 77, numRuns: 500 },
    );
  });

  it('never decreases from one attempt to the next for the same draw', () => {
    const backoff = new RetryBackoff(100, 30_000, noTimers, fixed(0.3));
    const delays = Array.from({ length: 20 }, (_, attempt) => backoff.delayFor(attempt));
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(delays.at(-1)).toBe(backoff.delayFor(1000));
  });
});

describe('RetryBackoff.wait', () => {
  it('waits on the injected timers for exactly the given delay', async () => {
    const scheduled: Array<[() => void, number]> = [];
    const backoff = new RetryBackoff(100, 1000, { setTimeout: (fn, ms) => scheduled.push([fn, ms]) });
    let done = false;
    const waiting = backoff.wait(250).then(() => {
      done = true;
    });
    expect(scheduled.map(([, ms]) => ms)).toEqual([250]);
    await Promise.resolve();
    expect(done).toBe(false);
    scheduled[0]![0]();
    await waiting;
    expect(done).toBe(true);
  });
});
