import { describe, expect, it } from 'vitest';
import { IDENTITY_SCALE, applyScale, scaleFromRanges } from '../src/tag-mapping.js';

describe('applyScale', () => {
  // raw × factor + offset in binary floating point, and what reaches the wire.
  it.each([
    { scale: { factor: 0.1, offset: 0 }, raw: 131, wire: '13.1' },
    { scale: { factor: 0.1, offset: 0 }, raw: 3, wire: '0.3' },
    { scale: { factor: 0.01, offset: -40 }, raw: 6013, wire: '20.13' },
    { scale: scaleFromRanges(0, 27648, 0, 1.6), raw: 13824, wire: '0.8' },
    { scale: scaleFromRanges(0, 27648, 0, 1.6), raw: 27648, wire: '1.6' },
    { scale: scaleFromRanges(4000, 20000, -50, 150), raw: 4000, wire: '-50' },
    { scale: { factor: 0.5, offset: 10 }, raw: -20, wire: '0' },
    // A float32 register's value keeps its own digits.
    { scale: { factor: 1, offset: 0.5 }, raw: 1.2345678806304932, wire: '1.73456788063' },
  ])('$raw scaled is $wire on the wire', ({ scale, raw, wire }) => {
    expect(JSON.stringify(applyScale(scale, raw))).toBe(wire);
  });

  it('passes an unscaled value through untouched (64-bit counters keep every digit)', () => {
    expect(applyScale(IDENTITY_SCALE, 2 ** 53 - 1)).toBe(2 ** 53 - 1);
    expect(applyScale(IDENTITY_SCALE, 0.1 + 0.2)).toBe(0.1 + 0.2);
  });

  it('keeps non-finite results non-finite (the source skips them)', () => {
    expect(applyScale({ factor: 1e308, offset: 0 }, 1e10)).toBe(Infinity);
  });
});
