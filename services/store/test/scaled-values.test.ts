import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeReadingsBinary,
  exactScale,
  MAX_SCALE,
  PointScales,
  ReadingBuffer,
  scaledInteger,
  unscale,
} from '@hazardwatch/store';
import { anyValue, FLOAT_ONLY, quantisedDecimal } from './support/value-arbitraries.js';

describe('exact scaled integers (schema version 23)', () => {
  it('gives back every double it scales, bit for bit, with an integer |n| ≤ 2^53', () => {
    fc.assert(
      fc.property(anyValue, (v) => {
        const k = exactScale(v);
        if (k < 0) return;
        const n = scaledInteger(v, k);
        expect(Number.isInteger(n) && Math.abs(n) <= 2 ** 53).toBe(true);
        expect(k).toBeLessThanOrEqual(MAX_SCALE);
        expect(Object.is(unscale(n, k), v)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('scales every quantised decimal, and keeps NaN, ±Infinity, -0, subnormals and 0.1 + 0.2 as floats', () => {
    fc.assert(
      fc.property(quantisedDecimal, (v) => {
        fc.pre(!Object.is(v, -0));
        expect(exactScale(v)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 20_000 },
    );
    expect(FLOAT_ONLY.map(exactScale)).toEqual(FLOAT_ONLY.map(() => -1));
    expect([1.23, -1.24, 0, 42, 0.001, 123456.789].map(exactScale)).toEqual([2, 2, 0, 0, 3, 3]);
  });

  it('keeps one scale per point, so its integers and scale compress (12.3, 12, 12.5 → 123, 120, 125 at scale 1)', () => {
    const scales = new PointScales();
    const chosen = [12.3, 12, 12.5, 13, 12.25, 12].map((v) => scales.scaleFor(1, v));
    expect(chosen).toEqual([1, 1, 1, 1, 2, 2]);
    expect(scales.scaleFor(2, 12)).toBe(0); // another point has its own
    expect([scales.scaleFor(1, NaN), scales.scaleFor(1, 2 ** 53)]).toEqual([-1, 0]); // 2^53·10^2 is too big for scale 2
  });

  it('gives back every double of any sequence of points and values bit for bit at the scale it keeps', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), anyValue), { maxLength: 60 }),
        (readings) => {
          const scales = new PointScales();
          for (const [pointId, v] of readings) {
            const k = scales.scaleFor(pointId, v);
            if (k < 0) {
              expect(exactScale(v)).toBe(-1);
              continue;
            }
            const n = scaledInteger(v, k);
            expect(Number.isInteger(n) && Math.abs(n) <= 2 ** 53).toBe(true);
            expect(Object.is(unscale(n, k), v)).toBe(true);
          }
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('COPYs a scaled value as value 0, value_int and scale, and any other as the float8 with two NULLs', () => {
    const rows = new ReadingBuffer();
    rows.push(7, Date.UTC(2000, 0, 1), -12.5, 1);
    rows.push(7, Date.UTC(2000, 0, 1, 0, 0, 1), NaN, 2);
    const copy = encodeReadingsBinary(rows, 0, 2, { scaledValues: true });
    const header = 11 + 8;
    // Tuple 1: 6 fields; point_id, ts (0 µs: the PostgreSQL epoch), value 0, value_int -125, scale 1, quality 1.
    expect(copy.readInt16BE(header)).toBe(6);
    expect(copy.readInt32BE(header + 6)).toBe(7);
    expect(copy.readBigInt64BE(header + 14)).toBe(0n);
    expect(copy.readDoubleBE(header + 26)).toBe(0);
    expect(copy.readBigInt64BE(header + 38)).toBe(-125n);
    expect(copy.readInt16BE(header + 50)).toBe(1);
    expect(copy.readInt16BE(header + 56)).toBe(1);
    // Tuple 2: the NaN as float8, value_int and scale NULL (length -1).
    const t2 = header + 58;
    expect(copy.readBigInt64BE(t2 + 14)).toBe(1_000_000n);
    expect(copy.readDoubleBE(t2 + 26)).toBeNaN();
    expect([copy.readInt32BE(t2 + 34), copy.readInt32BE(t2 + 38)]).toEqual([-1, -1]);
    expect(copy.readInt16BE(t2 + 46)).toBe(2);
    expect(copy.readInt16BE(t2 + 48)).toBe(-1);
    expect(copy.length).toBe(t2 + 50);
    // Without the option every value is a float8.
    const plain = encodeReadingsBinary(rows);
    expect(plain.readDoubleBE(header + 26)).toBe(-12.5);
    expect(plain.readInt32BE(header + 34)).toBe(-1);
  });
});
