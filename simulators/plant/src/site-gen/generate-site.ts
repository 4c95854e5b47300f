/**
 * Generates a valid site file (an object, YAML-serialisable with `siteToYaml`) for demos and
 * benchmarks: Jiangsu → cities → counties → towns and chemical parks → enterprises → major hazards
 * of all four levels → gateways → points, coordinates clustered around real parks. Deterministic
 * from the seed.
 *
 * Hazard inventories are sized so that GB 18218-2018 gives the declared level:
 *   R = α · Σ βᵢ·qᵢ/Qᵢ (§4.3.2), aimed at the middle of the level's band (Table 6), with S ≥ 1.
 * Point limits follow hazard-templates.ts. Points are spread evenly over the enterprises; each
 * enterprise gets three weather points, then whole units (a tank, a reactor, a store room) in
 * turn over its hazards, and single gas detectors to fill the budget exactly.
 */
import { SimulatorError } from '../errors.js';
import { mulberry32, seedFrom, type Rng } from '../prng.js';
import {
  HAZARD_TEMPLATES,
  weatherPoints,
  type GeneratedPoint,
  type HazardTemplate,
} from './hazard-templates.js';
import { JIANGSU, JIANGSU_CITIES, type CountyEntry } from './jiangsu-regions.js';
import { usccFor } from './uscc.js';

export interface GenerateSiteOptions {
  readonly cities: number;
  readonly enterprises: number;
  /** Total monitoring points. */
  readonly points: number;
  /** @default 1 */
  readonly seed?: number | string;
}

type Level = 1 | 2 | 3 | 4;
/** Table 6 bands, aimed at their middle (level 4: see `targetR`). */
const TARGET_R: Readonly<Record<Level, number>> = { 1: 160, 2: 75, 3: 25, 4: 5 };
/** Table 5: exposed people outside the plant → α. Levels 1–2 get the populous bands. */
const EXPOSURE: readonly { readonly people: [number, number]; readonly alpha: number }[] = [
  { people: [0, 0], alpha: 0.5 },
  { people: [1, 29], alpha: 1.0 },
  { people: [30, 49], alpha: 1.2 },
  { people: [50, 99], alpha: 1.5 },
  { people: [100, 400], alpha: 2.0 },
];

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙朱马胡郭林何高罗';
const GIVEN = [
  '建国',
  '志强',
  '海涛',
  '立新',
  '晓东',
  '春雷',
  '文博',
  '秀英',
  '丽娟',
  '国平',
  '明辉',
  '红梅',
  '振华',
  '卫东',
  '桂兰',
];
const BRANDS = [
  '华港',
  '联海',
  '恒泰',
  '金瑞',
  '中盛',
  '宏达',
  '江海',
  '瑞丰',
  '天成',
  '新奥',
  '海晨',
  '裕隆',
];
const TRADES = ['化工', '石化', '精细化工', '新材料', '氯碱化工', '能源'];

