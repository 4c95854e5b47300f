/**
 * GB 18218-2018 危险化学品重大危险源辨识: the constant tables (REFERENCE §4).
 *
 * Versioned: every computation records `GB18218_STANDARD`, so a future edition adds a new table
 * set instead of silently changing old snapshots.
 */

import { GB18218_TABLE1 } from './gb18218-table1.js';

export const GB18218_STANDARD = 'GB18218-2018' as const;
export type Gb18218Standard = typeof GB18218_STANDARD;

/**
 * Table 2 hazard categories with their critical quantity Q (t), and Table 4 correction factor β.
 * Q for W3 (aerosols) is the net mass of contents. Values and labels checked against sources A and B
 * of gb18218-table1.ts (the labels of W1.1–W1.3 and W6.2 were wrong before issue #19; Q and β were not).
 */
export const CATEGORY_TABLE = Object.freeze({
  J1: { q: 5, beta: 4, zh: '急性毒性-类别1，所有暴露途径，气体' },
  J2: { q: 50, beta: 1, zh: '急性毒性-类别1，所有暴露途径，固体、液体' },
  J3: { q: 50, beta: 2, zh: '急性毒性-类别2、类别3，所有暴露途径，气体' },
  J4: { q: 50, beta: 2, zh: '急性毒性-类别2、类别3，吸入途径，液体（沸点≤35℃）' },
  J5: { q: 500, beta: 1, zh: '急性毒性-类别2，所有暴露途径，液体（除J4外）、固体' },
  'W1.1': { q: 1, beta: 2, zh: '不稳定爆炸物；1.1项爆炸物' },
  'W1.2': { q: 10, beta: 2, zh: '1.2、1.3、1.5、1.6项爆炸物' },
  'W1.3': { q: 50, beta: 2, zh: '1.4项爆炸物' },
  W2: { q: 10, beta: 1.5, zh: '易燃气体，类别1和类别2' },
  W3: { q: 150, beta: 1, zh: '气溶胶，类别1和类别2（净重）' },
  W4: { q: 50, beta: 1, zh: '氧化性气体，类别1' },
  'W5.1': { q: 10, beta: 1.5, zh: '易燃液体类别1；类别2和3，工作温度高于沸点' },
  'W5.2': {
    q: 50,
    beta: 1,
    zh: '易燃液体类别2和3，具有引发重大事故的特殊工艺条件（危险化工工艺、爆炸极限范围或附近操作、操作压力大于1.6MPa等）',
  },
  'W5.3': { q: 1000, beta: 1, zh: '不属于W5.1或W5.2的其他类别2易燃液体' },
  'W5.4': { q: 5000, beta: 1, zh: '不属于W5.1或W5.2的其他类别3易燃液体' },
  'W6.1': { q: 10, beta: 1.5, zh: '自反应物质和混合物，A型和B型' },
  'W6.2': { q: 50, beta: 1, zh: '自反应物质和混合物，C型、D型、E型' },
  'W7.1': { q: 10, beta: 1.5, zh: '有机过氧化物，A型和B型' },
  'W7.2': { q: 50, beta: 1, zh: '有机过氧化物，C型、D型、E型、F型' },
  W8: { q: 50, beta: 1, zh: '自燃液体和自燃固体' },
  'W9.1': { q: 50, beta: 1, zh: '氧化性固体和液体，类别1' },
  'W9.2': { q: 200, beta: 1, zh: '氧化性固体和液体，类别2、类别3' },
  W10: { q: 200, beta: 1, zh: '易燃固体，类别1' },
  W11: { q: 200, beta: 1, zh: '遇水放出易燃气体的物质和混合物，类别1和类别2' },
} as const);

export type HazardCategory = keyof typeof CATEGORY_TABLE;

export function isHazardCategory(value: string): value is HazardCategory {
  return Object.prototype.hasOwnProperty.call(CATEGORY_TABLE, value);
}

/** Table 3: correction factor β for the named toxic gases, by named-substance key. */
export const TABLE3_BETA: Readonly<Record<string, number>> = Object.freeze({
  carbon_monoxide: 2,
  sulfur_dioxide: 2,
  ammonia: 2,
  ethylene_oxide: 2,
  hydrogen_chloride: 3,
  methyl_bromide: 3,
  chlorine: 4,
  hydrogen_sulfide: 5,
  hydrogen_fluoride: 5,
  nitrogen_dioxide: 10,
  hydrogen_cyanide: 10,
  phosgene: 20,
  phosphine: 20,
  methyl_isocyanate: 20,
});

