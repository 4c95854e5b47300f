/**
 * Kinds of major hazard a generated enterprise can hold, each with its GB 18218-2018 inventory
 * and the monitoring points of one "unit" (a tank, a reactor, a store room), with limits that
 * pass the platform's rules: LL < L < H < HH inside the range; combustible level-1 ≤ 25 %LEL and
 * level-2 ≤ 50 %LEL (GB/T 50493-2019 §5.5.2); toxic level-1 ≤ 100 %OEL and level-2 ≤ 200 %OEL;
 * tank-farm level HH backed by an independent sensor (GB 17681-2024 §6.3.3.1, GB/T 41394-2022).
 */

/** A point of the site file, as the generator writes it. */
export interface GeneratedPoint {
  tag: string;
  enterprise: string;
  hazard?: string;
  gateway: string;
  name: string;
  kind: string;
  unit: string;
  range: { min: number; max: number };
  limits?: { ll?: number; l?: number; h?: number; hh?: number };
  deadband?: number;
  onDelaySec?: number;
  rateOfChange?: { direction: 'rising' | 'falling'; slopePerMin: number; windowSec: number }[];
  gas?: { substance: string; basis?: 'OEL'; oel?: number };
  independentOf?: string;
  interlocks?: { hh?: string; ll?: string };
  location?: { lon: number; lat: number };
}

/** GB 18218-2018 constants of the substances used (Table 1 Q, Table 3/4 β). */
export interface InventorySubstance {
  readonly substance: string;
  readonly cas: string;
  readonly category?: string;
  readonly q: number;
  readonly beta: number;
}

export const SUBSTANCES = {
  chlorine: { substance: '液氯', cas: '7782-50-5', q: 5, beta: 4 },
  ammonia: { substance: '液氨', cas: '7664-41-7', q: 10, beta: 2 },
  lpg: { substance: '液化石油气', cas: '68476-85-7', q: 50, beta: 1.5 },
  lng: { substance: '液化天然气', cas: '8006-14-2', q: 50, beta: 1.5 },
  // Category-2 flammable liquid at ambient temperature: W5.3, β = 1 (Table 4).
  toluene: { substance: '甲苯', cas: '108-88-3', category: 'W5.3', q: 500, beta: 1 },
} as const satisfies Record<string, InventorySubstance>;

export type HazardTemplateId =
  'chlorine_tanks' | 'ammonia_tanks' | 'lpg_spheres' | 'lng_tanks' | 'chlorination_unit' | 'chlorine_store';

export interface HazardTemplate {
  readonly id: HazardTemplateId;
  readonly type: 'tank_farm' | 'warehouse' | 'production_unit';
  readonly name: string;
  /** The substance whose quantity is sized to reach the declared level. */
  readonly main: InventorySubstance;
  /** Fixed extra inventory (t). */
  readonly extra?: { readonly of: InventorySubstance; readonly tonnes: number };
  readonly levels: readonly (1 | 2 | 3 | 4)[];
  /** Points of unit `n` (1-based) of hazard area `a` (1–9); tags unique per (a, n). */
  unit(a: number, n: number): GeneratedPoint[];
  /** A single extra gas detector number `k` of area `a` (fills a point budget). */
  detector(a: number, k: number): GeneratedPoint;
}

type Partial0 = Omit<GeneratedPoint, 'enterprise' | 'gateway' | 'hazard'>;
const P = (p: Partial0): GeneratedPoint => ({ enterprise: '', gateway: '', ...p });
const nn = (n: number): string => String(n).padStart(2, '0');

const chlorineDetector = (tag: string, where: string): GeneratedPoint =>
  P({
    tag,
    name: `${where}氯气有毒气体探测器`,
    kind: 'toxic_gas',
    unit: 'mg/m3',
    range: { min: 0, max: 10 },
    limits: { h: 1, hh: 2 },
    gas: { substance: '氯气', basis: 'OEL', oel: 1 },
  });
const ammoniaDetector = (tag: string, where: string): GeneratedPoint =>
  P({
    tag,
    name: `${where}氨气有毒气体探测器`,
    kind: 'toxic_gas',
    unit: 'ppm',
    range: { min: 0, max: 100 },
    limits: { h: 25, hh: 50 },
    // GBZ 2.1-2019: PC-TWA 20 mg/m³ = 28.3 ppm at 20 °C (25 ppm is ACGIH's TLV, not the Chinese OEL).
    gas: { substance: '氨', basis: 'OEL', oel: 28.3 },
  });
