import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay } from '@hazardwatch/kit';

describe('backoffDelay', () => {
  it('without jitter doubles from initialMs and stops at maxMs', () => {
    const opts = { initialMs: 100, maxMs: 1_000, jitter: 'none' } as const;
    expect([0, 1, 2, 3, 4, 5, 50, 5_000].map((a) => backoffDelay(a, opts))).toEqual([
      100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000,
    ]);
    expect(backoffDelay(2, { ...opts, factor: 3 })).toBe(900);
  });

  it('with full jitter (the default) spans [0, cap] inclusive of both ends', () => {
    const at = (r: number, attempt: number): number =>
      backoffDelay(attempt, { initialMs: 100, maxMs: 1_000, random: () => r });
    expect(at(0, 0)).toBe(0);
    expect(at(0.5, 0)).toBe(50);
    expect(at(0.999_999_9, 0)).toBe(100);
    expect(at(0.999_999_9, 10)).toBe(1_000);
    expect(at(0.25, 2)).toBe(100);
  });

  it('stays within [0, cap] for any random draw', () => {
    for (let attempt = 0; attempt < 40; attempt += 1) {
      const cap = Math.min(30_000, 250 * 2 ** attempt);
      for (const r of [0, 1e-9, 0.3, 0.5, 0.7, 0.999_999_999]) {
        const d = backoffDelay(attempt, { initialMs: 250, maxMs: 30_000, random: () => r });
        expect(Number.isInteger(d)).toBe(true);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(cap);
      }
    }
  });

  it('refuses nonsense options', () => {
    expect(() => backoffDelay(0, { initialMs: -1, maxMs: 10 })).toThrow(RangeError);
    expect(() => backoffDelay(0, { initialMs: 1, maxMs: Number.NaN })).toThrow(RangeError);
    expect(() => new Backoff({ initialMs: 1, maxMs: 10, factor: 0.5 })).toThrow(RangeError);
  });
});

describe('Backoff', () => {
  it('counts attempts, grows the cap, and starts over after reset', () => {
    const backoff = new Backoff({ initialMs: 200, maxMs: 1_000, jitter: 'none' });
    expect(backoff.attempt).toBe(0);
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([200, 400, 800, 1_000]);
    expect(backoff.attempt).toBe(4);
    backoff.reset();
    expect(backoff.attempt).toBe(0);
    expect(backoff.next()).toBe(200);
  });

  it('draws full jitter from the injected random', () => {
    const draws = [0.5, 0.5, 0];
    const backoff = new Backoff({ initialMs: 100, maxMs: 10_000, random: () => draws.shift() ?? 1 });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([50, 100, 0]);
  });
});