/**
 * A named substance: a Table 1 entry (critical quantity `q`), with β when it is a Table 3 gas.
 * `category` is a default Table 2 category used for β when the substance is not in Table 3 and the
 * inventory line gives none; set only where the category does not depend on process conditions
 * (flammable gases W2, oxygen W4). Flammable liquids need the site's W5.x category.
 * `confirmed` says the Q (and β) were checked against two transcriptions of the standard; every
 * entry is (gb18218-table1.ts lists the sources). An unconfirmed entry is not to be added: leave
 * the substance out, so its lines fall back to their category, rather than invent a value.
 */
export interface NamedSubstance {
  readonly key: string;
  /** 序号 of the Table 1 entry that gives `q`. */
  readonly table1No?: number;
  readonly zh: string;
  readonly en: string;
  readonly cas: readonly string[];
  readonly aliases: readonly string[];
  readonly q?: number;
  readonly beta?: number;
  readonly category?: HazardCategory;
  readonly confirmed: boolean;
}

/** Flammable gases of Table 1 (W2, β 1.5 by Table 4) and oxygen (W4, β 1). */
const DEFAULT_CATEGORY: Readonly<Record<string, HazardCategory>> = {
  butadiene: 'W2',
  dimethyl_ether: 'W2',
  methane: 'W2',
  vinyl_chloride: 'W2',
  hydrogen: 'W2',
  lpg: 'W2',
  methylamine: 'W2',
  acetylene: 'W2',
  ethylene: 'W2',
  oxygen: 'W4',
};

/**
 * Names users write that the table does not print (formulae, plain names without the table's
 * qualifier). A bare 甲醛 resolves to No. 8 (含量＞90%): the conservative reading; a solution at
 * ≤ 90 % is a mixture (§4.2.3) and is entered by its category, without the Table 1 name or CAS.
 */
const EXTRA_ALIASES: Readonly<Record<string, readonly string[]>> = {
  ammonia: ['NH3', '无水氨'],
  nitrogen_dioxide: ['NO2'],
  sulfur_dioxide: ['SO2'],
  fluorine: ['F2', '氟气'],
  phosgene: ['COCl2', 'phosgene'],
  ethylene_oxide: ['EO'],
  formaldehyde: ['甲醛', 'HCHO', 'formaldehyde'],
  phosphine: ['PH3'],
  hydrogen_sulfide: ['H2S'],
  hydrogen_chloride: ['HCl', '氯化氢', '无水氯化氢', 'hydrogen chloride'],
  chlorine: ['Cl2'],
  coal_gas: ['煤气', 'coal gas'],
  arsine: ['AsH3'],
  hydrogen_fluoride: ['HF', '无水氟化氢'],
  hydrogen_cyanide: ['HCN'],
  sulfur_trioxide: ['SO3'],
  bromine: ['Br2'],
  methyl_isocyanate: ['MIC'],
  methyl_bromide: ['CH3Br'],
  butadiene: ['丁二烯', 'butadiene'],
  dimethyl_ether: ['DME'],
  methane: ['甲烷', '天然气', 'CH4', 'natural gas', 'methane', 'LNG', '液化天然气'],
  vinyl_chloride: ['VCM'],
  hydrogen: ['H2'],
  lpg: ['LPG', '液化石油气', '丙烷', '丁烷', 'propane', 'butane'],
  acetylene: ['C2H2'],
  ethylene: ['C2H4'],
  oxygen: ['氧', 'O2', 'oxygen'],
  carbon_disulfide: ['CS2'],
  propylene_oxide: ['环氧丙烷'],
  methanol: ['CH3OH'],
  gasoline: ['汽油', 'petrol', 'gasoline'],
  n_hexane: ['hexane'],
};

const named = (s: NamedSubstance): NamedSubstance =>
  Object.freeze({ ...s, cas: Object.freeze([...s.cas]), aliases: Object.freeze([...s.aliases]) });

/**
 * Table 1 (all 85 entries, gb18218-table1.ts) with Table 3 β and default categories, plus carbon
 * monoxide: Table 1 No. 13 is 煤气（CO，CO和H₂、CH₄的混合物等）, which names CO itself, so CO takes
 * Q = 20 t from it and β = 2 from Table 3. The table prints no CAS for No. 13; 630-08-0 (CO) is ours.
 */
export const NAMED_SUBSTANCES: readonly NamedSubstance[] = Object.freeze([
  ...GB18218_TABLE1.map((e) => {
    const beta = TABLE3_BETA[e.key];
    const category = DEFAULT_CATEGORY[e.key];
    return named({
      key: e.key,
      table1No: e.no,
      zh: e.zh,
      en: e.en,
      cas: e.cas,
      aliases: [...e.aliases, ...(EXTRA_ALIASES[e.key] ?? [])],
      q: e.q,
      ...(beta === undefined ? {} : { beta }),
      ...(category === undefined ? {} : { category }),
      confirmed: true,
    });
  }),
  named({
    key: 'carbon_monoxide',
    table1No: 13,
    zh: '一氧化碳',
    en: 'carbon monoxide',
    cas: ['630-08-0'],
    aliases: ['CO'],
    q: 20,
    beta: TABLE3_BETA['carbon_monoxide']!,
    confirmed: true,
  }),
]);

