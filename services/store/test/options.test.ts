import { describe, expect, it } from 'vitest';
import { MS_PER_DAY, storeErrors, compileRetention, msInterval } from '@hazardwatch/store';

describe('compileRetention', () => {
  it('defaults: raw 30 d (Order 40), 1 min 180 d, 1 h 5 y, compress after 7 d', () => {
    const r = compileRetention();
    expect(r).toEqual({
      rawRetentionMs: 30 * MS_PER_DAY,
      rollup1mRetentionMs: 180 * MS_PER_DAY,
      rollup1hRetentionMs: 1826 * MS_PER_DAY,
      compressAfterMs: 7 * MS_PER_DAY,
    });
    expect(Object.isFrozen(r)).toBe(true);
  });

  it.each([
    [{ rawRetentionDays: 29 }, 'rawRetentionDays'],
    [{ rawRetentionDays: 30.5 }, 'rawRetentionDays'],
    [{ rollup1mRetentionDays: 20 }, 'rollup1mRetentionDays'],
    [{ rollup1mRetentionDays: 2000 }, 'rollup1hRetentionDays'],
    [{ rawRetentionDays: 200 }, 'rollup1mRetentionDays'],
    [{ compressAfterDays: 0 }, 'compressAfterDays'],
  ])('rejects %o naming %s', (input, key) => {
    let err: unknown;
    try {
      compileRetention(input);
    } catch (e) {
      err = e;
    }
    expect(storeErrors.is(err, 'HW_STORE_CONFIG_INVALID')).toBe(true);
    expect(err).toMatchObject({ data: { key } });
  });
});

describe('msInterval', () => {
  it.each([
    [30 * MS_PER_DAY, '30 days'],
    [1500, '1500 milliseconds'],
  ])('%d ms → %s', (ms, text) => {
    expect(msInterval(ms)).toBe(text);
  });
});
