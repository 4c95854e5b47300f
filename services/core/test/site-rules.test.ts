import { describe, expect, it } from 'vitest';
import { SITE_RULES, validateSite, type SiteIssue, type SiteRule } from '@hazardwatch/core';
import { E1, baseSite, gasPoint, point0, type MutableSite } from './site-fixture.js';

interface RuleCase {
  rule: SiteRule;
  name: string;
  /** Substrings the message must contain (for point rules: enterprise and tag). */
  names: string[];
  pass: (s: MutableSite) => void;
  fail: (s: MutableSite) => void;
}

const nothing = (): void => undefined;
const combustible = (limits: Record<string, number>) => (s: MutableSite) =>
  gasPoint(s, { kind: 'combustible_gas', unit: '%LEL', limits });
const toxic = (limits: Record<string, number>, gas?: Record<string, unknown>) => (s: MutableSite) =>
  gasPoint(s, {
    kind: 'toxic_gas',
    unit: 'mg/m3',
    range: { min: 0, max: 50 },
    limits,
    ...(gas ? { gas } : {}),
  });
const oxygen = (limits: Record<string, number>) => (s: MutableSite) =>
  gasPoint(s, { kind: 'oxygen', unit: '%VOL', range: { min: 0, max: 25 }, limits });
const tankLevel = (extra: Record<string, unknown>) => (s: MutableSite) => {
  s.points[0] = {
    tag: 'LT1',
    enterprise: E1,
    hazard: 'TF1',
    gateway: 'GW1',
    kind: 'level',
    unit: '%',
    range: { min: 0, max: 100 },
    limits: { l: 10, h: 80, hh: 90 },
    ...extra,
  };
};
const secondEnterprise = (s: MutableSite): void => {
  s.enterprises.push({ code: 'E2', name: '另一企业', region: 'PARK1', location: { lon: 121, lat: 32 } });
  s.gateways.push({ code: 'GW2', enterprise: 'E2', name: '网关2' });
};

