import { describe, expect, it } from 'vitest';
import type { Reading } from '@hazardwatch/contracts';
import { ExceptionFilter } from '../src/exception-filter.js';

const r = (tag: string, ts: number, value: number, quality?: Reading['quality']): Reading =>
  quality ? { tag, ts, value, quality } : { tag, ts, value };

describe('ExceptionFilter (report by exception)', () => {
  const filter = () =>
    new ExceptionFilter(new Map([['PT-1', { deadband: 0.5, heartbeatMs: 10_000 }]]), {
      deadband: 0,
      heartbeatMs: 60_000,
    });

  it('forwards moves beyond the deadband, holds small ones back, and sends a heartbeat for a flat value', () => {
    const f = filter();
    const sent = [
      r('PT-1', 0, 10),
      r('PT-1', 1000, 10.4), // within ±0.5 of 10: held
      r('PT-1', 2000, 10.6), // moved 0.6 from the last *sent* value: sent
      r('PT-1', 3000, 10.2), // 0.4 from 10.6: held
      r('PT-1', 12_000, 10.2), // heartbeat due (10 s after 2000)
      r('PT-1', 12_500, 10.2, 'bad'), // quality changed: sent
    ].filter((x) => f.filter([x]).length === 1);
    expect(sent.map((x) => x.ts)).toEqual([0, 2000, 12_000, 12_500]);
    expect([f.passed, f.suppressed]).toEqual([4, 2]);
  });

  it('passes every sample of tags without a deadband and keeps batch order', () => {
    const f = filter();
    const batch = [r('TT-1', 0, 1), r('PT-1', 0, 5), r('TT-1', 1, 1), r('PT-1', 1, 5.1), r('TT-1', 2, 1)];
    expect(f.filter(batch).map((x) => `${x.tag}@${x.ts}`)).toEqual(['TT-1@0', 'PT-1@0', 'TT-1@1', 'TT-1@2']);
  });

  it('returns the same array when nothing is held back, and never holds back after a clock reset', () => {
    const f = filter();
    const batch = [r('PT-1', 5000, 1)];
    expect(f.filter(batch)).toBe(batch);
    expect(f.filter([r('PT-1', 100, 1)])).toHaveLength(1);
  });

  it('forwards a forgotten tag’s next sample whatever its value (a change-reporting source’s new link)', () => {
    const f = filter();
    expect(f.filter([r('PT-1', 0, 10)])).toHaveLength(1);
    expect(f.filter([r('PT-1', 1000, 10.1)])).toHaveLength(0);
    f.forget(['PT-1']);
    expect(f.filter([r('PT-1', 2000, 10.1)])).toHaveLength(1);
  });
});
