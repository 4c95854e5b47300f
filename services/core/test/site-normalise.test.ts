import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import {
  NormalisedSiteSchema,
  SITE_DEFAULTS,
  requireValidSite,
  validateSite,
  type NormalisedSite,
} from '@hazardwatch/core';
import { E1, baseSite, gasPoint, point0, type MutableSite } from './site-fixture.js';

function compile(s: MutableSite): NormalisedSite {
  const r = validateSite(s);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.site;
}

const isDeepFrozen = (v: unknown): boolean =>
  typeof v !== 'object' || v === null || (Object.isFrozen(v) && Object.values(v).every(isDeepFrozen));

describe('normalised site', () => {
  it('applies documented defaults, converts seconds to ms, and uses null for absent optionals', () => {
    const p = compile(baseSite()).points[0]!;
    expect(p).toMatchObject({
      name: 'P1',
      hazard: 'TF1',
      onDelayMs: SITE_DEFAULTS.onDelaySec * 1000,
      offDelayMs: 0,
      staleAfterMs: 300_000,
      deadband: { ll: 0, l: 0, h: 0, hh: 0 },
      rateOfChange: [],
      gas: null,
      independentOf: null,
      hhIndependent: false,
      interlocks: { ll: null, l: null, h: null, hh: null },
      enabled: true,
      floorPlan: null,
      deviceCode: null,
      limitsDefaulted: [],
    });
  });

  it('site defaults and per-point values override in that order', () => {
    const s = baseSite();
    s['defaults'] = { onDelaySec: 5, offDelaySec: 2, staleAfterSec: 60, gatewayOfflineAfterSec: 90 };
    Object.assign(point0(s), {
      offDelaySec: 1.5,
      deadband: 2,
      deadbands: { hh: 0.5 },
      rateOfChange: [{ direction: 'rising', slopePerMin: 3, windowSec: 30 }],
    });
    const site = compile(s);
    const p = site.points[0]!;
    expect([p.onDelayMs, p.offDelayMs, p.staleAfterMs]).toEqual([5000, 1500, 60_000]);
    expect(p.deadband).toEqual({ ll: 2, l: 2, h: 2, hh: 0.5 });
    expect(p.rateOfChange).toEqual([{ direction: 'rising', slopePerMin: 3, windowMs: 30_000 }]);
    expect(site.gateways[0]!.offlineAfterMs).toBe(90_000);
    expect(site.defaults).toEqual({
      onDelayMs: 5000,
      offDelayMs: 2000,
      staleAfterMs: 60_000,
      gatewayOfflineAfterMs: 90_000,
    });
  });

  it('O₂ defaults to 19.5 / 23.5 %VOL and open-path to 1 / 2 LEL·m, keeping given limits', () => {
    const s = baseSite();
    gasPoint(s, { kind: 'oxygen', unit: '%VOL', range: { min: 0, max: 25 }, limits: { l: 20 } });
    s.points.push({
      ...s.points[0],
      tag: 'AT2',
      kind: 'open_path_gas',
      unit: 'LEL·m',
      range: { min: 0, max: 5 },
      limits: undefined,
    });
    const [o2, op] = compile(s).points;
    expect(o2!.limits).toEqual({ ll: null, l: 20, h: 23.5, hh: null });
    expect(o2!.limitsDefaulted).toEqual(['h']);
    expect(op!.limits).toEqual({ ll: null, l: null, h: 1, hh: 2 });
  });

  it('location falls back to the hazard, then the enterprise', () => {
    const s = baseSite();
    s.points.push({ ...point0(s), tag: 'P2', hazard: undefined });
    s.points.push({ ...point0(s), tag: 'P3', location: { lon: 1, lat: 2 } });
    const [p1, p2, p3] = compile(s).points;
    expect(p1!.location).toEqual({ lon: 121.001, lat: 32.501 });
    expect(p2!.location).toEqual({ lon: 121, lat: 32.5 });
    expect(p3!.location).toEqual({ lon: 1, lat: 2 });
  });

  it('is deeply frozen, matches its schema, and shares nothing with the input', () => {
    const s = baseSite();
    const site = compile(s);
    expect(isDeepFrozen(site)).toBe(true);
    expect(Value.Check(NormalisedSiteSchema, site)).toBe(true);
    expect(Object.isFrozen(s.enterprises[0]!['location'])).toBe(false);
    (s.enterprises[0]!['location'] as { lon: number }).lon = 0;
    expect(site.enterprises[0]!.location.lon).toBe(121);
  });

  it('carries the GB 18218 assessment and the enterprise risk grade', () => {
    const s = baseSite();
    s.enterprises[0]!['risk'] = { score: 95, vetoes: ['重大事故'] };
    const site = compile(s);
    expect(site.hazards[0]!.assessment).toMatchObject({
      standard: 'GB18218-2018',
      s: 2,
      r: 8,
      level: 4,
      isMajorHazard: true,
    });
    expect(site.enterprises[0]!.risk).toEqual({
      scale: 'enterprise-risk-2018',
      score: 95,
      vetoes: ['重大事故'],
      colour: 'red',
    });
    expect(site.hazards[0]!.responsible.operational.name).toBe('丙');
    expect(site.points[0]!.enterprise).toBe(E1);
  });
});

describe('requireValidSite', () => {
  it('returns the site, or throws HW_CORE_SITE_INVALID carrying every error', () => {
    expect(requireValidSite(baseSite()).site.points).toHaveLength(1);
    const s = baseSite();
    point0(s)['limits'] = { l: 70, h: 60 };
    expect(() => requireValidSite(s)).toThrow(
      expect.objectContaining({
        code: 'HW_CORE_SITE_INVALID',
        data: expect.objectContaining({
          count: 1,
          errors: [expect.objectContaining({ rule: 'LIMIT_ORDER' })],
        }) as unknown,
      }),
    );
  });
});
