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
