import fc from 'fast-check';
import { MAX_SCALE, POWERS_OF_TEN } from '@hazardwatch/store';

/** Values the float8 path must keep: no scaled integer gives them back. */
export const FLOAT_ONLY: readonly number[] = [
  NaN,
  Infinity,
  -Infinity,
  -0,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  2.225073858507201e-308, // the largest subnormal
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  0.1 + 0.2,
  2 ** 53 + 2,
  1e-10,
];

/** n / 10^k for an integer |n| ≤ 2^53 and k ≤ MAX_SCALE: a quantised instrument's reading. */
export const quantisedDecimal: fc.Arbitrary<number> = fc
  .tuple(
    fc.oneof(
      fc.integer({ min: -100_000, max: 100_000 }),
      fc.maxSafeInteger(),
      fc.constantFrom(2 ** 53, -(2 ** 53)),
    ),
    fc.integer({ min: 0, max: MAX_SCALE }),
  )
  .map(([n, k]) => n / POWERS_OF_TEN[k]!);

/** Any double (fast-check's include NaN, ±Infinity, -0, subnormals), the float-only ones, decimals. */
export const anyValue: fc.Arbitrary<number> = fc.oneof(
  fc.double(),
  quantisedDecimal,
  fc.constantFrom(...FLOAT_ONLY),
);

/**
 * As anyValue, but bounded to ±1e300 where finite: PostgreSQL's sum()/avg() of float8 raise
 * "value out of range: overflow" when finite values add up past the largest double, whatever
 * the encoding — the rollup comparison is about the encoding, not that limit.
 */
export const rollupValue: fc.Arbitrary<number> = fc.oneof(
  fc.double({ min: -1e300, max: 1e300 }),
  quantisedDecimal,
  fc.constantFrom(...FLOAT_ONLY.filter((v) => !Number.isFinite(v) || Math.abs(v) < 1e300)),
);
