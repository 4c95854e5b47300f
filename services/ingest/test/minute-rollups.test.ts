import { describe, expect, it } from 'vitest';
import { ReadingBuffer } from '@hazardwatch/store';
import { completeBefore, DirtyMinutes, MinuteAccumulator, nextRollupAt } from '@hazardwatch/ingest';

const T = Date.UTC(2026, 10, 23, 12, 0); // a minute boundary
const rowsAt = (...ts: number[]): ReadingBuffer => {
  const rows = new ReadingBuffer(4);
  for (const t of ts) rows.push(1, t, 0, 0);
  return rows;
};

const MIN = 60_000;
const batch = (...rows: Array<[pointId: number, ts: number, value: number]>): ReadingBuffer => {
  const buffer = new ReadingBuffer(4);
  for (const [p, t, v] of rows) buffer.push(p, t, v, 0);
  return buffer;
};

describe('DirtyMinutes', () => {
  it('is empty until stored rows are marked, and empty again once taken', () => {
    const dirty = new DirtyMinutes();
    expect(dirty.takeBefore()).toEqual([]);
    dirty.markRows(rowsAt(T + 5_000, T - 90_000, T + 1_000));
    expect(dirty.takeBefore()).toEqual([
      { fromMs: T - 2 * MIN, toMs: T - MIN },
      { fromMs: T, toMs: T + MIN },
    ]);
    expect(dirty.takeBefore()).toEqual([]);
  });

  it('takes only minutes before the cutoff and keeps the rest for the next refresh', () => {
    const dirty = new DirtyMinutes();
    dirty.markRows(rowsAt(T - 30_000, T + 20_000));
    expect(dirty.takeBefore(T)).toEqual([{ fromMs: T - MIN, toMs: T }]);
    expect(dirty.takeBefore(T)).toEqual([]);
    // A late reading for the minute already refreshed makes it dirty again.
    dirty.markRows(rowsAt(T - 10_000));
    expect(dirty.takeBefore(T + MIN)).toEqual([{ fromMs: T - MIN, toMs: T + MIN }]);
  });

  it('keeps a reading hours late to its own minute, not a span to now', () => {
    const dirty = new DirtyMinutes();
    dirty.markRows(rowsAt(T - 3 * 3_600_000 + 5, T + 1));
    expect(dirty.takeBefore(T + MIN)).toEqual([
      { fromMs: T - 3 * 3_600_000, toMs: T - 3 * 3_600_000 + MIN },
      { fromMs: T, toMs: T + MIN },
    ]);
  });

  it('marks a span as whole minutes, such as what a previous run may not have rolled up', () => {
    const dirty = new DirtyMinutes();
    dirty.markSpan(T - 300_000, T + 1);
    dirty.markSpan(T, T); // empty: no change
    expect(dirty.size).toBe(6);
    expect(dirty.has(T)).toBe(true);
    expect(dirty.takeBefore(T + 2 * MIN)).toEqual([{ fromMs: T - 300_000, toMs: T + MIN }]);
  });

  it('marks nothing for an empty batch', () => {
    const dirty = new DirtyMinutes();
    dirty.markRows(rowsAt());
    expect(dirty.takeBefore()).toEqual([]);
  });
});

