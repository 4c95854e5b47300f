import { describe, expect, it } from 'vitest';
import { mulberry32, rngFor, seedFrom } from '@hazardwatch/simulators';

const draw = (rng: { next(): number }, n: number): number[] => Array.from({ length: n }, () => rng.next());

describe('mulberry32', () => {
  it('gives the same sequence for the same seed', () => {
    expect(draw(mulberry32(42), 1000)).toEqual(draw(mulberry32(42), 1000));
  });

  it('is pinned: a change in the generator would silently change every recorded scenario', () => {
    // Outputs (×2^32) of the reference JavaScript mulberry32 (bryc/code, PRNGs.md) for these seeds.
    expect(draw(mulberry32(0), 3).map((u) => u * 2 ** 32)).toEqual([1144304738, 1416247, 958946056]);
    const rng = mulberry32(123456789);
    for (let i = 0; i < 1_000_000; i++) rng.next();
    expect(rng.next() * 2 ** 32).toBe(3209811455);
  });

  it('gives different sequences for different seeds', () => {
    expect(draw(mulberry32(1), 10)).not.toEqual(draw(mulberry32(2), 10));
  });

  it('draws uniforms in [0, 1) with the right mean, and normals with mean 0 and σ 1', () => {
    const rng = mulberry32(7);
    const u = draw(rng, 100_000);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(u.reduce((s, x) => s + x, 0) / u.length).toBeCloseTo(0.5, 2);
    const z = Array.from({ length: 100_000 }, () => rng.normal());
    const mean = z.reduce((s, x) => s + x, 0) / z.length;
    const sd = Math.sqrt(z.reduce((s, x) => s + (x - mean) ** 2, 0) / z.length);
    expect(z.every(Number.isFinite)).toBe(true);
    expect(mean).toBeCloseTo(0, 1);
    expect(sd).toBeCloseTo(1, 1);
  });
});

describe('seeds from names', () => {
  it('are stable 32-bit values and separate parts', () => {
    expect(seedFrom(1, 'E1', 'TT-1')).toBe(seedFrom(1, 'E1', 'TT-1'));
    expect(seedFrom(1, 'E1', 'TT-1')).not.toBe(seedFrom(1, 'E1T', 'T-1'));
    expect(seedFrom('x')).toBeGreaterThanOrEqual(0);
    expect(seedFrom('x')).toBeLessThan(2 ** 32);
    expect(Number.isInteger(seedFrom('x'))).toBe(true);
  });

  it('give each point its own reproducible stream', () => {
    expect(draw(rngFor(1, 'E1', 'TT-1'), 5)).toEqual(draw(rngFor(1, 'E1', 'TT-1'), 5));
    expect(draw(rngFor(1, 'E1', 'TT-1'), 5)).not.toEqual(draw(rngFor(1, 'E1', 'TT-2'), 5));
    expect(draw(rngFor(1, 'E1', 'TT-1'), 5)).not.toEqual(draw(rngFor(2, 'E1', 'TT-1'), 5));
  });
});