const combustibleDetector = (tag: string, where: string, substance: string): GeneratedPoint =>
  P({
    tag,
    name: `${where}${substance}可燃气体探测器`,
    kind: 'combustible_gas',
    unit: '%LEL',
    range: { min: 0, max: 100 },
    limits: { h: 20, hh: 40 },
    gas: { substance },
  });

function tankUnit(
  a: number,
  n: number,
  label: string,
  pressure: Partial0['range'] & { unit: string; limits: NonNullable<GeneratedPoint['limits']> },
  temperature: { range: Partial0['range']; limits: NonNullable<GeneratedPoint['limits']> },
  detector: (tag: string, where: string) => GeneratedPoint,
): GeneratedPoint[] {
  const loop = `${a}1${nn(n)}`;
  const vessel = `${label}V-${loop}`;
  return [
    P({
      tag: `LT-${loop}`,
      name: `${vessel}液位`,
      kind: 'level',
      unit: '%',
      range: { min: 0, max: 100 },
      limits: { ll: 10, l: 20, h: 80, hh: 85 },
      deadband: 1,
      onDelaySec: 10,
      interlocks: { hh: `联锁关闭进料紧急切断阀XV-${loop}A`, ll: `联锁关闭出料切断阀XV-${loop}B` },
    }),
    P({
      tag: `LSHH-${loop}`,
      name: `${vessel}独立高高液位`,
      kind: 'level',
      unit: '%',
      range: { min: 0, max: 100 },
      limits: { hh: 85 },
      independentOf: `LT-${loop}`,
    }),
    P({
      tag: `PT-${loop}`,
      name: `${vessel}压力`,
      kind: 'pressure',
      unit: pressure.unit,
      range: { min: pressure.min, max: pressure.max },
      limits: pressure.limits,
    }),
    P({
      tag: `TT-${loop}`,
      name: `${vessel}温度`,
      kind: 'temperature',
      unit: '°C',
      range: temperature.range,
      limits: temperature.limits,
      onDelaySec: 60,
    }),
    detector(`AT-${loop}A`, `${vessel}`),
    detector(`AT-${loop}B`, `${vessel}`),
  ];
}

const PRESSURE_TANK_T = { range: { min: -40, max: 80 }, limits: { h: 40, hh: 45 } };

