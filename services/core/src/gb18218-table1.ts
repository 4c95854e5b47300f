/**
 * GB 18218-2018 Table 1 (表1 危险化学品名称及其临界量): all 85 numbered entries, Q in t, as printed
 * (name and explanation, 别名, CAS 号). English names are ours, not the standard's.
 *
 * Sources, read entry by entry (issue #19 item 7):
 * - A: a full-text transcription of the standard (public GitHub qieqiesitan/digital-emergency-plan-generator,
 *   backend/app/regulations/data/uploads/reg_gb_18218_2018/…GB+18218-2018.md, commit 227230d), and the SQL
 *   seed generated from the same PDF in that repository (REFERENCE S28). Counted as one source.
 * - B: an independent public MySQL seed ("GB 18218-2018 修复版种子数据", database hazard_source_system),
 *   extracted from the PDF separately. Agrees with A on name, CAS and Q for 79 entries; it leaves out
 *   No. 17 and carries Nos. 37, 38, 41–43 only as commented-out fragments, which agree with A on name
 *   and Q (and on CAS 9004-70-0 / 6484-52-2).
 * - C: a public JS table GB18218_TABLE1_CHEMICALS numbered 1–85 (REFERENCE S29; names OCR-noisy).
 *   Agrees with A on CAS and Q for every row where it prints them.
 * - D: a public JS map keyed by CAS (MajorHazardAssessment.initializeCriticalQuantities): No. 17 溴甲烷
 *   74-83-9, 10 t, as in A and C.
 * Every entry below is therefore confirmed by A and at least one of B, C, D; the test
 * gb18218-table1.test.ts checks each against a literal list transcribed from B (C/D where B is silent).
 * Every printed CAS number passes the CAS check-digit test.
 *
 * Rows 37–41 share one merged 别名/CAS cell in the standard (硝化棉, 9004-70-0); it is repeated here.
 * The table prints no CAS for Nos. 13, 45 and 74.
 */

export interface Table1Entry {
  /** 序号 in Table 1. */
  readonly no: number;
  readonly key: string;
  /** 危险化学品名称和说明, as printed (full-width punctuation). */
  readonly zh: string;
  readonly en: string;
  readonly cas: readonly string[];
  /** 临界量 Q, t. */
  readonly q: number;
  /** 别名, as printed. */
  readonly aliases: readonly string[];
}

const T = (
  no: number,
  key: string,
  zh: string,
  en: string,
  cas: readonly string[],
  q: number,
  aliases: readonly string[],
): Table1Entry =>
  Object.freeze({ no, key, zh, en, cas: Object.freeze([...cas]), q, aliases: Object.freeze([...aliases]) });