describe('MinuteAccumulator', () => {
  it('aggregates min, max, sum, count and the value at the latest time per point and minute', () => {
    const dirty = new DirtyMinutes();
    const acc = new MinuteAccumulator(T, dirty);
    // Out of time order within and across batches; two points; two minutes.
    acc.add(batch([1, T + 30_000, 5], [1, T + 10_000, -2], [2, T + 1, 7]));
    acc.add(batch([1, T + 59_999, 3], [1, T + 20_000, 9], [1, T + MIN, 100]));
    expect(acc.minutes).toBe(2);
    expect(acc.takeBefore(T + MIN)).toEqual([
      { bucketMs: T, pointId: 1, min: -2, max: 9, sum: 15, count: 4, last: 3 },
      { bucketMs: T, pointId: 2, min: 7, max: 7, sum: 7, count: 1, last: 7 },
    ]);
    expect(acc.minutes).toBe(1);
    expect(dirty.size).toBe(0);
    expect(acc.takeBefore()).toEqual([
      { bucketMs: T + MIN, pointId: 1, min: 100, max: 100, sum: 100, count: 1, last: 100 },
    ]);
  });

  it('agrees with a plain grouping of the same rows (random batches, many points and minutes)', () => {
    let seed = 3;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const acc = new MinuteAccumulator(T, new DirtyMinutes());
    const expected = new Map<
      string,
      { min: number; max: number; sum: number; count: number; lastTs: number; last: number }
    >();
    const used = new Set<string>();
    for (let b = 0; b < 50; b++) {
      const rows: Array<[number, number, number]> = [];
      for (let i = 0; i < 200; i++) {
        const pointId = 1 + Math.floor(random() * 30);
        const ts = T + Math.floor(random() * 5 * MIN);
        if (used.has(`${pointId}/${ts}`)) continue; // (point, time) is the primary key
        used.add(`${pointId}/${ts}`);
        const value = Math.round((random() - 0.5) * 1e6) / 100;
        rows.push([pointId, ts, value]);
        const key = `${pointId}/${Math.floor(ts / MIN) * MIN}`;
        const e = expected.get(key);
        if (!e) expected.set(key, { min: value, max: value, sum: value, count: 1, lastTs: ts, last: value });
        else {
          e.min = Math.min(e.min, value);
          e.max = Math.max(e.max, value);
          e.sum += value;
          e.count++;
          if (ts > e.lastTs) [e.lastTs, e.last] = [ts, value];
        }
      }
      acc.add(batch(...rows));
    }
    const got = acc.takeBefore();
    expect(got).toHaveLength(expected.size);
    for (const m of got) {
      const e = expected.get(`${m.pointId}/${m.bucketMs}`)!;
      expect({ ...m, sum: 0 }).toEqual({
        bucketMs: m.bucketMs,
        pointId: m.pointId,
        min: e.min,
        max: e.max,
        sum: 0,
        count: e.count,
        last: e.last,
      });
      expect(m.sum).toBeCloseTo(e.sum, 6);
    }
  });

  it('takes a minute of a site with hundreds of thousands of points', () => {
    const acc = new MinuteAccumulator(T, new DirtyMinutes());
    const rows = new ReadingBuffer(300_000);
    for (let p = 1; p <= 300_000; p++) rows.push(p, T + (p % 60_000), p, 0);
    acc.add(rows);
    const taken = acc.takeBefore(T + MIN);
    expect(taken).toHaveLength(300_000);
    expect(taken[299_999]).toMatchObject({ pointId: 300_000, count: 1, last: 300_000 });
  });

  it('leaves to a recompute what it cannot vouch for: minutes before it started, and late rows', () => {
    const dirty = new DirtyMinutes();
    // Started mid-minute: the first whole minute it sees is the next one.
    const acc = new MinuteAccumulator(T + 12_345, dirty);
    acc.add(batch([1, T + 30_000, 1], [1, T + MIN + 1, 2]));
    expect(dirty.takeBefore()).toEqual([{ fromMs: T, toMs: T + MIN }]);
    expect(acc.takeBefore(T + 2 * MIN)).toEqual([
      { bucketMs: T + MIN, pointId: 1, min: 2, max: 2, sum: 2, count: 1, last: 2 },
    ]);
    // The minute was taken: a reading for it arriving now is late.
    acc.add(batch([1, T + MIN + 5, 3], [1, T + 2 * MIN, 4]));
    expect(dirty.takeBefore()).toEqual([{ fromMs: T + MIN, toMs: T + 2 * MIN }]);
    expect(acc.minutes).toBe(1);
    // After everything was taken (shutdown), every row is late.
    acc.takeBefore();
    acc.add(batch([1, T + 10 * MIN, 5]));
    expect(acc.minutes).toBe(0);
    expect(dirty.has(T + 10 * MIN)).toBe(true);
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