export const HAZARD_TEMPLATES: readonly HazardTemplate[] = [
  {
    id: 'chlorine_tanks',
    type: 'tank_farm',
    name: '液氯储罐区',
    main: SUBSTANCES.chlorine,
    levels: [1, 2, 3, 4],
    unit: (a, n) =>
      tankUnit(
        a,
        n,
        '液氯储罐',
        { unit: 'MPa', min: 0, max: 2.5, limits: { h: 1.0, hh: 1.2 } },
        PRESSURE_TANK_T,
        chlorineDetector,
      ),
    detector: (a, k) => chlorineDetector(`AT-${a}${200 + k}`, '罐区'),
  },
  {
    id: 'ammonia_tanks',
    type: 'tank_farm',
    name: '液氨储罐区',
    main: SUBSTANCES.ammonia,
    levels: [1, 2, 3, 4],
    unit: (a, n) =>
      tankUnit(
        a,
        n,
        '液氨储罐',
        { unit: 'MPa', min: 0, max: 2.5, limits: { h: 1.4, hh: 1.6 } },
        PRESSURE_TANK_T,
        ammoniaDetector,
      ),
    detector: (a, k) => ammoniaDetector(`AT-${a}${200 + k}`, '罐区'),
  },
  {
    id: 'lpg_spheres',
    type: 'tank_farm',
    name: '液化石油气球罐区',
    main: SUBSTANCES.lpg,
    levels: [1, 2, 3, 4],
    unit: (a, n) =>
      tankUnit(
        a,
        n,
        '液化石油气球罐',
        { unit: 'MPa', min: 0, max: 2.5, limits: { h: 1.4, hh: 1.6 } },
        PRESSURE_TANK_T,
        (t, w) => combustibleDetector(t, w, '液化石油气'),
      ),
    detector: (a, k) => combustibleDetector(`AT-${a}${200 + k}`, '罐区', '液化石油气'),
  },
  {
    id: 'lng_tanks',
    type: 'tank_farm',
    name: 'LNG储罐区',
    main: SUBSTANCES.lng,
    levels: [1, 2, 3],
    // Full-containment LNG tanks run at ~15 kPa(g), relief below 30 kPa (REFERENCE §6).
    unit: (a, n) =>
      tankUnit(
        a,
        n,
        'LNG储罐',
        { unit: 'kPa', min: 0, max: 40, limits: { ll: 3, l: 5, h: 25, hh: 28 } },
        { range: { min: -196, max: -100 }, limits: { h: -150, hh: -140 } },
        (t, w) => combustibleDetector(t, w, '甲烷'),
      ),
    detector: (a, k) => combustibleDetector(`AT-${a}${200 + k}`, '罐区', '甲烷'),
  },
  {
    id: 'chlorination_unit',
    type: 'production_unit',
    name: '甲苯氯化反应单元',
    main: SUBSTANCES.chlorine,
    extra: { of: SUBSTANCES.toluene, tonnes: 100 },
    levels: [2, 3, 4],
    unit: (a, n) => {
      const loop = `${a}1${nn(n)}`;
      const r = `氯化反应釜R-${loop}`;
      return [
        P({
          tag: `TT-${loop}`,
          name: `${r}温度`,
          kind: 'temperature',
          unit: '°C',
          range: { min: 0, max: 200 },
          limits: { h: 130, hh: 140 },
          deadband: 1,
          rateOfChange: [{ direction: 'rising', slopePerMin: 2, windowSec: 60 }],
        }),
        P({
          tag: `PT-${loop}`,
          name: `${r}压力`,
          kind: 'pressure',
          unit: 'MPa',
          range: { min: 0, max: 6 },
          limits: { l: 0.5, h: 4.0, hh: 4.5 },
          rateOfChange: [{ direction: 'rising', slopePerMin: 0.1, windowSec: 60 }],
        }),
        P({
          tag: `FT-${loop}`,
          name: `${r}氯气进料流量`,
          kind: 'flow',
          unit: 'kg/h',
          range: { min: 0, max: 1000 },
          limits: { l: 100, h: 800 },
          onDelaySec: 15,
        }),
        chlorineDetector(`AT-${loop}A`, r),
        combustibleDetector(`AT-${loop}B`, r, '甲苯'),
      ];
    },
    detector: (a, k) => chlorineDetector(`AT-${a}${200 + k}`, '装置区'),
  },
  {
    id: 'chlorine_store',
    type: 'warehouse',
    name: '液氯钢瓶库',
    main: SUBSTANCES.chlorine,
    levels: [2, 3, 4],
    unit: (a, n) => {
      const loop = `${a}1${nn(n)}`;
      const room = `钢瓶库${n}号间`;
      return [
        P({
          tag: `TT-${loop}`,
          name: `${room}室内温度`,
          kind: 'temperature',
          unit: '°C',
          range: { min: -20, max: 60 },
          limits: { h: 35, hh: 40 },
        }),
        P({
          tag: `MT-${loop}`,
          name: `${room}湿度`,
          kind: 'humidity',
          unit: '%RH',
          range: { min: 0, max: 100 },
          limits: { h: 80, hh: 90 },
        }),
        P({
          tag: `AT-${loop}O`,
          name: `${room}氧含量`,
          kind: 'oxygen',
          unit: '%VOL',
          range: { min: 0, max: 25 },
          limits: { l: 19.5, h: 23.5 },
        }),
        chlorineDetector(`AT-${loop}A`, room),
        chlorineDetector(`AT-${loop}B`, room),
      ];
    },
    detector: (a, k) => chlorineDetector(`AT-${a}${200 + k}`, '库区'),
  },
];

/** Weather points of an enterprise (AQ 3035-2010 §4.5 c), on its first gateway, no hazard. */
export function weatherPoints(): GeneratedPoint[] {
  return [
    P({
      tag: 'SIT-9001',
      name: '厂区风速',
      kind: 'wind_speed',
      unit: 'm/s',
      range: { min: 0, max: 60 },
      limits: { h: 10.8 },
    }),
    P({
      tag: 'TT-9002',
      name: '厂区环境温度',
      kind: 'temperature',
      unit: '°C',
      range: { min: -30, max: 60 },
      limits: { h: 38 },
    }),
    P({
      tag: 'MT-9003',
      name: '厂区环境湿度',
      kind: 'humidity',
      unit: '%RH',
      range: { min: 0, max: 100 },
      limits: { h: 98 },
    }),
  ];
}
