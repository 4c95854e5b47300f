import { describe, expect, it } from 'vitest';
import { GAS_DETECTOR_KINDS as CONTRACT_GAS_KINDS, POINT_KINDS } from '@hazardwatch/contracts';
import {
  changeKinds,
  classifyMonitoringChange,
  DEFAULT_COLOUR_RULES,
  GAS_DETECTOR_KINDS,
  isGasDetector,
  validateSite,
  type EntityChange,
  type NormalisedSite,
} from '../src/index.js';
import { GAS_LEVEL_KINDS } from '../src/gas-rules.js';
import { baseSite, point0, type MutableSite } from './site-fixture.js';

/** The fixture site with a gas detector added, normalised after `mutate`. */
function normalised(mutate: (s: MutableSite) => void = () => undefined): NormalisedSite {
  const s = baseSite();
  s.points.push({
    tag: 'AT1',
    enterprise: 'E1',
    hazard: 'TF1',
    gateway: 'GW1',
    kind: 'toxic_gas',
    unit: 'mg/m3',
    range: { min: 0, max: 10 },
    limits: { h: 1, hh: 2 },
    gas: { substance: '氯气', basis: 'OEL', oel: 1 },
  });
  s.enterprises[0]!['risk'] = { score: 80 };
  mutate(s);
  const r = validateSite(s, { now: 0 });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.site;
}

const P1 = (s: MutableSite) => point0(s);
const AT1 = (s: MutableSite) => s.points.find((p) => p['tag'] === 'AT1')!;

function pointChange(mutate: (s: MutableSite) => void, tag = 'P1'): EntityChange {
  const before = normalised().points.find((p) => p.tag === tag)!;
  const after = normalised(mutate).points.find((p) => p.tag === tag);
  return { entity: 'point', before, ...(after ? { after } : {}) };
}

const lines = (change: EntityChange) =>
  classifyMonitoringChange(change).map((l) => [l.kind, l.field, l.before, l.after]);

describe('classifyMonitoringChange: points', () => {
  const cases: Array<[string, (s: MutableSite) => void, string, unknown[][]]> = [
    [
      'disabling a temperature point',
      (s) => (P1(s)['enabled'] = false),
      'P1',
      [['monitoring.point.disable', 'enabled', true, false]],
    ],
    [
      'disabling the chlorine detector',
      (s) => (AT1(s)['enabled'] = false),
      'AT1',
      [['monitoring.gas-detector.disable', 'enabled', true, false]],
    ],
    [
      'raising HH',
      (s) => ((P1(s)['limits'] as Record<string, number>)['hh'] = 99),
      'P1',
      [['monitoring.limit.weaken', 'limits.hh', 80, 99]],
    ],
    [
      'removing H',
      (s) => delete (P1(s)['limits'] as Record<string, number>)['h'],
      'P1',
      [['monitoring.limit.weaken', 'limits.h', 60, null]],
    ],
    [
      'lowering L and LL',
      (s) => (P1(s)['limits'] = { ll: -15, l: -5, h: 60, hh: 80 }),
      'P1',
      [
        ['monitoring.limit.weaken', 'limits.ll', -10, -15],
        ['monitoring.limit.weaken', 'limits.l', 0, -5],
      ],
    ],
    [
      'widening the deadband',
      (s) => (P1(s)['deadband'] = 2),
      'P1',
      [
        ['monitoring.deadband.widen', 'deadband.ll', 0, 2],
        ['monitoring.deadband.widen', 'deadband.l', 0, 2],
        ['monitoring.deadband.widen', 'deadband.h', 0, 2],
        ['monitoring.deadband.widen', 'deadband.hh', 0, 2],
      ],
    ],
    [
      'lengthening the on-delay and staleness',
      (s) => Object.assign(P1(s), { onDelaySec: 60, staleAfterSec: 3600 }),
      'P1',
      [
        ['monitoring.delay.lengthen', 'onDelayMs', 0, 60_000],
        ['monitoring.delay.lengthen', 'staleAfterMs', 300_000, 3_600_000],
      ],
    ],
    [
      'raising the OEL of a gas detector',
      (s) => (AT1(s)['gas'] = { substance: '氯气', basis: 'OEL', oel: 2 }),
      'AT1',
      [['monitoring.limit.weaken', 'gas.oel', 1, 2]],
    ],
    [
      'changing the gas of a detector',
      (s) => (AT1(s)['gas'] = { substance: '氨', basis: 'OEL', oel: 1 }),
      'AT1',
      [['monitoring.limit.weaken', 'gas.substance', '氯气', '氨']],
    ],
    // Strengthening or neutral: no line.
    ['lowering HH', (s) => ((P1(s)['limits'] as Record<string, number>)['hh'] = 70), 'P1', []],
    ['raising L', (s) => ((P1(s)['limits'] as Record<string, number>)['l'] = 5), 'P1', []],
    ['shortening the staleness timeout', (s) => (P1(s)['staleAfterSec'] = 60), 'P1', []],
    ['renaming', (s) => (P1(s)['name'] = '新名称'), 'P1', []],
    ['adding a limit', (s) => (AT1(s)['limits'] = { l: 0, h: 1, hh: 2 }), 'AT1', []],
  ];
  it.each(cases)('%s', (_name, mutate, tag, expected) => {
    expect(lines(pointChange(mutate, tag))).toEqual(expected);
  });

  it('re-enabling a point is no weakening', () => {
    const before = normalised((s) => (P1(s)['enabled'] = false)).points[0]!;
    const after = normalised().points[0]!;
    expect(classifyMonitoringChange({ entity: 'point', before, after })).toEqual([]);
  });

  it('a removed rate-of-change alarm, or a steeper slope, weakens the limit', () => {
    const roc = (slope: number) => (s: MutableSite) =>
      (P1(s)['rateOfChange'] = [{ direction: 'rising', slopePerMin: slope, windowSec: 60 }]);
    const base = normalised(roc(2)).points[0]!;
    expect(
      classifyMonitoringChange({ entity: 'point', before: base, after: normalised().points[0]! }).map(
        (l) => l.field,
      ),
    ).toEqual(['rateOfChange.rising']);
    expect(
      classifyMonitoringChange({ entity: 'point', before: base, after: normalised(roc(5)).points[0]! }),
    ).toEqual([{ kind: 'monitoring.limit.weaken', field: 'rateOfChange.rising', before: 2, after: 5 }]);
    expect(
      classifyMonitoringChange({ entity: 'point', before: base, after: normalised(roc(1)).points[0]! }),
    ).toEqual([]);
  });

  it('deleting a point is a delete; deleting a gas detector is also its 停用', () => {
    expect(changeKinds(classifyMonitoringChange(pointChange((s) => s.points.splice(0, 1))))).toEqual([
      'monitoring.point.delete',
    ]);
    const gas = pointChange((s) => s.points.splice(1, 1), 'AT1');
    expect(changeKinds(classifyMonitoringChange(gas))).toEqual([
      'monitoring.point.delete',
      'monitoring.gas-detector.disable',
    ]);
  });

  it('a created point weakens nothing', () => {
    const after = normalised().points[0]!;
    expect(classifyMonitoringChange({ entity: 'point', after })).toEqual([]);
  });
});

