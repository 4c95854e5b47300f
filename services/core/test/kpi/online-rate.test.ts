import { describe, expect, it } from 'vitest';
import { onlineRate, type KpiDataLoss } from '@hazardwatch/core';

const H = 3_600_000;
const range = { fromMs: 0, toMs: 10 * H };
const gw = (gateway: string, points: number) => ({ enterprise: 'E1', gateway, points });
const loss = (gateway: string, fromMs: number | null, toMs: number | null, readings = 100): KpiDataLoss => ({
  enterprise: 'E1',
  gateway,
  readings,
  fromMs,
  toMs,
});

describe('online rate counts the holes gateways reported (issue #16 item 4)', () => {
  it.each<[string, KpiDataLoss[], number]>([
    ['no loss', [], 100],
    ['one hour lost of ten', [loss('GW1', 0, H)], 90],
    ['overlapping reports counted once', [loss('GW1', 0, H), loss('GW1', H / 2, 2 * H)], 80],
    ['clipped to the range', [loss('GW1', -5 * H, H), loss('GW1', 9.5 * H, 12 * H)], 85],
    ['a report without a span costs no time', [loss('GW1', null, null)], 100],
    ['another gateway does not count', [loss('GW9', 0, 5 * H)], 100],
  ])('%s', (_name, losses, pct) => {
    const r = onlineRate([gw('GW1', 10)], losses, range);
    expect(r.gateways[0]!.onlineRatePct).toBeCloseTo(pct, 9);
    expect(r.onlineRatePct).toBeCloseTo(pct, 9);
  });

  it('weights gateways by their points and sums the readings lost', () => {
    const r = onlineRate([gw('GW1', 30), gw('GW2', 10)], [loss('GW2', 0, 5 * H, 11_297)], range);
    expect(r.gateways.map((g) => g.onlineRatePct)).toEqual([100, 50]);
    expect(r.onlineRatePct).toBeCloseTo(87.5, 9);
    expect(r.lostReadings).toBe(11_297);
  });
});

describe('an out-of-service point (停用) is not online (issue #19; target ≥ 99.5 %)', () => {
  const withOos = (points: number, outOfService: Array<number | null>) => ({
    ...gw('GW1', points),
    outOfService,
  });

  it('a point out of service before the range is offline for all of it', () => {
    const r = onlineRate([withOos(10, [null])], [], range);
    expect(r.gateways[0]).toMatchObject({ outOfService: 1 });
    expect(r.gateways[0]!.onlineRatePct).toBeCloseTo(90, 9);
    expect(r.onlineRatePct).toBeCloseTo(90, 9);
    expect(r.outOfServicePoints).toBe(1);
  });

  it('from the time it was taken out of service', () => {
    // Out of service for the last 2 h of 10: one point of ten offline 20 % of the time.
    const r = onlineRate([withOos(10, [8 * H])], [], range);
    expect(r.gateways[0]!.onlineRatePct).toBeCloseTo(98, 9);
  });

  it('a hole hides its time once, for every point', () => {
    // 1 h lost for all ten points; the disabled one is offline all along anyway.
    const r = onlineRate([withOos(10, [null])], [loss('GW1', 0, H)], range);
    expect(r.gateways[0]!.onlineRatePct).toBeCloseTo(100 * (1 - (9 * H + 10 * H) / (10 * 10 * H)), 9);
  });

  it('one disabled detector of a hundred already misses the national target', () => {
    const r = onlineRate([withOos(100, [null])], [], range);
    expect(r.onlineRatePct).toBeLessThan(99.5);
  });
});
