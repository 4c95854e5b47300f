/**
 * Readings' values as exact scaled integers (schema version 23, issue #20 item 1).
 *
 * Sensor values are mostly quantised decimals (1.23, 1.24, …): as float8 their mantissas differ in
 * most bits from one reading to the next, and TimescaleDB's Gorilla XOR keeps ~7 bytes of each.
 * The same value as `value_int` bigint + `scale` smallint (value = value_int / 10^scale) compresses
 * with delta-of-delta and run lengths to about a byte. A value is stored that way only when the
 * division gives back the very same double; anything else (NaN, ±Infinity, -0, subnormals,
 * 0.1 + 0.2, huge magnitudes) stays the float8 it is.
 *
 * Why the division is exact on both sides: |value_int| ≤ 2^53 and every 10^k for k ≤ 9 are exact
 * doubles, so JS `n / 10 ** k` and PostgreSQL `value_int::float8 / 10^k::float8` are the same
 * IEEE 754 operation (one correctly rounded binary64 division, round to nearest even) on the same
 * operands and give the same bits; the `readings` view divides the stored pair that way. The
 * property tests (scaled-values.test.ts, scaled-values.int.test.ts) check it value by value.
 */

/** Largest scale tried: 9 decimals is finer than any sensor we read, and 10^9 is an exact double. */
export const MAX_SCALE = 9;

/** 10^k for k = 0…MAX_SCALE, each an exact double (written out: no pow() rounding involved). */
export const POWERS_OF_TEN: readonly number[] = Object.freeze([
  1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
]);

/** Above 2^53 a bigint no longer converts to float8 exactly. */
const MAX_EXACT_INTEGER = 2 ** 53;

/** The physical table of raw readings since version 23; `readings` is the view over it. */
export const READINGS_TABLE = 'readings_encoded';

/**
 * The smallest scale k (0…MAX_SCALE) for which `value` is exactly `n / 10^k` with an integer
 * |n| ≤ 2^53 — n is then `scaledInteger(value, k)` — or -1 when the value must stay a float8.
 * -0 stays a float: 0 / 10^k is +0.
 */
export function exactScale(value: number): number {
  if (!Number.isFinite(value) || (value === 0 && 1 / value < 0)) return -1;
  for (let k = 0; k <= MAX_SCALE; k++) {
    const n = integerAt(value, k);
    if (Number.isNaN(n)) continue;
    if (Math.abs(n) > MAX_EXACT_INTEGER) return -1;
    return k;
  }
  return -1;
}

/** Below 2^50 the rounded product value · 10^k is within 1/4 of n: rounding it finds n. */
const NEIGHBOURS_FROM = 2 ** 50;

/**
 * The integer n with n / 10^k === value, or NaN. The product value · 10^k is rounded twice
 * (value itself, then the product), so it only proposes n — off by up to 2 near 2^53, where the
 * neighbours are tried too; the division decides.
 */
function integerAt(value: number, k: number): number {
  const p = POWERS_OF_TEN[k]!;
  const c = Math.round(value * p);
  if (c / p === value) return c;
  if (Math.abs(c) < NEIGHBOURS_FROM || Math.abs(c) > MAX_EXACT_INTEGER + 2) return NaN;
  for (const n of [c - 1, c + 1, c - 2, c + 2])
    if (n / p === value && Math.abs(n) <= MAX_EXACT_INTEGER) return n;
  return NaN;
}

/** The integer n of `value = n / 10^scale`, for a scale `exactScale` returned. */
export function scaledInteger(value: number, scale: number): number {
  return integerAt(value, scale);
}

/**
 * Each point's scale so far, so that a point's values share one scale. The smallest scale of each
 * value alone would follow the digits (12.3 → 123/10^1, 12.0 → 12/10^0, 12.5 → 125/10^1): the
 * integers then jump by a factor of ten and the scale changes, which breaks TimescaleDB's
 * delta-of-delta and run-length compression of both columns (measured: 2.93 B/reading with the
 * per-value scale against 1.26 with one scale per point). A value exact at scale k is exact at
 * any larger scale whose integer stays within 2^53 (n·10^j / 10^(k+j) is the same real number, so
 * the same correctly rounded double; integerAt checks it all the same), so each point keeps the
 * largest scale its values needed — an instrument's resolution, reached within its first few
 * readings — and a value that cannot take it falls back to its own smallest scale.
 */
export class PointScales {
  readonly #scales = new Map<number, number>();

  /** The scale to store `value` of `pointId` with (see exactScale), remembering it. */
  scaleFor(pointId: number, value: number): number {
    const own = exactScale(value);
    if (own < 0) return -1;
    const kept = this.#scales.get(pointId) ?? 0;
    if (own >= kept) {
      if (own > kept) this.#scales.set(pointId, own);
      return own;
    }
    const n = integerAt(value, kept);
    return Number.isNaN(n) || Math.abs(n) > MAX_EXACT_INTEGER ? own : kept;
  }
}

/** What the `readings` view gives back for a stored pair: the same division, in JS. */
export function unscale(valueInt: number, scale: number): number {
  return valueInt / POWERS_OF_TEN[scale]!;
}