const cases: RuleCase[] = [
  // Identity and references.
  {
    rule: 'DUPLICATE_CODE',
    name: 'gateway codes unique per enterprise',
    names: ['E1/GW1'],
    pass: (s) => {
      secondEnterprise(s);
      s.gateways.push({ code: 'GW1', enterprise: 'E2', name: '同名网关，不同企业' });
    },
    fail: (s) => s.gateways.push({ code: 'GW1', enterprise: E1, name: '重复' }),
  },
  {
    rule: 'DUPLICATE_TAG',
    name: 'tags unique per enterprise',
    names: [E1, 'P1'],
    pass: (s) => {
      secondEnterprise(s);
      s.points.push({ ...point0(s), enterprise: 'E2', gateway: 'GW2', hazard: undefined });
    },
    fail: (s) => s.points.push({ ...point0(s) }),
  },
  {
    rule: 'REGION_PARENT_UNKNOWN',
    name: 'region parent exists',
    names: ['320600', '999999'],
    pass: nothing,
    fail: (s) => (s.regions[1]!['parent'] = '999999'),
  },
  {
    rule: 'REGION_KIND_NESTING',
    name: 'a town sits under a county',
    names: ['T1', 'town'],
    pass: (s) => s.regions.push({ code: 'T1', name: '掘港街道', kind: 'town', parent: '320623' }),
    fail: (s) => s.regions.push({ code: 'T1', name: '掘港街道', kind: 'town', parent: '320600' }),
  },
  {
    rule: 'REGION_CYCLE',
    name: 'no cycles in the region tree',
    names: ['320000'],
    pass: nothing,
    fail: (s) => (s.regions[0]!['parent'] = '320623'),
  },
  {
    rule: 'ENTERPRISE_REGION_UNKNOWN',
    name: 'enterprise region exists',
    names: [E1, 'NOPE'],
    pass: nothing,
    fail: (s) => (s.enterprises[0]!['region'] = 'NOPE'),
  },
  {
    rule: 'HAZARD_ENTERPRISE_UNKNOWN',
    name: 'hazard enterprise exists',
    names: ['E9/TF1'],
    pass: nothing,
    fail: (s) => {
      s.hazards[0]!['enterprise'] = 'E9';
      delete point0(s)['hazard'];
    },
  },
  {
    rule: 'HAZARD_INVENTORY_UNRESOLVED',
    name: 'inventory resolves in GB 18218 tables',
    names: ['E1/TF1', 'unobtainium', 'HW_CORE_GB18218_UNKNOWN_SUBSTANCE'],
    pass: (s) =>
      (s.hazards[0]!['inventory'] = [{ substance: 'unobtainium', category: 'J1', designMaxTonnes: 10 }]),
    fail: (s) => (s.hazards[0]!['inventory'] = [{ substance: 'unobtainium', designMaxTonnes: 10 }]),
  },
  {
    rule: 'GATEWAY_ENTERPRISE_UNKNOWN',
    name: 'gateway enterprise exists',
    names: ['E9/GWX'],
    pass: nothing,
    fail: (s) => s.gateways.push({ code: 'GWX', enterprise: 'E9', name: 'x' }),
  },
  {
    rule: 'POINT_ENTERPRISE_UNKNOWN',
    name: 'point enterprise exists',
    names: ['E9/P1'],
    pass: nothing,
    fail: (s) => (point0(s)['enterprise'] = 'E9'),
  },
  {
    rule: 'POINT_HAZARD_UNKNOWN',
    name: 'point hazard exists in the same enterprise',
    names: [E1, 'P1', 'TF9'],
    pass: (s) => delete point0(s)['hazard'],
    fail: (s) => (point0(s)['hazard'] = 'TF9'),
  },
  {
    rule: 'POINT_GATEWAY_UNKNOWN',
    name: "point gateway belongs to the point's enterprise",
    names: [E1, 'P1', 'GW2'],
    pass: secondEnterprise,
    fail: (s) => {
      secondEnterprise(s);
      point0(s)['gateway'] = 'GW2';
    },
  },
  {
    rule: 'POINT_INDEPENDENT_OF_UNKNOWN',
    name: 'independentOf names another point of the enterprise',
    names: [E1, 'P1'],
    pass: nothing,
    fail: (s) => (point0(s)['independentOf'] = 'P1'),
  },
  // Ranges and limits.
  {
    rule: 'RANGE_ORDER',
    name: 'range min < max',
    names: [E1, 'P1'],
    pass: nothing,
    fail: (s) => (point0(s)['range'] = { min: 100, max: 100 }),
  },
  {
    rule: 'LIMIT_ORDER',
    name: 'LL < L < H < HH for whichever are set',
    names: [E1, 'P1', 'L 70', 'H 60'],
    pass: (s) => (point0(s)['limits'] = { ll: -10, hh: 80 }),
    fail: (s) => (point0(s)['limits'] = { l: 70, h: 60 }),
  },
  {
    rule: 'LIMIT_OUTSIDE_RANGE',
    name: 'every limit inside range',
    names: [E1, 'P1', 'HH 120'],
    pass: (s) => (point0(s)['limits'] = { hh: 100 }),
    fail: (s) => (point0(s)['limits'] = { hh: 120 }),
  },
  // GB/T 50493-2019 §5.5.2 gas rules.
  {
    rule: 'GAS_UNIT',
    name: 'combustible gas in %LEL',
    names: [E1, 'AT1', 'ppm'],
    pass: combustible({ h: 20, hh: 40 }),
    fail: (s) => gasPoint(s, { kind: 'combustible_gas', unit: 'ppm', limits: { h: 20, hh: 40 } }),
  },
  {
    rule: 'GAS_COMBUSTIBLE_L1_MAX',
    name: 'combustible level-1 ≤ 25 %LEL',
    names: [E1, 'AT1', '26 %LEL'],
    pass: combustible({ h: 25, hh: 50 }),
    fail: combustible({ h: 26, hh: 50 }),
  },
  {
    rule: 'GAS_COMBUSTIBLE_L2_MAX',
    name: 'combustible level-2 ≤ 50 %LEL',
    names: [E1, 'AT1', '51 %LEL'],
    pass: combustible({ h: 25, hh: 50 }),
    fail: combustible({ h: 25, hh: 51 }),
  },
  {
    rule: 'GAS_L1_NOT_BELOW_L2',
    name: 'gas level-1 < level-2',
    names: [E1, 'AT1'],
    pass: combustible({ h: 20, hh: 25 }),
    fail: combustible({ h: 25, hh: 25 }),
  },
  {
    rule: 'GAS_TOXIC_BASIS_MISSING',
    name: 'toxic gas names its OEL/IDLH basis',
    names: [E1, 'AT1'],
    pass: toxic({ h: 1, hh: 2 }, { basis: 'OEL', oel: 1 }),
    fail: toxic({ h: 1, hh: 2 }),
  },
  {
    rule: 'GAS_TOXIC_L1_MAX',
    name: 'toxic level-1 ≤ 100 %OEL',
    names: [E1, 'AT1', '100 %OEL'],
    pass: toxic({ h: 1, hh: 2 }, { basis: 'OEL', oel: 1 }),
    fail: toxic({ h: 1.01, hh: 2 }, { basis: 'OEL', oel: 1 }),
  },
  {
    rule: 'GAS_TOXIC_L1_MAX',
    name: 'toxic level-1 ≤ 5 %IDLH on IDLH basis',
    names: [E1, 'AT1', '5 %IDLH'],
    pass: toxic({ h: 1.5, hh: 3 }, { basis: 'IDLH', idlh: 30 }),
    fail: toxic({ h: 1.6, hh: 3 }, { basis: 'IDLH', idlh: 30 }),
  },
  {
    rule: 'GAS_TOXIC_L2_MAX',
    name: 'toxic level-2 ≤ 200 %OEL',
    names: [E1, 'AT1', '200 %OEL'],
    pass: toxic({ h: 1, hh: 2 }, { basis: 'OEL', oel: 1 }),
    fail: toxic({ h: 1, hh: 2.01 }, { basis: 'OEL', oel: 1 }),
  },
  {
    rule: 'GAS_TOXIC_L2_MAX',
    name: 'toxic level-2 ≤ 10 %IDLH on IDLH basis',
    names: [E1, 'AT1', '10 %IDLH'],
    pass: toxic({ h: 1.5, hh: 3 }, { basis: 'IDLH', idlh: 30 }),
    fail: toxic({ h: 1.5, hh: 3.1 }, { basis: 'IDLH', idlh: 30 }),
  },
  {
    rule: 'GAS_TOXIC_L1_MAX',
    name: 'a known gas is judged against its GBZ 2.1 OEL, not a typed one',
    names: [E1, 'AT1', '100 %OEL', 'GBZ 2.1-2019'],
    pass: toxic({ h: 1, hh: 2 }, { substance: '氯气', basis: 'OEL', oel: 1 }),
    fail: toxic({ h: 50, hh: 100 }, { substance: '氯气', basis: 'OEL', oel: 50 }),
  },
  {
    rule: 'GAS_OXYGEN_DEFICIENCY_LIMIT',
    name: 'oxygen-deficiency alarm at 19.5 %VOL or stricter',
    names: [E1, 'AT1', '19.5 %VOL'],
    pass: oxygen({ l: 19.5, h: 23.5 }),
    fail: oxygen({ l: 18, h: 23.5 }),
  },
  {
    rule: 'GAS_OXYGEN_ENRICHMENT_LIMIT',
    name: 'over-oxygen alarm at 23.5 %VOL or stricter',
    names: [E1, 'AT1', '23.5 %VOL'],
    pass: oxygen({ l: 19.5, h: 23.5 }),
    fail: oxygen({ l: 19.5, h: 25 }),
  },
  // Defects: the site is accepted, the finding is reported.
  {
    rule: 'POINT_NO_LIMITS',
    name: 'a point without limits is a data-quality defect',
    names: [E1, 'P1'],
    pass: nothing,
    fail: (s) => delete point0(s)['limits'],
  },
  {
    rule: 'GAS_LEVEL_MISSING',
    name: 'gas channels set both alarm levels',
    names: [E1, 'AT1', 'level-2'],
    pass: combustible({ h: 20, hh: 40 }),
    fail: combustible({ h: 20 }),
  },
  {
    rule: 'HH_NOT_INDEPENDENT',
    name: 'tank level HH backed by an independent sensor (independentOf)',
    names: [E1, 'LT1'],
    pass: (s) => {
      tankLevel({})(s);
      s.points.push({ ...s.points[0], tag: 'LSHH1', limits: { hh: 90 }, independentOf: 'LT1' });
    },
    fail: tankLevel({}),
  },
  {
    rule: 'HH_NOT_INDEPENDENT',
    name: 'tank level HH backed by an independent sensor (flag)',
    names: [E1, 'LT1'],
    pass: tankLevel({ hhIndependent: true }),
    fail: tankLevel({ hhIndependent: false }),
  },
  {
    rule: 'HAZARD_LEVEL_MISMATCH',
    name: 'declared level matches GB 18218 R',
    names: ['E1/TF1', '三级', '四级'],
    pass: nothing,
    fail: (s) => (s.hazards[0]!['declaredLevel'] = 3),
  },
  {
    rule: 'HAZARD_BELOW_THRESHOLD',
    name: 'declared major hazard has S ≥ 1',
    names: ['E1/TF1', 'S = 0.4'],
    pass: nothing,
    fail: (s) => (s.hazards[0]!['inventory'] = [{ substance: '氯', designMaxTonnes: 2 }]),
  },
  {
    rule: 'HAZARD_NAME_CAS_CONFLICT',
    name: "an inventory line's name and CAS name one substance",
    names: ['E1/TF1', '液氯', '7664-41-7'],
    pass: (s) =>
      (s.hazards[0]!['inventory'] = [{ substance: '液氯', cas: '7782-50-5', designMaxTonnes: 10 }]),
    fail: (s) =>
      (s.hazards[0]!['inventory'] = [{ substance: '液氯', cas: '7664-41-7', designMaxTonnes: 10 }]),
  },
  {
    rule: 'HAZARD_CAS_CHECK_DIGIT',
    name: "an inventory line's CAS has its right check digit",
    names: ['E1/TF1', '108-88-4', 'check digit'],
    pass: (s) =>
      (s.hazards[0]!['inventory'] = [
        { substance: '液氯', designMaxTonnes: 10 },
        { substance: '某溶剂', cas: '108-88-3', category: 'W5.3', designMaxTonnes: 10 },
      ]),
    // Toluene's CAS mistyped on a line its category alone would resolve: accepted before.
    fail: (s) =>
      (s.hazards[0]!['inventory'] = [
        { substance: '液氯', designMaxTonnes: 10 },
        { substance: '某溶剂', cas: '108-88-4', category: 'W5.3', designMaxTonnes: 10 },
      ]),
  },
  {
    rule: 'HAZARD_SUBSTANCE_AMBIGUOUS',
    name: 'a Table 1 variant is named when several share the CAS',
    names: ['E1/TF1', '9004-70-0', 'No. 37'],
    pass: (s) =>
      (s.hazards[0]!['inventory'] = [
        { substance: '硝化纤维素（含乙醇≥25%）', cas: '9004-70-0', category: 'W1.2', designMaxTonnes: 20 },
      ]),
    fail: (s) => (s.hazards[0]!['inventory'] = [{ cas: '9004-70-0', category: 'W1.2', designMaxTonnes: 20 }]),
  },
  {
    rule: 'HAZARD_SUBSTANCE_ENTERED_TWICE',
    name: 'a toxic and flammable substance is entered once',
    names: ['E1/TF1', '2-丙烯腈', 'β = 2'],
    pass: (s) =>
      (s.hazards[0]!['inventory'] = [
        { substance: 'Cl2', designMaxTonnes: 10 },
        { substance: '丙烯腈', category: 'J4', designMaxTonnes: 20 },
      ]),
    fail: (s) =>
      (s.hazards[0]!['inventory'] = [
        { substance: 'Cl2', designMaxTonnes: 10 },
        { substance: '丙烯腈', category: 'J4', designMaxTonnes: 20 },
        { substance: '丙烯腈', category: 'W5.1', designMaxTonnes: 20 },
      ]),
  },
  {
    rule: 'GAS_OEL_OVERRIDDEN',
    name: 'a typed OEL that differs from GBZ 2.1 is reported',
    names: [E1, 'AT1', '50 mg/m3', '1 mg/m3'],
    pass: toxic({ h: 1, hh: 2 }, { substance: '氯气', basis: 'OEL', oel: 1 }),
    fail: toxic({ h: 1, hh: 2 }, { substance: '氯气', basis: 'OEL', oel: 50 }),
  },
  {
    rule: 'HAZARD_QUANTITY_IMPLAUSIBLE',
    name: 'a kg figure in the tonne field is reported',
    names: ['E1/TF1', '氯', '20000·Q'],
    pass: (s) => {
      s.hazards[0]!['inventory'] = [{ substance: 'Cl2', designMaxTonnes: 40_000 }];
      s.hazards[0]!['declaredLevel'] = 1;
    },
    fail: (s) => {
      s.hazards[0]!['inventory'] = [{ substance: 'Cl2', designMaxTonnes: 100_000 }];
      s.hazards[0]!['declaredLevel'] = 1;
    },
  },
];

