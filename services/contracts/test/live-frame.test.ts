import { describe, expect, it } from 'vitest';
import {
  decodeLiveValues,
  encodeLiveValues,
  type LiveValue,
  type LiveValueFrame,
} from '@hazardwatch/contracts';

describe('live value frames', () => {
  it('round-trips values by column, with qualities only when one is not good', () => {
    const good: LiveValue[] = [
      { pointId: 7, ts: 1_795_000_000_000, value: 12.345678901234, quality: 'good' },
      { pointId: 3, ts: 1_794_999_999_250, value: 0, quality: 'good' },
      { pointId: 9, ts: 1_795_000_001_000, value: 1e-9, quality: 'good' },
    ];
    const frame = encodeLiveValues(good);
    expect(frame).toEqual({
      p: [7, 3, 9],
      t0: 1_795_000_000_000,
      t: [0, -750, 1000],
      v: [12.345678901234, 0, 1e-9],
    });
    expect(decodeLiveValues(JSON.parse(JSON.stringify(frame)) as LiveValueFrame)).toEqual(good);

    const mixed: LiveValue[] = [
      { pointId: 1, ts: 5, value: 1, quality: 'uncertain' },
      { pointId: 2, ts: 6, value: 2, quality: 'good' },
      { pointId: 3, ts: 7, value: 3, quality: 'bad' },
    ];
    expect(encodeLiveValues(mixed).q).toEqual([1, 0, 2]);
    expect(decodeLiveValues(JSON.parse(JSON.stringify(encodeLiveValues(mixed))) as LiveValueFrame)).toEqual(
      mixed,
    );
    expect(decodeLiveValues(encodeLiveValues([]))).toEqual([]);
  });

  it('is much smaller on the wire than an array of objects', () => {
    const values: LiveValue[] = Array.from({ length: 1000 }, (_, i) => ({
      pointId: 100_000 + i,
      ts: 1_795_000_000_000 + (i % 50),
      value: Math.round(i * 13.7) / 10,
      quality: 'good',
    }));
    const objects = JSON.stringify(values).length;
    const columns = JSON.stringify(encodeLiveValues(values)).length;
    expect(columns).toBeLessThan(objects / 2.5);
  });
});
