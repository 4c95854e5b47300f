import { describe, expect, it } from 'vitest';
import { partitionDayStart, partitionName, pointKey, utcDayStart } from '@hazardwatch/store';

describe('partition naming', () => {
  it.each([
    [Date.UTC(2025, 0, 1), 'readings_p20250101'],
    [Date.UTC(2024, 1, 29), 'readings_p20240229'],
    [Date.UTC(2025, 11, 31), 'readings_p20251231'],
  ])('day %d ↔ %s', (day, name) => {
    expect(partitionName(day)).toBe(name);
    expect(partitionDayStart(name)).toBe(day);
  });

  it('uses UTC days', () => {
    expect(utcDayStart(Date.UTC(2025, 2, 30, 23, 59, 59, 999))).toBe(Date.UTC(2025, 2, 30));
  });

  it('ignores tables that are not daily partitions', () => {
    expect(partitionDayStart('readings_default')).toBeUndefined();
    expect(partitionDayStart('readings_p2025010')).toBeUndefined();
  });
});

describe('pointKey', () => {
  it('separates enterprise and tag with NUL', () => {
    expect(pointKey('E1', 'TI-101')).toBe('E1\u0000TI-101');
    expect(pointKey('a/b', 'c')).not.toBe(pointKey('a', 'b/c'));
  });
});