const findingsOf = (r: ReturnType<typeof validateSite>): SiteIssue[] => [
  ...(r.ok ? [] : r.errors),
  ...r.defects,
];

describe('site rules (table-driven: one passing and one failing case each)', () => {
  it('the base fixture is clean', () => {
    const r = validateSite(baseSite());
    expect(findingsOf(r)).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it.each(cases)('$rule — $name', ({ rule, names, pass, fail }) => {
    const good = baseSite();
    pass(good);
    const passed = validateSite(good);
    expect(findingsOf(passed).filter((i) => i.rule === rule)).toEqual([]);

    const bad = baseSite();
    fail(bad);
    const failed = validateSite(bad);
    const hits = findingsOf(failed).filter((i) => i.rule === rule);
    expect(hits.length).toBeGreaterThan(0);
    const hit = hits[0]!;
    expect(hit.message).toContain(`[${rule};`);
    for (const n of names) expect(hit.message).toContain(n);
    if (SITE_RULES[rule].severity === 'error') {
      expect(failed.ok).toBe(false);
    } else {
      expect(failed.ok).toBe(true);
      expect(failed.defects).toContainEqual(hit);
    }
  });

  it('every error and defect rule except parsing/structure has a case', () => {
    const covered = new Set(cases.map((c) => c.rule));
    const structural = ['SCHEMA_UNKNOWN_KEY', 'SCHEMA_MISSING_KEY', 'SCHEMA_INVALID_VALUE', 'PARSE_ERROR'];
    const missing = Object.keys(SITE_RULES).filter(
      (r) => !covered.has(r as SiteRule) && !structural.includes(r),
    );
    expect(missing).toEqual([]);
  });

  it('point findings carry enterprise and tag as fields too', () => {
    const s = baseSite();
    point0(s)['limits'] = { h: 200 };
    const r = validateSite(s);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]).toMatchObject({
      rule: 'LIMIT_OUTSIDE_RANGE',
      enterprise: E1,
      tag: 'P1',
      path: '/points/0/limits/h',
    });
  });

  it('collects every error, not just the first', () => {
    const s = baseSite();
    s.enterprises[0]!['region'] = 'NOPE';
    point0(s)['limits'] = { l: 70, h: 60, hh: 500 };
    s.gateways.push({ code: 'GW1', enterprise: E1, name: 'dup' });
    const r = validateSite(s);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.rule).sort()).toEqual(
      ['DUPLICATE_CODE', 'ENTERPRISE_REGION_UNKNOWN', 'LIMIT_ORDER', 'LIMIT_OUTSIDE_RANGE'].sort(),
    );
  });

  it('a limit filled from a standard default is checked against the range too', () => {
    const s = baseSite();
    gasPoint(s, { kind: 'oxygen', unit: '%VOL', range: { min: 0, max: 21 } });
    const r = validateSite(s);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.rule)).toEqual(['LIMIT_OUTSIDE_RANGE']);
    expect(r.errors[0]!.message).toContain('H (default) 23.5');
  });

  it('oxygen and open-path channels must use their units', () => {
    const s = baseSite();
    gasPoint(s, { kind: 'oxygen', unit: 'ppm' });
    s.points.push({ ...s.points[0], tag: 'AT2', kind: 'open_path_gas', unit: '%LEL' });
    const r = validateSite(s);
    expect(r.ok ? [] : r.errors.map((e) => [e.rule, e.tag])).toEqual([
      ['GAS_UNIT', 'AT1'],
      ['GAS_UNIT', 'AT2'],
    ]);
  });

  it('a disabled point without limits is not a defect', () => {
    const s = baseSite();
    delete point0(s)['limits'];
    point0(s)['enabled'] = false;
    const r = validateSite(s);
    expect(r.ok && r.defects).toEqual([]);
  });
});
