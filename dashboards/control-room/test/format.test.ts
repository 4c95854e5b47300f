import { describe, expect, it } from 'vitest';
import { formatLimit, formatValue } from '../src/logic/format.js';

describe('alarm limit formatting', () => {
  it('shows timeouts of staleness and gateway loss as durations, process limits as values', () => {
    expect(formatLimit('GATEWAY_OFFLINE', 120_000)).toBe('02:00');
    expect(formatLimit('STALE', 3_600_000)).toBe('01:00:00');
    expect(formatLimit('HH', 1.2000000000000002)).toBe('1.2');
    expect(formatLimit('OUT_OF_RANGE', null)).toBe('—');
    expect(formatValue(123.456)).toBe('123.5');
  });
});
