/**
 * GB 18218-2018 危险化学品重大危险源辨识: the constant tables (REFERENCE §4).
 *
 * Versioned: every computation records `GB18218_STANDARD`, so a future edition adds a new table
 * set instead of silently changing old snapshots.
 */

export const GB18218_STANDARD = 'GB18218-2018' as const;
export type Gb18218Standard = typeof GB18218_STANDARD;

/**
 * Table 2 hazard categories with their critical quantity Q (t), and Table 4 correction factor β.
 * Q for W3 (aerosols) is the net mass of contents.
 */
export const CATEGORY_TABLE = Object.freeze({
  J1: { q: 5, beta: 4, zh: '急性毒性-类别1，所有暴露途径，气体' },
  J2: { q: 50, beta: 1, zh: '急性毒性-类别1，所有暴露途径，固体、液体' },
  J3: { q: 50, beta: 2, zh: '急性毒性-类别2、类别3，所有暴露途径，气体' },
  J4: { q: 50, beta: 2, zh: '急性毒性-类别2、类别3，吸入途径，液体（沸点≤35℃）' },
  J5: { q: 500, beta: 1, zh: '急性毒性-类别2，所有暴露途径，液体（除J4外）、固体' },
  'W1.1': { q: 1, beta: 2, zh: '不稳定爆炸物' },
  'W1.2': { q: 10, beta: 2, zh: '1.1项爆炸物' },
  'W1.3': { q: 50, beta: 2, zh: '除1.1项外的其他爆炸物' },
  W2: { q: 10, beta: 1.5, zh: '易燃气体，类别1和类别2' },
  W3: { q: 150, beta: 1, zh: '气溶胶，类别1和类别2（净重）' },
  W4: { q: 50, beta: 1, zh: '氧化性气体，类别1' },
  'W5.1': { q: 10, beta: 1.5, zh: '易燃液体类别1；类别2和3，工作温度高于沸点' },
  'W5.2': { q: 50, beta: 1, zh: '易燃液体类别2和3，具有引发重大事故的特殊工艺条件（如操作压力大于1.6MPa）' },
  'W5.3': { q: 1000, beta: 1, zh: '不属于W5.1或W5.2的其他类别2易燃液体' },
  'W5.4': { q: 5000, beta: 1, zh: '不属于W5.1或W5.2的其他类别3易燃液体' },
  'W6.1': { q: 10, beta: 1.5, zh: '自反应物质和混合物，A型和B型' },
  'W6.2': { q: 50, beta: 1, zh: '自反应物质和混合物，C型、D型、E型、F型' },
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

/**
 * A named substance: Table 1 (critical quantity `q`) and/or Table 3 (β for named toxic gases).
 * `category` is a default Table 2 category used for β when the substance is not in Table 3 and the
 * inventory line gives none; set only where the category does not depend on process conditions
 * (flammable gases, oxygen). Flammable liquids need the site's W5.x category.
 * `confirmed: false` marks values transcribed from memory of the standard that have not been
 * checked against a copy of the text; validation reports their use as a defect.
 */
export interface NamedSubstance {
  readonly key: string;
  readonly zh: string;
  readonly en: string;
  readonly cas: readonly string[];
  readonly aliases: readonly string[];
  readonly q?: number;
  readonly beta?: number;
  readonly category?: HazardCategory;
  readonly confirmed: boolean;
}

const S = (
  key: string,
  zh: string,
  en: string,
  cas: readonly string[],
  values: { q?: number; beta?: number; category?: HazardCategory; confirmed?: boolean },
  aliases: readonly string[] = [],
): NamedSubstance =>
  Object.freeze({
    key,
    zh,
    en,
    cas: Object.freeze([...cas]),
    aliases: Object.freeze([...aliases]),
    ...values,
    confirmed: values.confirmed ?? true,
  });

/**
 * Table 1 samples read in two consistent transcriptions (REFERENCE §4 [V]) and Table 3 (β) for
 * the named toxic gases. Q in t.
 */
export const NAMED_SUBSTANCES: readonly NamedSubstance[] = Object.freeze([
  // Table 3 gases (β) with their Table 1 Q.
  S('phosgene', '碳酰氯', 'phosgene', ['75-44-5'], { q: 0.3, beta: 20 }, ['光气']),
  S('methyl_isocyanate', '异氰酸甲酯', 'methyl isocyanate', ['624-83-9'], { q: 0.75, beta: 20 }, ['MIC']),
  S('hydrogen_fluoride', '氟化氢', 'hydrogen fluoride', ['7664-39-3'], { q: 1, beta: 5 }, [
    'HF',
    '无水氟化氢',
  ]),
  S('hydrogen_cyanide', '氰化氢', 'hydrogen cyanide', ['74-90-8'], { q: 1, beta: 10 }, ['HCN']),
  S('chlorine', '氯', 'chlorine', ['7782-50-5'], { q: 5, beta: 4 }, ['Cl2', '氯气', '液氯']),
  S('hydrogen_sulfide', '硫化氢', 'hydrogen sulfide', ['7783-06-4'], { q: 5, beta: 5 }, ['H2S']),
  S('ammonia', '氨', 'ammonia', ['7664-41-7'], { q: 10, beta: 2 }, ['NH3', '液氨', '氨气', '无水氨']),
  S('ethylene_oxide', '环氧乙烷', 'ethylene oxide', ['75-21-8'], { q: 10, beta: 2 }, ['EO']),
  S('sulfur_dioxide', '二氧化硫', 'sulfur dioxide', ['7446-09-5'], { q: 20, beta: 2 }, ['SO2']),
  S(
    'hydrogen_chloride',
    '氯化氢（无水）',
    'hydrogen chloride (anhydrous)',
    ['7647-01-0'],
    { q: 20, beta: 3 },
    ['HCl', '氯化氢', '无水氯化氢'],
  ),
  // Table 3 gases whose Table 1 Q was not in the verified sample: β only, Q from the line's category.
  S('carbon_monoxide', '一氧化碳', 'carbon monoxide', ['630-08-0'], { beta: 2 }, ['CO']),
  // Table 3 gases with Q recalled from Table 1 but not yet checked against the text.
  S(
    'nitrogen_dioxide',
    '二氧化氮',
    'nitrogen dioxide',
    ['10102-44-0'],
    { q: 1, beta: 10, confirmed: false },
    ['NO2'],
  ),
  S('phosphine', '磷化氢', 'phosphine', ['7803-51-2'], { q: 1, beta: 20, confirmed: false }, ['PH3']),
  S('methyl_bromide', '溴甲烷', 'methyl bromide', ['74-83-9'], { q: 10, beta: 3, confirmed: false }, [
    'CH3Br',
  ]),

  // Flammable gases (default category W2, β 1.5 by Table 4).
  S('acetylene', '乙炔', 'acetylene', ['74-86-2'], { q: 1, category: 'W2' }, ['C2H2']),
  S('hydrogen', '氢', 'hydrogen', ['1333-74-0'], { q: 5, category: 'W2' }, ['H2', '氢气']),
  S('butadiene', '1,3-丁二烯', '1,3-butadiene', ['106-99-0'], { q: 5, category: 'W2' }, [
    '丁二烯',
    'butadiene',
  ]),
  S('methane', '甲烷，天然气', 'methane, natural gas', ['74-82-8', '8006-14-2'], { q: 50, category: 'W2' }, [
    '甲烷',
    '天然气',
    'CH4',
    'natural gas',
    'methane',
    'LNG',
    '液化天然气',
  ]),
  S('lpg', '液化石油气', 'liquefied petroleum gas', ['68476-85-7'], { q: 50, category: 'W2' }, ['LPG']),
  S('ethylene', '乙烯', 'ethylene', ['74-85-1'], { q: 50, category: 'W2' }, ['C2H4']),
  S('vinyl_chloride', '氯乙烯', 'vinyl chloride', ['75-01-4'], { q: 50, category: 'W2' }, ['VCM']),
  S('dimethyl_ether', '二甲醚', 'dimethyl ether', ['115-10-6'], { q: 50, category: 'W2', confirmed: false }, [
    'DME',
  ]),

  // Oxidising gas (W4, β 1).
  S(
    'oxygen',
    '氧（压缩的或液化的）',
    'oxygen (compressed or liquefied)',
    ['7782-44-7'],
    { q: 200, category: 'W4' },
    ['氧', '氧气', '液氧', 'O2'],
  ),

  // Liquids: β depends on the W5.x / J category the site assigns (process conditions).
  S('benzene', '苯', 'benzene', ['71-43-2'], { q: 50 }),
  S('acrylonitrile', '2-丙烯腈', 'acrylonitrile', ['107-13-1'], { q: 50 }, ['丙烯腈']),
  S('carbon_disulfide', '二硫化碳', 'carbon disulfide', ['75-15-0'], { q: 50 }, ['CS2']),
  S('gasoline', '汽油（乙醇汽油、甲醇汽油）', 'gasoline', ['86290-81-5'], { q: 200 }, ['汽油', 'petrol']),
  S('methanol', '甲醇', 'methanol', ['67-56-1'], { q: 500 }, ['CH3OH']),
  S('ethanol', '乙醇', 'ethanol', ['64-17-5'], { q: 500 }, ['酒精']),
  S('toluene', '甲苯', 'toluene', ['108-88-3'], { q: 500 }),
  S('acetone', '丙酮', 'acetone', ['67-64-1'], { q: 500 }),
  S('ethyl_acetate', '乙酸乙酯', 'ethyl acetate', ['141-78-6'], { q: 500 }),
  // Recalled from Table 1, not yet checked against the text.
  S('propylene_oxide', '1,2-环氧丙烷', 'propylene oxide', ['75-56-9'], { q: 10, confirmed: false }, [
    '环氧丙烷',
  ]),
  S('diethyl_ether', '乙醚', 'diethyl ether', ['60-29-7'], { q: 10, confirmed: false }),
  S('styrene', '苯乙烯', 'styrene', ['100-42-5'], { q: 500, confirmed: false }),
  S('cyclohexane', '环己烷', 'cyclohexane', ['110-82-7'], { q: 500, confirmed: false }),
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
    .normalize('NFKC') // ₂ → 2, （ → (, full-width letters → ASCII
    .toLowerCase()
    .replace(/\s+/g, '');
}

const byName = new Map<string, NamedSubstance>();
const byCas = new Map<string, NamedSubstance>();
for (const s of NAMED_SUBSTANCES) {
  for (const n of [s.key, s.zh, s.en, ...s.aliases]) byName.set(substanceKey(n), s);
  for (const c of s.cas) byCas.set(c, s);
}

/** Find a named substance by CAS number (preferred) or by any of its names. */
export function findNamedSubstance(ref: {
  readonly substance?: string;
  readonly cas?: string;
}): NamedSubstance | undefined {
  if (ref.cas !== undefined) {
    const hit = byCas.get(ref.cas.trim());
    if (hit !== undefined) return hit;
  }
  return ref.substance === undefined ? undefined : byName.get(substanceKey(ref.substance));
}
