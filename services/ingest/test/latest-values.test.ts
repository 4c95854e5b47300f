import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LatestValues } from '@hazardwatch/ingest';

type Update = [pointId: number, ts: number, value: number, quality: number];

describe('LatestValues', () => {
  it('knows nothing about a point before its first sample', () => {
    const latest = new LatestValues();
    expect(latest.get(0)).toBeUndefined();
    expect(latest.get(5_000_000)).toBeUndefined();
  });

  const cases: Array<{
    name: string;
    updates: Update[];
    results: boolean[];
    expected: ReturnType<LatestValues['get']>;
  }> = [
    {
      name: 'first sample',
      updates: [[7, 1000, 1.5, 0]],
      results: [true],
      expected: { ts: 1000, value: 1.5, quality: 0 },
    },
    {
      name: 'newer sample replaces',
      updates: [
        [7, 1000, 1, 0],
        [7, 2000, 2, 1],
      ],
      results: [true, true],
      expected: { ts: 2000, value: 2, quality: 1 },
    },
    {
      name: 'out-of-order older sample does not overwrite',
      updates: [
        [7, 2000, 2, 0],
        [7, 1000, 1, 2],
      ],
      results: [true, false],
      expected: { ts: 2000, value: 2, quality: 0 },
    },
    {
      name: 'equal ts overwrites (a correction of the same sample)',
      updates: [
        [7, 2000, 2, 0],
        [7, 2000, 3, 1],
      ],
      results: [true, true],
      expected: { ts: 2000, value: 3, quality: 1 },
    },
    {
      name: 'another point does not interfere',
      updates: [
        [7, 2000, 2, 0],
        [8, 3000, 9, 2],
        [8, 1000, 0, 0],
      ],
      results: [true, true, false],
      expected: { ts: 2000, value: 2, quality: 0 },
    },
  ];
  it.each(cases)('$name', ({ updates, results, expected }) => {
    const latest = new LatestValues();
    expect(updates.map((u) => latest.update(...u))).toEqual(results);
    expect(latest.get(7)).toEqual(expected);
  });

  it('grows beyond its initial capacity and keeps earlier values', () => {
    const latest = new LatestValues();
    latest.update(0, 10, 0.5, 0);
    latest.update(1023, 11, 1023, 1);
    latest.update(1024, 12, 1024, 2);
    latest.update(100_000, 13, -1, 0);
    latest.update(3, 14, 3, 0);
    expect(latest.get(0)).toEqual({ ts: 10, value: 0.5, quality: 0 });
    expect(latest.get(1023)).toEqual({ ts: 11, value: 1023, quality: 1 });
    expect(latest.get(1024)).toEqual({ ts: 12, value: 1024, quality: 2 });
    expect(latest.get(100_000)).toEqual({ ts: 13, value: -1, quality: 0 });
    expect(latest.get(3)).toEqual({ ts: 14, value: 3, quality: 0 });
    expect(latest.get(99_999)).toBeUndefined();
  });

  it('holds, for any arrival order, the sample with the newest ts (the last one among equals)', () => {
    const update = fc.tuple(
      fc.integer({ min: 0, max: 3000 }),
      fc.integer({ min: 1, max: 50 }),
      fc.double({ noNaN: true }),
      fc.integer({ min: 0, max: 2 }),
    );
    fc.assert(
      fc.property(fc.array(update, { maxLength: 200 }), (updates) => {
        const latest = new LatestValues();
        const model = new Map<number, { ts: number; value: number; quality: number }>();
        for (const [id, ts, value, quality] of updates) {
          const current = model.get(id);
          const expected = current === undefined || ts >= current.ts;
          expect(latest.update(id, ts, value, quality)).toBe(expected);
          if (expected) model.set(id, { ts, value, quality });
        }
        for (const [id, sample] of model) expect(latest.get(id)).toEqual(sample);
      }),
      { seed: 9001, numRuns: 200 },
    );
  });
});