export function generateSite(options: GenerateSiteOptions): Record<string, unknown> {
  const { cities, enterprises, points } = checkOptions(options);
  const seed = options.seed ?? 1;
  const rng = mulberry32(seedFrom('site-gen', seed));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)] as T;
  const int = (lo: number, hi: number): number => lo + Math.floor(rng.next() * (hi - lo + 1));

  const regions: Record<string, unknown>[] = [{ code: JIANGSU.code, name: JIANGSU.name, kind: 'province' }];
  const counties: CountyEntry[] = [];
  for (const city of JIANGSU_CITIES.slice(0, cities)) {
    regions.push({ code: city.code, name: city.name, kind: 'city', parent: JIANGSU.code });
    for (const county of city.counties) {
      counties.push(county);
      regions.push({ code: county.code, name: county.name, kind: 'county', parent: city.code });
      regions.push({
        code: `P${county.code}01`,
        name: county.park.name,
        kind: 'park',
        parent: county.code,
        centroid: { lon: county.park.lon, lat: county.park.lat },
      });
      county.towns.forEach((town, i) =>
        regions.push({ code: `${county.code}${100 + i}`, name: town, kind: 'town', parent: county.code }),
      );
    }
  }

  const out = {
    enterprises: [] as unknown[],
    hazards: [] as unknown[],
    gateways: [] as unknown[],
    points: [] as unknown[],
  };
  const person = () => ({
    name: pick([...SURNAMES]) + pick(GIVEN),
    phone: `1${int(3, 9)}${String(int(0, 99_999_999)).padStart(9, '0')}`,
  });
  let hazardSerial = 0;
  for (let e = 0; e < enterprises; e++) {
    const county = counties[e % counties.length]!;
    const inPark = rng.next() < 0.85;
    const townIndex = int(0, county.towns.length - 1);
    const code = usccFor(county.code, e + 1);
    const at = jitter(rng, county.park, inPark ? 0.012 : 0.04);
    out.enterprises.push({
      code,
      name: `${county.name.slice(0, 2)}${pick(BRANDS)}${pick(TRADES)}有限公司${e + 1 > BRANDS.length ? `（${e + 1}）` : ''}`,
      region: inPark ? `P${county.code}01` : `${county.code}${100 + townIndex}`,
      location: at,
      risk: { score: int(65, 98) },
    });

    const budget = Math.floor(points / enterprises) + (e < points % enterprises ? 1 : 0);
    const hazardCount = Math.max(1, Math.min(3, int(1, 3), Math.floor((budget - 3) / 5)));
    const hazards: {
      template: HazardTemplate;
      code: string;
      gateway: string;
      area: number;
      location: { lon: number; lat: number };
    }[] = [];
    for (let h = 0; h < hazardCount; h++) {
      const level = ((hazardSerial++ % 4) + 1) as Level;
      const template = pick(HAZARD_TEMPLATES.filter((t) => t.levels.includes(level)));
      const hazardCode = `MH${String(h + 1).padStart(2, '0')}`;
      const gateway = `GW${String(h + 1).padStart(2, '0')}`;
      const location = jitter(rng, at, 0.002);
      out.hazards.push({
        code: hazardCode,
        enterprise: code,
        name: template.name,
        declaredLevel: level,
        type: template.type,
        responsible: { principal: person(), technical: person(), operational: person() },
        location,
        ...inventoryFor(template, level, rng),
      });
      out.gateways.push({ code: gateway, enterprise: code, name: `${template.name}数据采集网关` });
      hazards.push({ template, code: hazardCode, gateway, area: h + 1, location });
    }

    const mine: GeneratedPoint[] = [];
    const place = (p: GeneratedPoint, gateway: string, near: { lon: number; lat: number }, hazard?: string) =>
      mine.push({
        ...p,
        enterprise: code,
        gateway,
        ...(hazard !== undefined ? { hazard } : {}),
        location: jitter(rng, near, 0.0004),
      });
    for (const p of weatherPoints().slice(0, budget)) place(p, 'GW01', at);
    const units = hazards.map(() => 0);
    let fillers = 0;
    for (let turn = 0; mine.length < budget; turn++) {
      const i = turn % hazards.length;
      const hz = hazards[i]!;
      const unit = hz.template.unit(hz.area, (units[i] ?? 0) + 1);
      if (unit.length <= budget - mine.length) {
        units[i] = (units[i] ?? 0) + 1;
        for (const p of unit) place(p, hz.gateway, hz.location, hz.code);
      } else {
        place(hz.template.detector(hz.area, ++fillers), hz.gateway, hz.location, hz.code);
      }
    }
    out.points.push(...mine);
  }

  return {
    version: 1,
    name: `江苏省化工园区危化品重大危险源监测预警（生成：${cities} 市 / ${enterprises} 企业 / ${points} 点，seed ${String(seed)}）`,
    defaults: { onDelaySec: 5, offDelaySec: 5, staleAfterSec: 300, gatewayOfflineAfterSec: 180 },
    regions,
    ...out,
  };

  function inventoryFor(template: HazardTemplate, level: Level, r: Rng) {
    const band = level <= 2 ? EXPOSURE.slice(3) : EXPOSURE;
    const exposure = band[Math.floor(r.next() * band.length)]!;
    const exposedPopulation = int(exposure.people[0], exposure.people[1]);
    const extra = template.extra;
    const extraTerm = extra === undefined ? 0 : (extra.of.beta * extra.tonnes) / extra.of.q;
    const betaPerTonne = template.main.beta / template.main.q;
    // Level 4 also needs S ≥ 1 (a major hazard at all): aim R at max(5, 1.1·α·β) (< 10 for β ≤ 4).
    const r4 = Math.max(TARGET_R[4], 1.1 * exposure.alpha * template.main.beta);
    const target = level === 4 ? r4 : TARGET_R[level];
    const tonnes = Math.max(0.1, round1((target / exposure.alpha - extraTerm) / betaPerTonne));
    const line = (s: typeof template.main, t: number) => ({
      substance: s.substance,
      cas: s.cas,
      ...(s.category !== undefined ? { category: s.category } : {}),
      designMaxTonnes: t,
    });
    return {
      inventory: [
        line(template.main, tonnes),
        ...(extra === undefined ? [] : [line(extra.of, extra.tonnes)]),
      ],
      exposedPopulation,
    };
  }
}

function jitter(rng: Rng, at: { lon: number; lat: number }, deg: number): { lon: number; lat: number } {
  return { lon: round6(at.lon + deg * rng.normal()), lat: round6(at.lat + deg * rng.normal()) };
}
const round1 = (x: number): number => Math.round(x * 10) / 10;
const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

function checkOptions(o: GenerateSiteOptions): Required<Omit<GenerateSiteOptions, 'seed'>> {
  const issues: string[] = [];
  const whole = (name: keyof GenerateSiteOptions, v: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(v) || v < min || v > max)
      issues.push(`${name} must be an integer in ${min}…${max}, got ${v}`);
  };
  whole('cities', o.cities, 1, JIANGSU_CITIES.length);
  whole('enterprises', o.enterprises, 1);
  whole('points', o.points, o.enterprises);
  if (issues.length > 0) throw new SimulatorError('HW_SIM_GENERATE_INVALID', { issues });
  return { cities: o.cities, enterprises: o.enterprises, points: o.points };
}
