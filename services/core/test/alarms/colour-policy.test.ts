/**
 * The default 预警 colour policy, one row per rule (REFERENCE §5; GB/T 50493-2019 §5.5.2, §5.1.2).
 */
import { describe, expect, it } from 'vitest';
import type { AlarmCondition, WarningColour } from '@hazardwatch/contracts';
import {
  DEFAULT_COLOUR_POLICY,
  alarmColour,
  alarmContext,
  compileColourPolicy,
  effectiveHazardLevel,
  hazardColour,
  isFireControlRoomRelevant,
  matchColourRule,
  type AlarmColourContext,
  type ColourPolicy,
  type HazardLevel,
  type HazardPointAlarms,
  type PointKind,
} from '@hazardwatch/core';
import { rollupSite } from './alarm-fixture.js';

const ctx = (
  condition: AlarmCondition,
  pointKind: PointKind | null,
  hazardLevel: HazardLevel | null,
): AlarmColourContext => ({
  condition,
  pointKind,
  hazardLevel,
});

function policy(input: unknown): ColourPolicy {
  const r = compileColourPolicy(input);
  if (!r.ok) throw r.error;
  return r.value;
}

describe('alarmColour: default policy', () => {
  const rows: [AlarmCondition, PointKind | null, HazardLevel | null, WarningColour, string | null][] = [
    // 蓝 data quality, whatever the point or hazard
    ['STALE', 'toxic_gas', 1, 'blue', 'data-quality'],
    ['GATEWAY_OFFLINE', null, null, 'blue', 'data-quality'],
    ['SENSOR_BAD', 'combustible_gas', 1, 'blue', 'data-quality'],
    ['OUT_OF_RANGE', 'level', 2, 'blue', 'data-quality'],
    ['NO_LIMITS', 'pressure', null, 'blue', 'data-quality'],
    // 红 gas level-2 anywhere
    ['HH', 'combustible_gas', 4, 'red', 'gas-level-2'],
    ['HH', 'toxic_gas', null, 'red', 'gas-level-2'],
    ['HH', 'open_path_gas', 3, 'red', 'gas-level-2'],
    // 红 HH/LL on 一级/二级
    ['HH', 'level', 1, 'red', 'hh-ll-major-hazard'],
    ['LL', 'pressure', 2, 'red', 'hh-ll-major-hazard'],
    // 橙 HH/LL on 三级/四级 or no hazard
    ['HH', 'temperature', 3, 'orange', 'hh-ll'],
    ['LL', 'level', 4, 'orange', 'hh-ll'],
    ['HH', 'flow', null, 'orange', 'hh-ll'],
    // 橙 gas level-1 on 一级/二级
    ['H', 'combustible_gas', 1, 'orange', 'gas-level-1-major-hazard'],
    ['H', 'toxic_gas', 2, 'orange', 'gas-level-1-major-hazard'],
    ['H', 'open_path_gas', 2, 'orange', 'gas-level-1-major-hazard'],
    // O₂ (our choice): orange on 一级/二级, yellow elsewhere; LL/HH as any HH/LL
    ['L', 'oxygen', 1, 'orange', 'oxygen-major-hazard'],
    ['H', 'oxygen', 2, 'orange', 'oxygen-major-hazard'],
    ['L', 'oxygen', 3, 'yellow', 'oxygen'],
    ['H', 'oxygen', null, 'yellow', 'oxygen'],
    ['LL', 'oxygen', 1, 'red', 'hh-ll-major-hazard'],
    // 黄 gas level-1 elsewhere, H/L, rate of change
    ['H', 'combustible_gas', 3, 'yellow', 'gas-level-1'],
    ['H', 'toxic_gas', null, 'yellow', 'gas-level-1'],
    ['H', 'temperature', 1, 'yellow', 'h-l'],
    ['L', 'level', 2, 'yellow', 'h-l'],
    ['ROC_RISE', 'pressure', 1, 'yellow', 'rate-of-change'],
    ['ROC_FALL', 'level', null, 'yellow', 'rate-of-change'],
  ];
  it.each(rows)('%s on %s, hazard level %s ⇒ %s (%s)', (condition, kind, level, colour, rule) => {
    expect(alarmColour(DEFAULT_COLOUR_POLICY, ctx(condition, kind, level))).toBe(colour);
    expect(matchColourRule(DEFAULT_COLOUR_POLICY, ctx(condition, kind, level))?.id ?? null).toBe(rule);
  });

  it('every default rule is reached by some row (no dead rules)', () => {
    const reached = new Set(rows.map((r) => r[4]));
    for (const rule of DEFAULT_COLOUR_POLICY.rules) expect(reached).toContain(rule.id);
  });
});

