import { describe, expect, it } from 'vitest';
import { ReadingBuffer } from '@hazardwatch/store';
import { completeBefore, DirtyRange, nextRollupAt } from 'hazardwatch';

const T = Date.UTC(2026, 10, 23, 12, 0); // a minute boundary
const rowsAt = (...ts: number[]): ReadingBuffer => {
  const rows = new ReadingBuffer(4);
  for (const t of ts) rows.push(1, t, 0, 0);
  return rows;
};

describe('DirtyRange', () => {
  it('is empty until stored rows are marked, and empty again once taken', () => {
    const dirty = new DirtyRange();
    expect(dirty.takeBefore()).toBeUndefined();
    dirty.markRows(rowsAt(T + 5_000, T - 90_000, T + 1_000));
    expect(dirty.takeBefore()).toEqual({ fromMs: T - 90_000, toMs: T + 5_001 });
    expect(dirty.takeBefore()).toBeUndefined();
  });

  it('takes only what lies before the cutoff and keeps the rest for the next refresh', () => {
    const dirty = new DirtyRange();
    dirty.markRows(rowsAt(T - 30_000, T + 20_000));
    expect(dirty.takeBefore(T)).toEqual({ fromMs: T - 30_000, toMs: T });
    expect(dirty.takeBefore(T)).toBeUndefined();
    // A late reading for the minute already refreshed makes it dirty again.
    dirty.markRows(rowsAt(T - 10_000));
    expect(dirty.takeBefore(T + 60_000)).toEqual({ fromMs: T - 10_000, toMs: T + 20_001 });
  });

  it('takes everything when the newest row is before the cutoff', () => {
    const dirty = new DirtyRange();
    dirty.markRows(rowsAt(T - 1));
    expect(dirty.takeBefore(T)).toEqual({ fromMs: T - 1, toMs: T });
    expect(dirty.takeBefore(T + 60_000)).toBeUndefined();
  });

  it('marks a span, such as what a previous run may not have rolled up', () => {
    const dirty = new DirtyRange();
    dirty.markSpan(T - 300_000, T);
    dirty.markSpan(T, T); // empty: no change
    dirty.markRows(rowsAt(T + 2_000));
    expect(dirty.takeBefore(T + 60_000)).toEqual({ fromMs: T - 300_000, toMs: T + 2_001 });
  });

  it('marks nothing for an empty batch', () => {
    const dirty = new DirtyRange();
    dirty.markRows(rowsAt());
    expect(dirty.takeBefore()).toBeUndefined();
  });
});

describe('rollup timing', () => {
  it('runs grace after the next minute boundary', () => {
    expect(nextRollupAt(T, 5_000)).toBe(T + 5_000);
    expect(nextRollupAt(T + 4_999, 5_000)).toBe(T + 5_000);
    expect(nextRollupAt(T + 5_000, 5_000)).toBe(T + 65_000);
    expect(nextRollupAt(T + 59_999, 5_000)).toBe(T + 65_000);
  });

  it('counts a minute complete once its grace has passed', () => {
    expect(completeBefore(T + 5_000, 5_000)).toBe(T);
    expect(completeBefore(T + 4_999, 5_000)).toBe(T - 60_000);
    expect(completeBefore(T + 65_000, 5_000)).toBe(T + 60_000);
  });
});
