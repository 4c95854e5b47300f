import { describe, expect, it } from 'vitest';
import { validateSite, type SiteIssue } from '@hazardwatch/core';
import { baseSite, gasPoint } from './site-fixture.js';

function check(fields: Record<string, unknown>): {
  errors: readonly SiteIssue[];
  defects: readonly SiteIssue[];
} {
  const s = baseSite();
  gasPoint(s, fields);
  const r = validateSite(s);
  return { errors: r.ok ? [] : r.errors, defects: r.defects };
}

const toxic = (
  substance: string,
  unit: string,
  limits: Record<string, number>,
  gas: Record<string, unknown> = {},
) =>
  check({
    kind: 'toxic_gas',
    unit,
    range: { min: 0, max: 200 },
    limits,
    gas: { substance, ...gas },
  });
const oxygen = (limits: Record<string, number>) =>
  check({ kind: 'oxygen', unit: '%VOL', range: { min: 0, max: 25 }, limits });
const rules = (list: readonly SiteIssue[]): string[] => list.map((i) => i.rule);

describe('GB/T 50493-2019 §5.5.2 toxic set points use the GBZ 2.1-2019 OEL of a known gas (issue #19)', () => {
  it('Cl₂ with a typed oel: 50 and limits 50/100 mg/m³ is rejected, and the override reported', () => {
    const { errors, defects } = toxic('氯气', 'mg/m3', { h: 50, hh: 100 }, { basis: 'OEL', oel: 50 });
    expect(rules(errors)).toEqual(['GAS_TOXIC_L1_MAX', 'GAS_TOXIC_L2_MAX']);
    expect(errors[0]?.message).toContain('= 1 mg/m3');
    expect(errors[0]?.message).toContain('GBZ 2.1-2019');
    expect(rules(defects)).toEqual(['GAS_OEL_OVERRIDDEN']);
    expect(defects[0]?.path).toBe('/points/0/gas/oel');
    expect(defects[0]?.message).toContain('50 mg/m3');
    expect(defects[0]?.message).toContain('1 mg/m3');
    expect(defects[0]?.message).toContain('MAC');
  });

  it('Cl₂ with oel 1 and limits 1/2 mg/m³ (the demo site) is clean', () => {
    expect(toxic('氯气', 'mg/m3', { h: 1, hh: 2 }, { basis: 'OEL', oel: 1 })).toEqual({
      errors: [],
      defects: [],
    });
  });

  it('a known gas needs no typed basis or OEL: the table gives them', () => {
    expect(toxic('Cl2', 'mg/m3', { h: 1, hh: 2 })).toEqual({ errors: [], defects: [] });
    expect(rules(toxic('Cl2', 'mg/m3', { h: 1.5, hh: 2 }).errors)).toEqual(['GAS_TOXIC_L1_MAX']);
  });

  it('a point in ppm is compared with the OEL converted at 20 °C (NH₃ 20 mg/m³ = 28.25 ppm)', () => {
    expect(toxic('氨', 'ppm', { h: 28, hh: 56 })).toEqual({ errors: [], defects: [] });
    expect(rules(toxic('氨', 'ppm', { h: 30, hh: 56 }).errors)).toEqual(['GAS_TOXIC_L1_MAX']);
    expect(rules(toxic('氨', 'µmol/mol', { h: 28, hh: 57 }).errors)).toEqual(['GAS_TOXIC_L2_MAX']);
  });

  it('a typed OEL equal to the table (within rounding of a ppm conversion) is no override', () => {
    expect(toxic('NH3', 'ppm', { h: 28, hh: 56 }, { basis: 'OEL', oel: 28.3 })).toEqual({
      errors: [],
      defects: [],
    });
  });

  it('a stricter typed OEL is kept (the lower of the two applies) and still reported', () => {
    const { errors, defects } = toxic('Cl2', 'mg/m3', { h: 1, hh: 2 }, { basis: 'OEL', oel: 0.5 });
    expect(rules(errors)).toEqual(['GAS_TOXIC_L1_MAX', 'GAS_TOXIC_L2_MAX']);
    expect(rules(defects)).toEqual(['GAS_OEL_OVERRIDDEN']);
  });

  it('a known gas in a unit that cannot be compared with mg/m³ is a unit error', () => {
    expect(rules(toxic('H2S', '%VOL', { h: 1, hh: 2 }).errors)).toEqual(['GAS_UNIT']);
  });

  it('IDLH basis stays as typed (no IDLH table); an unknown gas still needs its basis', () => {
    expect(toxic('H2S', 'mg/m3', { h: 21.5, hh: 43 }, { basis: 'IDLH', idlh: 430 })).toEqual({
      errors: [],
      defects: [],
    });
    expect(rules(toxic('某有毒气体', 'mg/m3', { h: 1, hh: 2 }).errors)).toEqual(['GAS_TOXIC_BASIS_MISSING']);
    expect(toxic('某有毒气体', 'mg/m3', { h: 1, hh: 2 }, { basis: 'OEL', oel: 1 })).toEqual({
      errors: [],
      defects: [],
    });
  });
});

describe('GB/T 50493-2019 §5.5.2 oxygen: deficiency 19.5 %VOL, enrichment 23.5 %VOL', () => {
  it('the standard values, or stricter ones short of normal air (20.9 %VOL), pass', () => {
    expect(oxygen({ l: 19.5, h: 23.5 })).toEqual({ errors: [], defects: [] });
    expect(oxygen({ l: 20, h: 22 })).toEqual({ errors: [], defects: [] });
    expect(check({ kind: 'oxygen', unit: '%VOL', range: { min: 0, max: 25 } })).toEqual({
      errors: [],
      defects: [],
    });
  });

  it.each([
    [{ l: 18, h: 23.5 }, 'GAS_OXYGEN_DEFICIENCY_LIMIT', '/points/0/limits/l'],
    [{ l: 21, h: 23.5 }, 'GAS_OXYGEN_DEFICIENCY_LIMIT', '/points/0/limits/l'],
    [{ l: 19.5, h: 25 }, 'GAS_OXYGEN_ENRICHMENT_LIMIT', '/points/0/limits/h'],
    [{ l: 19.5, h: 20.5 }, 'GAS_OXYGEN_ENRICHMENT_LIMIT', '/points/0/limits/h'],
  ] as const)('%o ⇒ %s at %s', (limits, rule, path) => {
    const { errors } = oxygen(limits);
    expect(rules(errors)).toEqual([rule]);
    expect(errors[0]?.path).toBe(path);
  });
});