describe('colour policy as data', () => {
  it('is serialisable and round-trips through JSON', () => {
    const json = JSON.parse(JSON.stringify(DEFAULT_COLOUR_POLICY)) as unknown;
    expect(policy(json)).toEqual(DEFAULT_COLOUR_POLICY);
  });

  it('a deployment replaces the table; first match wins; fallback when none matches', () => {
    const p = policy({
      rules: [
        { id: 'all-gas-level-1-orange', colour: 'orange', conditions: ['H'], pointKinds: ['toxic_gas'] },
        { id: 'hh', colour: 'red', conditions: ['HH'] },
      ],
      fallback: 'blue',
    });
    expect(alarmColour(p, ctx('H', 'toxic_gas', 4))).toBe('orange');
    expect(alarmColour(p, ctx('HH', 'temperature', 4))).toBe('red');
    expect(alarmColour(p, ctx('L', 'temperature', 1))).toBe('blue');
    expect(p.multiDetector.minDetectors).toBe(2);
  });

  it('rejects unknown keys, colours and conditions with the path', () => {
    const bad = compileColourPolicy({
      rules: [{ id: 'x', colour: 'green', conditions: ['HH'] }],
      escalate: {},
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.code).toBe('HW_CORE_ALARM_POLICY_INVALID');
    const errors = bad.error.data['errors'] as string[];
    expect(errors).toContain('unknown key escalate');
    expect(errors.some((e) => e.startsWith('rules.0.colour'))).toBe(true);
    expect(compileColourPolicy({ rules: [{ id: 'x', colour: 'red', conditions: ['XX'] }] }).ok).toBe(false);
    expect(compileColourPolicy({ escalation: { minPoints: 1 } }).ok).toBe(false);
  });
});

describe('fire-control-room relevance (GB/T 50493-2019 §5.1.2, REFERENCE §8 item 10)', () => {
  const rows: [AlarmCondition, PointKind | null, boolean][] = [
    ['HH', 'combustible_gas', true],
    ['HH', 'open_path_gas', true],
    ['H', 'combustible_gas', false],
    ['HH', 'toxic_gas', false],
    ['SENSOR_BAD', 'combustible_gas', true],
    ['SENSOR_BAD', 'toxic_gas', true],
    ['SENSOR_BAD', 'temperature', false],
    ['HH', 'level', false],
    ['GATEWAY_OFFLINE', null, false],
  ];
  it.each(rows)('%s on %s ⇒ %s', (condition, kind, relevant) => {
    expect(isFireControlRoomRelevant(DEFAULT_COLOUR_POLICY, ctx(condition, kind, 1))).toBe(relevant);
  });
});

describe('hazardColour: multi-detector and escalation', () => {
  const gas = (
    pointId: number,
    condition: AlarmCondition,
    colour: WarningColour,
    deviceCode: string | null = null,
  ): HazardPointAlarms => ({
    pointId,
    pointKind: 'toxic_gas',
    deviceCode,
    alarms: [{ condition, colour }],
  });
  const temp = (pointId: number, condition: AlarmCondition, colour: WarningColour): HazardPointAlarms => ({
    pointId,
    pointKind: 'temperature',
    deviceCode: null,
    alarms: [{ condition, colour }],
  });
  const noEscalation = policy({ escalation: { enabled: false } });

  const rows: [
    string,
    ColourPolicy,
    HazardPointAlarms[],
    WarningColour | null,
    { multiDetector: boolean; escalated: boolean },
  ][] = [
    ['no alarm ⇒ normal', DEFAULT_COLOUR_POLICY, [], null, { multiDetector: false, escalated: false }],
    [
      'one point ⇒ its colour',
      DEFAULT_COLOUR_POLICY,
      [temp(1, 'H', 'yellow')],
      'yellow',
      { multiDetector: false, escalated: false },
    ],
    [
      'two points in process alarm ⇒ one step up',
      DEFAULT_COLOUR_POLICY,
      [temp(1, 'H', 'yellow'), temp(2, 'HH', 'orange')],
      'red',
      { multiDetector: false, escalated: true },
    ],
    [
      'escalation capped at red',
      DEFAULT_COLOUR_POLICY,
      [temp(1, 'HH', 'red'), temp(2, 'HH', 'red')],
      'red',
      { multiDetector: false, escalated: true },
    ],
    [
      'quality alarms do not escalate',
      DEFAULT_COLOUR_POLICY,
      [temp(1, 'STALE', 'blue'), temp(2, 'STALE', 'blue')],
      'blue',
      { multiDetector: false, escalated: false },
    ],
    [
      'one process + one quality point: no escalation',
      DEFAULT_COLOUR_POLICY,
      [temp(1, 'H', 'yellow'), temp(2, 'STALE', 'blue')],
      'yellow',
      { multiDetector: false, escalated: false },
    ],
    [
      'countQuality makes them count',
      policy({ escalation: { countQuality: true } }),
      [temp(1, 'STALE', 'blue'), temp(2, 'STALE', 'blue')],
      'yellow',
      { multiDetector: false, escalated: true },
    ],
    [
      'two gas detectors in level-1 ⇒ red',
      noEscalation,
      [gas(1, 'H', 'yellow'), gas(2, 'H', 'yellow')],
      'red',
      { multiDetector: true, escalated: false },
    ],
    [
      'a level-2 detector counts as in level-1',
      noEscalation,
      [gas(1, 'H', 'orange'), gas(2, 'HH', 'red')],
      'red',
      { multiDetector: true, escalated: false },
    ],
    [
      'two channels of one device are one detector',
      noEscalation,
      [gas(1, 'H', 'yellow', 'D1'), gas(2, 'H', 'yellow', 'D1')],
      'yellow',
      { multiDetector: false, escalated: false },
    ],
    [
      'one gas detector + one temperature: no multi-detector',
      noEscalation,
      [gas(1, 'H', 'yellow'), temp(2, 'H', 'yellow')],
      'yellow',
      { multiDetector: false, escalated: false },
    ],
    [
      'multi-detector off',
      policy({ multiDetector: { enabled: false }, escalation: { enabled: false } }),
      [gas(1, 'H', 'yellow'), gas(2, 'H', 'yellow')],
      'yellow',
      { multiDetector: false, escalated: false },
    ],
    [
      'three detectors needed when configured',
      policy({ multiDetector: { minDetectors: 3 }, escalation: { enabled: false } }),
      [gas(1, 'H', 'yellow'), gas(2, 'H', 'yellow')],
      'yellow',
      { multiDetector: false, escalated: false },
    ],
    [
      'minPoints 3: two points do not escalate',
      policy({ escalation: { minPoints: 3 } }),
      [temp(1, 'H', 'yellow'), temp(2, 'H', 'yellow')],
      'yellow',
      { multiDetector: false, escalated: false },
    ],
  ];
  it.each(rows)('%s', (_name, p, points, colour, flags) => {
    const v = hazardColour(p, points);
    expect(v.colour).toBe(colour);
    expect({ multiDetector: v.multiDetector, escalated: v.escalated }).toEqual(flags);
  });
});

describe('site context', () => {
  it('takes point kind and the more severe of declared and assessed hazard level', () => {
    const index = rollupSite();
    expect(alarmContext(index, { kind: 'point', pointId: 2 }, 'H')).toEqual({
      condition: 'H',
      pointKind: 'toxic_gas',
      hazardLevel: 1,
    });
    expect(alarmContext(index, { kind: 'point', pointId: 7 }, 'H')).toEqual({
      condition: 'H',
      pointKind: 'temperature',
      hazardLevel: null,
    });
    expect(alarmContext(index, { kind: 'point', pointId: 999 }, 'H')).toEqual({
      condition: 'H',
      pointKind: null,
      hazardLevel: null,
    });
    expect(
      alarmContext(index, { kind: 'gateway', enterprise: 'E1', gateway: 'GW1' }, 'GATEWAY_OFFLINE').pointKind,
    ).toBeNull();
    const wh1 = index.hazard('E2', 'WH1')!;
    expect(effectiveHazardLevel(wh1)).toBe(4);
    expect(
      effectiveHazardLevel({ ...wh1, declaredLevel: 4, assessment: { ...wh1.assessment!, level: 2 } }),
    ).toBe(2);
    expect(effectiveHazardLevel({ ...wh1, declaredLevel: 3, assessment: null })).toBe(3);
  });
});
