import { describe, expect, it } from 'vitest';
import { generateSite } from '@hazardwatch/simulators';
import { gatewayLoads, normalValue } from '../src/paced-load.js';

describe('latency benchmark: paced load plan', () => {
  const site = generateSite({ cities: 2, enterprises: 8, points: 3000, seed: 11 });
  const points = site['points'] as Array<{
    enterprise: string;
    gateway: string;
    tag: string;
    range: { min: number; max: number };
    limits?: { ll?: number; l?: number; h?: number; hh?: number };
  }>;

  it('keeps every point inside its normal band, wiggle included, so the load raises no limit alarm', () => {
    for (const p of points) {
      const v = normalValue(p);
      const wiggle = (p.range.max - p.range.min) * 0.001;
      for (const x of [v - wiggle, v + wiggle]) {
        expect(x).toBeGreaterThanOrEqual(p.range.min);
        expect(x).toBeLessThanOrEqual(p.range.max);
        for (const high of [p.limits?.h, p.limits?.hh]) if (high !== undefined) expect(x).toBeLessThan(high);
        for (const low of [p.limits?.l, p.limits?.ll]) if (low !== undefined) expect(x).toBeGreaterThan(low);
      }
    }
    expect(normalValue({ range: { min: 0, max: 100 }, limits: { l: 20, h: 60 } })).toBe(40);
    expect(normalValue({ range: { min: 0, max: 10 }, limits: { hh: 8 } })).toBe(4);
    expect(normalValue({ range: { min: -5, max: 5 } })).toBe(0);
  });

  it('covers every point once per turn, one gateway per topic, phases spread over the period', () => {
    const loads = gatewayLoads(site);
    const gateways = new Set(points.map((p) => `${p.enterprise}/${p.gateway}`));
    expect(loads).toHaveLength(gateways.size);
    expect(new Set(loads.map((l) => l.topic)).size).toBe(loads.length);
    const tags = loads.flatMap((l) => l.tags.map((t) => `${l.topic}|${JSON.parse(t) as string}`));
    expect(tags).toHaveLength(points.length);
    for (const p of points) expect(tags).toContain(`hw/v1/${p.enterprise}/${p.gateway}/telemetry|${p.tag}`);
    const phases = loads.map((l) => l.phase);
    expect(phases[0]).toBe(0);
    for (let i = 1; i < phases.length; i++) expect(phases[i]! - phases[i - 1]!).toBeCloseTo(1 / loads.length);
    expect(Math.max(...phases)).toBeLessThan(1);
  });
});
