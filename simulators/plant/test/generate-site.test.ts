import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  generateSite,
  isSimulatorError,
  simulatedSiteFrom,
  siteToYaml,
  usccCheckChar,
  usccFor,
} from '@hazardwatch/simulators';

interface Doc {
  regions: { code: string; kind: string; parent?: string }[];
  enterprises: { code: string; region: string; location: { lon: number; lat: number } }[];
  hazards: {
    declaredLevel: number;
    inventory: { designMaxTonnes: number }[];
    exposedPopulation: number;
    type: string;
  }[];
  points: {
    kind: string;
    limits?: Record<string, number>;
    range: { min: number; max: number };
    gas?: { oel?: number };
  }[];
}

describe('generateSite', () => {
  it.each([
    { cities: 1, enterprises: 1, points: 1 },
    { cities: 3, enterprises: 40, points: 5000 },
    { cities: 6, enterprises: 12, points: 777 },
  ])(
    '$cities cities, $enterprises enterprises, $points points: exact counts and a realistic hierarchy',
    (o) => {
      const doc = generateSite({ ...o, seed: 5 }) as unknown as Doc;
      expect(doc.enterprises).toHaveLength(o.enterprises);
      expect(doc.points).toHaveLength(o.points);
      expect(doc.regions.filter((r) => r.kind === 'city')).toHaveLength(o.cities);
      for (const kind of ['province', 'county', 'park', 'town'])
        expect(doc.regions.some((r) => r.kind === kind)).toBe(true);
      // Jiangsu, WGS-84
      for (const e of doc.enterprises) {
        expect(e.location.lon).toBeGreaterThan(118);
        expect(e.location.lon).toBeLessThan(122.5);
        expect(e.location.lat).toBeGreaterThan(31.5);
        expect(e.location.lat).toBeLessThan(35.2);
      }
      expect(() => simulatedSiteFrom(doc)).not.toThrow();
    },
  );

  it('is deterministic by seed and YAML round-trips', () => {
    const a = generateSite({ cities: 2, enterprises: 5, points: 200, seed: 'x' });
    expect(generateSite({ cities: 2, enterprises: 5, points: 200, seed: 'x' })).toEqual(a);
    expect(generateSite({ cities: 2, enterprises: 5, points: 200, seed: 'y' })).not.toEqual(a);
    expect(parse(siteToYaml(a))).toEqual(a);
  });

  it('hazards of all four levels; limits obey GB/T 50493-2019 §5.5.2 and LL<L<H<HH inside the range', () => {
    const doc = generateSite({ cities: 3, enterprises: 40, points: 5000, seed: 9 }) as unknown as Doc;
    expect(new Set(doc.hazards.map((h) => h.declaredLevel))).toEqual(new Set([1, 2, 3, 4]));
    expect(new Set(doc.hazards.map((h) => h.type))).toEqual(
      new Set(['tank_farm', 'warehouse', 'production_unit']),
    );
    for (const p of doc.points) {
      const l = p.limits ?? {};
      const set = (['ll', 'l', 'h', 'hh'] as const)
        .map((k) => l[k])
        .filter((v): v is number => v !== undefined);
      expect(set.length).toBeGreaterThan(0);
      for (let i = 1; i < set.length; i++) expect(set[i]!).toBeGreaterThan(set[i - 1]!);
      for (const v of set) expect(v >= p.range.min && v <= p.range.max).toBe(true);
      if (p.kind === 'combustible_gas') {
        expect(l.h!).toBeLessThanOrEqual(25);
        expect(l.hh!).toBeLessThanOrEqual(50);
      }
      if (p.kind === 'toxic_gas') {
        expect(l.h!).toBeLessThanOrEqual(p.gas!.oel!);
        expect(l.hh!).toBeLessThanOrEqual(2 * p.gas!.oel!);
      }
    }
  });

  it('refuses impossible parameters with a coded error', () => {
    for (const bad of [
      { cities: 0, enterprises: 1, points: 1 },
      { cities: 7, enterprises: 1, points: 1 },
      { cities: 1, enterprises: 5, points: 4 },
    ]) {
      expect(() => generateSite(bad)).toThrow(
        expect.objectContaining({ code: 'HW_SIM_GENERATE_INVALID' }) as Error,
      );
      try {
        generateSite(bad);
      } catch (err) {
        expect(isSimulatorError(err, 'HW_SIM_GENERATE_INVALID')).toBe(true);
      }
    }
  });
});

describe('统一社会信用代码-like codes', () => {
  it('are 18 topic-safe characters with a valid GB 32100-2015 check character', () => {
    // A published real code to anchor the check algorithm: 91350100M000100Y43 (GB 32100 example).
    expect(usccCheckChar('91350100M000100Y4')).toBe('3');
    const codes = new Set<string>();
    for (let i = 1; i <= 500; i++) {
      const code = usccFor('320623', i);
      expect(code).toMatch(/^91320623MA[0-9A-HJ-NP-RT-UW-Y]{8}$/);
      expect(usccCheckChar(code.slice(0, 17))).toBe(code[17]);
      codes.add(code);
    }
    expect(codes.size).toBe(500);
  });
});
