/** Builders shared by the alarm tests. */
import type { AlarmCondition, AlarmState } from '@hazardwatch/contracts';
import {
  SiteIndex,
  newAlarm,
  validateSite,
  type AlarmRecord,
  type AlarmSource,
  type ConditionChange,
} from '@hazardwatch/core';

export const P1: AlarmSource = { kind: 'point', pointId: 1 };
export const T0 = 1_700_000_000_000;

/** A record in `state` with the given fields, as the lifecycle would have left it. */
export function alarmIn(state: AlarmState, fields: Partial<AlarmRecord> = {}): AlarmRecord {
  const active = state === 'UNACK' || state === 'ACKED';
  return {
    ...newAlarm({ id: 'a1', source: P1, condition: 'H', colour: 'yellow', latched: false, ts: T0 }),
    state,
    active,
    lastActivationMs: active ? T0 : null,
    ...(state === 'SHLVD' ? { shelvedUntilMs: T0 + 3_600_000, shelveReason: 'maintenance' } : {}),
    ...(state === 'DSUPR' ? { suppressReason: 'by design', suppressedBy: 'u1' } : {}),
    ...(state === 'OOSRV' ? { outOfServiceReason: 'calibration' } : {}),
    ...fields,
  };
}

export const raise = (
  source: AlarmSource,
  condition: AlarmCondition,
  ts: number,
  value: number | null = null,
): ConditionChange => ({
  source,
  condition,
  active: true,
  ts,
  value,
  limit: null,
});

export const clear = (
  source: AlarmSource,
  condition: AlarmCondition,
  ts: number,
  value: number | null = null,
): ConditionChange => ({
  source,
  condition,
  active: false,
  ts,
  value,
  limit: null,
});

/** Sequential ids a1, a2, … */
export function idSequence(prefix = 'a'): () => string {
  let n = 0;
  return () => `${prefix}${++n}`;
}

const person = (name: string) => ({ name, phone: '13800000000' });
const responsible = { principal: person('甲'), technical: person('乙'), operational: person('丙') };

/**
 * Small site for roll-up tables:
 *   320000 江苏省 ─ 320600 南通市 ─ 320623 如东县 ─ PARK1 化工园区 ─ E1, E2
 *                                └ 320681 启东市 (county) ─ E3
 * E1: hazard TF1 (Cl₂ 200 t ⇒ 一级, declared 1) with points 1 LT101 level, 2 AT101 toxic gas,
 *     3 AT102 toxic gas, 4 AT103 toxic gas (device D1), 5 AT104 toxic gas (device D1, same
 *     device as 4), 6 OX101 oxygen; point 7 TT900 temperature without hazard.
 * E2: hazard WH1 (Cl₂ 10 t ⇒ 四级) with points 8 TT201 temperature, 9 PT201 pressure.
 * E3: no hazard; point 10 TT301.
 */
export function rollupSite(): SiteIndex {
  const point = (
    tag: string,
    enterprise: string,
    hazard: string | undefined,
    kind: string,
    fields: Record<string, unknown> = {},
  ) => ({
    tag,
    enterprise,
    ...(hazard === undefined ? {} : { hazard }),
    gateway: 'GW1',
    kind,
    // Cl₂ limits 1 / 2 are 100 / 200 % of its GBZ 2.1-2019 MAC in mg/m³ (1 ppm would be 2.95 mg/m³).
    unit: kind === 'toxic_gas' ? 'mg/m3' : kind === 'oxygen' ? '%VOL' : kind === 'level' ? '%' : '°C',
    range: { min: 0, max: 100 },
    limits: kind === 'oxygen' ? {} : kind === 'toxic_gas' ? { h: 1, hh: 2 } : { ll: 5, l: 10, h: 80, hh: 90 },
    ...(kind === 'toxic_gas' ? { gas: { substance: 'Cl2', basis: 'OEL', oel: 1, idlh: 10 } } : {}),
    ...fields,
  });
  const hazard = (code: string, enterprise: string, level: number, tonnes: number) => ({
    code,
    enterprise,
    name: code,
    declaredLevel: level,
    type: 'tank_farm',
    responsible,
    location: { lon: 121, lat: 32.5 },
    inventory: [{ substance: 'Cl2', designMaxTonnes: tonnes }],
    exposedPopulation: 1,
  });
  const enterprise = (code: string, region: string) => ({
    code,
    name: code,
    region,
    location: { lon: 121, lat: 32.5 },
  });
  const site = {
    version: 1,
    regions: [
      { code: '320000', name: '江苏省', kind: 'province' },
      { code: '320600', name: '南通市', kind: 'city', parent: '320000' },
      { code: '320623', name: '如东县', kind: 'county', parent: '320600' },
      { code: '320681', name: '启东市', kind: 'county', parent: '320600' },
      { code: 'PARK1', name: '化工园区', kind: 'park', parent: '320623' },
    ],
    enterprises: [enterprise('E1', 'PARK1'), enterprise('E2', 'PARK1'), enterprise('E3', '320681')],
    // Cl₂: Q = 5 t, β = 4; α = 1 (1 person). 200 t ⇒ R = 160 ⇒ 一级; 10 t ⇒ R = 8 ⇒ 四级.
    hazards: [hazard('TF1', 'E1', 1, 200), hazard('WH1', 'E2', 4, 10)],
    gateways: [
      { code: 'GW1', enterprise: 'E1', name: 'gw' },
      { code: 'GW1', enterprise: 'E2', name: 'gw' },
      { code: 'GW1', enterprise: 'E3', name: 'gw' },
    ],
    points: [
      point('LT101', 'E1', 'TF1', 'level'),
      point('AT101', 'E1', 'TF1', 'toxic_gas'),
      point('AT102', 'E1', 'TF1', 'toxic_gas'),
      point('AT103', 'E1', 'TF1', 'toxic_gas', { deviceCode: 'D1' }),
      point('AT104', 'E1', 'TF1', 'toxic_gas', { deviceCode: 'D1' }),
      point('OX101', 'E1', 'TF1', 'oxygen'),
      point('TT900', 'E1', undefined, 'temperature'),
      point('TT201', 'E2', 'WH1', 'temperature'),
      point('PT201', 'E2', 'WH1', 'pressure', { unit: 'MPa' }),
      point('TT301', 'E3', undefined, 'temperature'),
    ],
  };
  const r = validateSite(site);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return new SiteIndex(r.site);
}