describe('classifyMonitoringChange: hazards, enterprises, gateways', () => {
  it('lowering the declared level (4 is the least serious) needs its kind; raising it does not', () => {
    const at = (level: number, tonnes = 10) =>
      normalised((s) => {
        s.hazards[0]!['declaredLevel'] = level;
        s.hazards[0]!['inventory'] = [{ substance: 'Cl2', designMaxTonnes: tonnes }];
      }).hazards[0]!;
    expect(lines({ entity: 'hazard', before: at(3), after: at(4) })).toEqual([
      ['monitoring.hazard.level.lower', 'declaredLevel', 3, 4],
    ]);
    expect(lines({ entity: 'hazard', before: at(4), after: at(1) })).toEqual([]);
    // Cl₂ 100 t: R = 1·4·20 = 80 ⇒ 二级; 10 t ⇒ 四级: the computed level fell too.
    expect(lines({ entity: 'hazard', before: at(2, 100), after: at(2, 10) })).toEqual([
      ['monitoring.hazard.level.lower', 'assessment.level', 2, 4],
    ]);
  });

  it('deleting a hazard', () => {
    const before = normalised().hazards[0]!;
    expect(lines({ entity: 'hazard', before })).toEqual([
      ['monitoring.hazard.delete', 'hazard', 'TF1', null],
    ]);
  });

  it("an enterprise's region and risk grade; its name is free", () => {
    const ent = (mutate: (e: Record<string, unknown>) => void) =>
      normalised((s) => mutate(s.enterprises[0]!)).enterprises[0]!;
    const before = ent(() => undefined);
    expect(lines({ entity: 'enterprise', before, after: ent((e) => (e['region'] = '320623')) })).toEqual([
      ['site.enterprise.identity', 'region', 'PARK1', '320623'],
    ]);
    const regraded = classifyMonitoringChange({
      entity: 'enterprise',
      before,
      after: ent((e) => (e['risk'] = { score: 95 })),
    });
    expect(regraded.map((l) => [l.kind, l.field])).toEqual([['site.enterprise.risk', 'risk']]);
    expect(
      classifyMonitoringChange({ entity: 'enterprise', before, after: { ...before, code: 'E9' } }),
    ).toEqual([{ kind: 'site.enterprise.identity', field: 'code', before: 'E1', after: 'E9' }]);
    expect(lines({ entity: 'enterprise', before, after: ent((e) => (e['name'] = '改名')) })).toEqual([]);
  });

  it("a gateway's offline timeout lengthened", () => {
    const gw = (sec?: number) =>
      normalised((s) => (sec === undefined ? undefined : (s.gateways[0]!['offlineAfterSec'] = sec)))
        .gateways[0]!;
    expect(lines({ entity: 'gateway', before: gw(), after: gw(3600) })).toEqual([
      ['monitoring.delay.lengthen', 'offlineAfterMs', 300_000, 3_600_000],
    ]);
    expect(lines({ entity: 'gateway', before: gw(3600), after: gw(60) })).toEqual([]);
  });
});

describe('gas detector kinds: one list, from the contracts (issue #19 review)', () => {
  it('the 停用 rule, the gas alarm levels and the colour rules use the contracts list', () => {
    expect(GAS_DETECTOR_KINDS).toBe(CONTRACT_GAS_KINDS);
    for (const kind of POINT_KINDS) {
      const gas = CONTRACT_GAS_KINDS.includes(kind as (typeof CONTRACT_GAS_KINDS)[number]);
      expect([kind, isGasDetector(kind)]).toEqual([kind, gas]);
      expect([kind, GAS_LEVEL_KINDS.has(kind)]).toEqual([kind, gas]);
    }
    const gasRules = DEFAULT_COLOUR_RULES.filter((r) => r.id.startsWith('gas-'));
    expect(gasRules.length).toBeGreaterThan(0);
    for (const rule of gasRules) expect(rule.pointKinds).toEqual([...CONTRACT_GAS_KINDS]);
  });
});
