import { describe, expect, it } from 'vitest';
import { storeErrors, chooseResolution, queryHistory } from '@hazardwatch/store';
import type { SqlClient } from '@hazardwatch/store';

const MIN = 60_000;
const HOUR = 3_600_000;

describe('chooseResolution', () => {
  it.each([
    // range, maxPoints, expected raw interval, resolution
    [10 * MIN, 1000, undefined, 'raw'], // 600 raw rows at 1 s
    [1000_000, 1000, undefined, 'raw'], // exactly at the budget
    [1001_000, 1000, undefined, '1m'],
    [HOUR, 1000, 10_000, 'raw'], // 360 rows at 10 s
    [12 * HOUR, 720, undefined, '1m'], // 720 minutes
    [12 * HOUR + MIN, 720, undefined, '1h'],
    [365 * 24 * HOUR, 100, undefined, '1h'], // coarsest even when over budget
  ] as const)('range %d ms, maxPoints %d, raw every %s ms → %s', (range, maxPoints, rawMs, expected) => {
    expect(chooseResolution({ fromMs: 0, toMs: range, maxPoints, expectedRawIntervalMs: rawMs })).toBe(
      expected,
    );
  });
});

describe('queryHistory validation', () => {
  const unused: SqlClient = {
    query: () => Promise.reject(new Error('not called')),
    exec: () => Promise.reject(new Error('not called')),
    transaction: () => Promise.reject(new Error('not called')),
  };

  it.each([
    [10, 10, 100],
    [10, 5, 100],
    [0, 10, 0],
    [Number.NaN, 10, 100],
  ])('rejects from %d to %d with maxPoints %d', async (fromMs, toMs, maxPoints) => {
    const err: unknown = await queryHistory(unused, 'postgres', {
      pointIds: [1],
      fromMs,
      toMs,
      maxPoints,
    }).catch((e: unknown) => e);
    expect(storeErrors.is(err, 'HW_STORE_HISTORY_RANGE_INVALID')).toBe(true);
  });

  it('returns nothing for no points without touching the database', async () => {
    expect(
      await queryHistory(unused, 'postgres', { pointIds: [], fromMs: 0, toMs: 1, maxPoints: 1 }),
    ).toEqual([]);
  });
});