export const GB18218_TABLE1: readonly Table1Entry[] = Object.freeze([
  T(1, 'ammonia', '氨', 'ammonia', ['7664-41-7'], 10, ['液氨', '氨气']),
  T(2, 'oxygen_difluoride', '二氟化氧', 'oxygen difluoride', ['7783-41-7'], 1, ['一氧化二氟']),
  T(3, 'nitrogen_dioxide', '二氧化氮', 'nitrogen dioxide', ['10102-44-0'], 1, []),
  T(4, 'sulfur_dioxide', '二氧化硫', 'sulfur dioxide', ['7446-09-5'], 20, ['亚硫酸酐']),
  T(5, 'fluorine', '氟', 'fluorine', ['7782-41-4'], 1, []),
  T(6, 'phosgene', '碳酰氯', 'carbonyl chloride (phosgene)', ['75-44-5'], 0.3, ['光气']),
  T(7, 'ethylene_oxide', '环氧乙烷', 'ethylene oxide', ['75-21-8'], 10, ['氧化乙烯']),
  T(8, 'formaldehyde', '甲醛（含量＞90%）', 'formaldehyde (content > 90 %)', ['50-00-0'], 5, ['蚁醛']),
  T(9, 'phosphine', '磷化氢', 'phosphine', ['7803-51-2'], 1, ['磷化三氢', '膦']),
  T(10, 'hydrogen_sulfide', '硫化氢', 'hydrogen sulfide', ['7783-06-4'], 5, []),
  T(11, 'hydrogen_chloride', '氯化氢（无水）', 'hydrogen chloride (anhydrous)', ['7647-01-0'], 20, []),
  T(12, 'chlorine', '氯', 'chlorine', ['7782-50-5'], 5, ['液氯', '氯气']),
  T(
    13,
    'coal_gas',
    '煤气（CO，CO和H₂、CH₄的混合物等）',
    'coal gas (CO, mixtures of CO with H2, CH4 etc.)',
    [],
    20,
    [],
  ),
  T(14, 'arsine', '砷化氢', 'arsine', ['7784-42-1'], 1, ['砷化三氢', '胂']),
  T(15, 'stibine', '锑化氢', 'stibine', ['7803-52-3'], 1, ['三氢化锑', '锑化三氢']),
  T(16, 'hydrogen_selenide', '硒化氢', 'hydrogen selenide', ['7783-07-5'], 1, []),
  T(17, 'methyl_bromide', '溴甲烷', 'methyl bromide', ['74-83-9'], 10, ['甲基溴']),
  T(18, 'acetone_cyanohydrin', '丙酮氰醇', 'acetone cyanohydrin', ['75-86-5'], 20, [
    '丙酮合氰化氢',
    '2-羟基异丁腈',
    '氰丙醇',
  ]),
  T(19, 'acrolein', '丙烯醛', 'acrolein', ['107-02-8'], 20, ['烯丙醛', '败脂醛']),
  T(20, 'hydrogen_fluoride', '氟化氢', 'hydrogen fluoride', ['7664-39-3'], 1, []),
  T(21, 'epichlorohydrin', '1-氯-2,3-环氧丙烷', 'epichlorohydrin', ['106-89-8'], 20, [
    '环氧氯丙烷',
    '3-氯-1,2-环氧丙烷',
  ]),
  T(22, 'epibromohydrin', '3-溴-1,2-环氧丙烷', 'epibromohydrin', ['3132-64-7'], 20, [
    '环氧溴丙烷',
    '溴甲基环氧乙烷',
    '表溴醇',
  ]),
  T(23, 'toluene_diisocyanate', '甲苯二异氰酸酯', 'toluene diisocyanate', ['26471-62-5'], 100, [
    '二异氰酸甲苯酯',
    'TDI',
  ]),
  T(24, 'sulfur_monochloride', '一氯化硫', 'sulfur monochloride', ['10025-67-9'], 1, ['氯化硫']),
  T(25, 'hydrogen_cyanide', '氰化氢', 'hydrogen cyanide', ['74-90-8'], 1, ['无水氢氰酸']),
  T(26, 'sulfur_trioxide', '三氧化硫', 'sulfur trioxide', ['7446-11-9'], 75, ['硫酸酐']),
  T(27, 'allylamine', '3-氨基丙烯', 'allylamine', ['107-11-9'], 20, ['烯丙胺']),
  T(28, 'bromine', '溴', 'bromine', ['7726-95-6'], 20, ['溴素']),
  T(29, 'ethyleneimine', '乙撑亚胺', 'ethyleneimine', ['151-56-4'], 20, ['吖丙啶', '1-氮杂环丙烷', '氮丙啶']),
  T(30, 'methyl_isocyanate', '异氰酸甲酯', 'methyl isocyanate', ['624-83-9'], 0.75, ['甲基异氰酸酯']),
  T(31, 'barium_azide', '叠氮化钡', 'barium azide', ['18810-58-7'], 0.5, ['叠氮钡']),
  T(32, 'lead_azide', '叠氮化铅', 'lead azide', ['13424-46-9'], 0.5, []),
  T(33, 'mercury_fulminate', '雷汞', 'mercury fulminate', ['628-86-4'], 0.5, ['二雷酸汞', '雷酸汞']),
  T(34, 'trinitroanisole', '三硝基苯甲醚', 'trinitroanisole', ['28653-16-9'], 5, ['三硝基茴香醚']),
  T(35, 'tnt', '2,4,6-三硝基甲苯', '2,4,6-trinitrotoluene', ['118-96-7'], 5, ['梯恩梯', 'TNT']),
  T(36, 'nitroglycerin', '硝化甘油', 'nitroglycerin', ['55-63-0'], 1, ['硝化丙三醇', '甘油三硝酸酯']),
  T(
    37,
    'nitrocellulose_dry',
    '硝化纤维素［干的或含水（或乙醇）＜25%］',
    'nitrocellulose, dry or wetted with < 25 % water (or alcohol)',
    ['9004-70-0'],
    1,
    ['硝化棉'],
  ),
  T(
    38,
    'nitrocellulose_unmodified',
    '硝化纤维素（未改型的，或增塑的，含增塑剂＜18%）',
    'nitrocellulose, unmodified or plasticized with < 18 % plasticizer',
    ['9004-70-0'],
    1,
    ['硝化棉'],
  ),
  T(
    39,
    'nitrocellulose_ethanol',
    '硝化纤维素（含乙醇≥25%）',
    'nitrocellulose with ≥ 25 % ethanol',
    ['9004-70-0'],
    10,
    ['硝化棉'],
  ),
  T(
    40,
    'nitrocellulose_low_nitrogen',
    '硝化纤维素（含氮≤12.6%）',
    'nitrocellulose with ≤ 12.6 % nitrogen',
    ['9004-70-0'],
    50,
    ['硝化棉'],
  ),
  T(
    41,
    'nitrocellulose_water',
    '硝化纤维素（含水≥25%）',
    'nitrocellulose with ≥ 25 % water',
    ['9004-70-0'],
    50,
    ['硝化棉'],
  ),
  T(
    42,
    'nitrocellulose_solution',
    '硝化纤维素溶液（含氮量≤12.6%，含硝化纤维素≤55%）',
    'nitrocellulose solution (≤ 12.6 % N, ≤ 55 % nitrocellulose)',
    ['9004-70-0'],
    50,
    ['硝化棉溶液'],
  ),
  T(
    43,
    'ammonium_nitrate',
    '硝酸铵（含可燃物＞0.2%，包括以碳计算的任何有机物，但不包括任何其他添加剂）',
    'ammonium nitrate with > 0.2 % combustible material',
    ['6484-52-2'],
    5,
    [],
  ),
  T(
    44,
    'ammonium_nitrate_low_combustible',
    '硝酸铵（含可燃物≤0.2%）',
    'ammonium nitrate with ≤ 0.2 % combustible material',
    ['6484-52-2'],
    50,
    [],
  ),
  T(
    45,
    'ammonium_nitrate_fertiliser',
    '硝酸铵肥料（含可燃物≤0.4%）',
    'ammonium nitrate fertiliser (≤ 0.4 % combustible material)',
    [],
    200,
    [],
  ),
  T(46, 'potassium_nitrate', '硝酸钾', 'potassium nitrate', ['7757-79-1'], 1000, []),
  T(47, 'butadiene', '1,3-丁二烯', '1,3-butadiene', ['106-99-0'], 5, ['联乙烯']),
  T(48, 'dimethyl_ether', '二甲醚', 'dimethyl ether', ['115-10-6'], 50, ['甲醚']),
  T(49, 'methane', '甲烷，天然气', 'methane, natural gas', ['74-82-8', '8006-14-2'], 50, []),
  T(50, 'vinyl_chloride', '氯乙烯', 'vinyl chloride', ['75-01-4'], 50, ['乙烯基氯']),
  T(51, 'hydrogen', '氢', 'hydrogen', ['1333-74-0'], 5, ['氢气']),
  T(
    52,
    'lpg',
    '液化石油气（含丙烷、丁烷及其混合物）',
    'liquefied petroleum gas (propane, butane and their mixtures)',
    ['68476-85-7', '74-98-6', '106-97-8'],
    50,
    ['石油气（液化的）'],
  ),
  T(53, 'methylamine', '一甲胺', 'methylamine', ['74-89-5'], 5, ['氨基甲烷', '甲胺']),
  T(54, 'acetylene', '乙炔', 'acetylene', ['74-86-2'], 1, ['电石气']),
  T(55, 'ethylene', '乙烯', 'ethylene', ['74-85-1'], 50, []),
  T(56, 'oxygen', '氧（压缩的或液化的）', 'oxygen (compressed or liquefied)', ['7782-44-7'], 200, [
    '液氧',
    '氧气',
  ]),
  T(57, 'benzene', '苯', 'benzene', ['71-43-2'], 50, ['纯苯']),
  T(58, 'styrene', '苯乙烯', 'styrene', ['100-42-5'], 500, ['乙烯苯']),
  T(59, 'acetone', '丙酮', 'acetone', ['67-64-1'], 500, ['二甲基酮']),
  T(60, 'acrylonitrile', '2-丙烯腈', 'acrylonitrile', ['107-13-1'], 50, ['丙烯腈', '乙烯基氰', '氰基乙烯']),
  T(61, 'carbon_disulfide', '二硫化碳', 'carbon disulfide', ['75-15-0'], 50, []),
  T(62, 'cyclohexane', '环己烷', 'cyclohexane', ['110-82-7'], 500, ['六氢化苯']),
  T(63, 'propylene_oxide', '1,2-环氧丙烷', '1,2-propylene oxide', ['75-56-9'], 10, [
    '氧化丙烯',
    '甲基环氧乙烷',
  ]),
  T(64, 'toluene', '甲苯', 'toluene', ['108-88-3'], 500, ['甲基苯', '苯基甲烷']),
  T(65, 'methanol', '甲醇', 'methanol', ['67-56-1'], 500, ['木醇', '木精']),
  T(
    66,
    'gasoline',
    '汽油（乙醇汽油、甲醇汽油）',
    'gasoline (incl. ethanol and methanol gasoline)',
    ['86290-81-5'],
    200,
    [],
  ),
  T(67, 'ethanol', '乙醇', 'ethanol', ['64-17-5'], 500, ['酒精']),
  T(68, 'diethyl_ether', '乙醚', 'diethyl ether', ['60-29-7'], 10, ['二乙基醚']),
  T(69, 'ethyl_acetate', '乙酸乙酯', 'ethyl acetate', ['141-78-6'], 500, ['醋酸乙酯']),
  T(70, 'n_hexane', '正己烷', 'n-hexane', ['110-54-3'], 500, ['己烷']),
  T(71, 'peracetic_acid', '过乙酸', 'peracetic acid', ['79-21-0'], 10, [
    '过醋酸',
    '过氧乙酸',
    '乙酰过氧化氢',
  ]),
  T(
    72,
    'mekp',
    '过氧化甲基乙基酮（10%＜有效氧含量≤10.7%，含A型稀释剂≥48%）',
    'methyl ethyl ketone peroxide (10 % < active oxygen ≤ 10.7 %, ≥ 48 % type A diluent)',
    ['1338-23-4'],
    10,
    [],
  ),
  T(73, 'white_phosphorus', '白磷', 'white phosphorus', ['12185-10-3'], 50, ['黄磷']),
  T(74, 'aluminium_alkyls', '烷基铝', 'aluminium alkyls', [], 1, ['三烷基铝']),
  T(75, 'pentaborane', '戊硼烷', 'pentaborane', ['19624-22-7'], 1, ['五硼烷']),
  T(76, 'potassium_peroxide', '过氧化钾', 'potassium peroxide', ['17014-71-0'], 20, []),
  T(77, 'sodium_peroxide', '过氧化钠', 'sodium peroxide', ['1313-60-6'], 20, ['双氧化钠', '二氧化钠']),
  T(78, 'potassium_chlorate', '氯酸钾', 'potassium chlorate', ['3811-04-9'], 100, []),
  T(79, 'sodium_chlorate', '氯酸钠', 'sodium chlorate', ['7775-09-9'], 100, []),
  T(80, 'fuming_nitric_acid', '发烟硝酸', 'fuming nitric acid', ['52583-42-3'], 20, []),
  T(
    81,
    'nitric_acid',
    '硝酸（发红烟的除外，含硝酸＞70%）',
    'nitric acid (> 70 %, other than red fuming)',
    ['7697-37-2'],
    100,
    [],
  ),
  T(82, 'guanidine_nitrate', '硝酸胍', 'guanidine nitrate', ['506-93-4'], 50, ['硝酸亚氨脲']),
  T(83, 'calcium_carbide', '碳化钙', 'calcium carbide', ['75-20-7'], 100, ['电石']),
  T(84, 'potassium', '钾', 'potassium', ['7440-09-7'], 1, ['金属钾']),
  T(85, 'sodium', '钠', 'sodium', ['7440-23-5'], 10, ['金属钠']),
]);