/**
 * Table 5: α by the number of people outside the plant who could be exposed, highest band first.
 */
export const ALPHA_TABLE: readonly { readonly minPeople: number; readonly alpha: number }[] = Object.freeze([
  Object.freeze({ minPeople: 100, alpha: 2.0 }),
  Object.freeze({ minPeople: 50, alpha: 1.5 }),
  Object.freeze({ minPeople: 30, alpha: 1.2 }),
  Object.freeze({ minPeople: 1, alpha: 1.0 }),
  Object.freeze({ minPeople: 0, alpha: 0.5 }),
]);

export type HazardLevel = 1 | 2 | 3 | 4;

/** Table 6: 一级 R ≥ 100; 二级 50 ≤ R < 100; 三级 10 ≤ R < 50; 四级 R < 10. Lower bounds inclusive. */
export const LEVEL_TABLE: readonly { readonly minR: number; readonly level: HazardLevel }[] = Object.freeze([
  Object.freeze({ minR: 100, level: 1 as const }),
  Object.freeze({ minR: 50, level: 2 as const }),
  Object.freeze({ minR: 10, level: 3 as const }),
  Object.freeze({ minR: Number.NEGATIVE_INFINITY, level: 4 as const }),
]);

export const HAZARD_LEVEL_ZH: Readonly<Record<HazardLevel, string>> = Object.freeze({
  1: '一级',
  2: '二级',
  3: '三级',
  4: '四级',
});

/** Lookup key: case-folded, whitespace removed, full-width brackets and subscript digits made ASCII. */
export function substanceKey(name: string): string {
  return name
    .normalize('NFKC') // ₂ → 2, （ → (, ＞ → >, full-width letters → ASCII
    .toLowerCase()
    .replace(/\s+/g, '');
}

function index(
  keysOf: (s: NamedSubstance) => readonly string[],
): ReadonlyMap<string, readonly NamedSubstance[]> {
  const map = new Map<string, NamedSubstance[]>();
  for (const s of NAMED_SUBSTANCES) {
    for (const k of new Set(keysOf(s))) {
      const list = map.get(k) ?? [];
      list.push(s);
      map.set(k, list);
    }
  }
  return map;
}

const byName = index((s) => [s.key, s.zh, s.en, ...s.aliases].map(substanceKey));
const byCas = index((s) => s.cas);

/** How an inventory line's name and CAS resolve against the named substances. */
export type SubstanceLookup =
  | { readonly kind: 'none' }
  | { readonly kind: 'found'; readonly substance: NamedSubstance }
  /** Name and CAS name different entries (or the CAS is not the named entry's): a data defect. */
  | { readonly kind: 'conflict'; readonly byName: NamedSubstance; readonly byCas: NamedSubstance | null }
  /** Several Table 1 variants share the CAS or name (nitrocellulose, ammonium nitrate). */
  | { readonly kind: 'ambiguous'; readonly candidates: readonly NamedSubstance[] };

/**
 * Resolve a line's name and CAS. Both given: they must name the same entry. A CAS shared by
 * variants is narrowed by the name. A name alone, or a CAS alone, must be unambiguous.
 */
export function lookupSubstance(ref: {
  readonly substance?: string;
  readonly cas?: string;
}): SubstanceLookup {
  const nameHits = ref.substance === undefined ? undefined : byName.get(substanceKey(ref.substance));
  const cas = ref.cas?.trim();
  const casHits = cas === undefined ? undefined : byCas.get(cas);
  const one = (list: readonly NamedSubstance[]): SubstanceLookup =>
    list.length === 1 ? { kind: 'found', substance: list[0]! } : { kind: 'ambiguous', candidates: list };
  if (casHits !== undefined) {
    if (nameHits === undefined) return one(casHits);
    const common = casHits.filter((s) => nameHits.includes(s));
    if (common.length > 0) return one(common);
    return { kind: 'conflict', byName: nameHits[0]!, byCas: casHits[0]! };
  }
  if (nameHits === undefined) return { kind: 'none' };
  // A CAS the table does not list for the named entry is a conflict, unless the table prints none.
  if (cas !== undefined && nameHits.every((s) => s.cas.length > 0))
    return { kind: 'conflict', byName: nameHits[0]!, byCas: null };
  return one(nameHits);
}

/** The named substance a name/CAS pair resolves to unambiguously and without conflict. */
export function findNamedSubstance(ref: {
  readonly substance?: string;
  readonly cas?: string;
}): NamedSubstance | undefined {
  const hit = lookupSubstance(ref);
  return hit.kind === 'found' ? hit.substance : undefined;
}
