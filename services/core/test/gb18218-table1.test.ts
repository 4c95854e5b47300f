import { describe, expect, it } from 'vitest';
import { GB18218_TABLE1, NAMED_SUBSTANCES, lookupSubstance } from '@hazardwatch/core';

/**
 * GB 18218-2018 Table 1, transcribed independently of the source the table was built from:
 * [序号, name, CAS or null, Q (t)] as printed in source B (the public MySQL seed
 * "GB 18218-2018 修复版种子数据"; names with its ASCII punctuation). B leaves out No. 17, taken from
 * source D (溴甲烷 74-83-9, 10 t), and keeps Nos. 37, 38, 41–43 only as commented fragments, whose
 * name and Q are used here. No. 72 is matched by CAS only: B and C both garble its long name.
 */
const SOURCE_B: readonly (readonly [number, string, string | null, number])[] = [
  [1, '氨', '7664-41-7', 10],
  [2, '二氟化氧', '7783-41-7', 1],
  [3, '二氧化氮', '10102-44-0', 1],
  [4, '二氧化硫', '7446-09-5', 20],
  [5, '氟', '7782-41-4', 1],
  [6, '碳酰氯', '75-44-5', 0.3],
  [7, '环氧乙烷', '75-21-8', 10],
  [8, '甲醛(含量>90%)', '50-00-0', 5],
  [9, '磷化氢', '7803-51-2', 1],
  [10, '硫化氢', '7783-06-4', 5],
  [11, '氯化氢(无水)', '7647-01-0', 20],
  [12, '氯', '7782-50-5', 5],
  [13, '煤气(CO,CO和H2、CH4的混合物等)', null, 20],
  [14, '砷化氢', '7784-42-1', 1],
  [15, '锑化氢', '7803-52-3', 1],
  [16, '硒化氢', '7783-07-5', 1],
  [17, '溴甲烷', '74-83-9', 10],
  [18, '丙酮氰醇', '75-86-5', 20],
  [19, '丙烯醛', '107-02-8', 20],
  [20, '氟化氢', '7664-39-3', 1],
  [21, '环氧氯丙烷', '106-89-8', 20],
  [22, '环氧溴丙烷', '3132-64-7', 20],
  [23, '甲苯二异氰酸酯', '26471-62-5', 100],
  [24, '一氯化硫', '10025-67-9', 1],
  [25, '氰化氢', '74-90-8', 1],
  [26, '三氧化硫', '7446-11-9', 75],
  [27, '3-氨基丙烯', '107-11-9', 20],
  [28, '溴', '7726-95-6', 20],
  [29, '乙撑亚胺', '151-56-4', 20],
  [30, '异氰酸甲酯', '624-83-9', 0.75],
  [31, '叠氮化钡', '18810-58-7', 0.5],
  [32, '叠氮化铅', '13424-46-9', 0.5],
  [33, '雷汞', '628-86-4', 0.5],
  [34, '三硝基苯甲醚', '28653-16-9', 5],
  [35, '2,4,6-三硝基甲苯', '118-96-7', 5],
  [36, '硝化甘油', '55-63-0', 1],
  [37, '硝化纤维素[干的或含水(或乙醇)<25%]', null, 1],
  [38, '硝化纤维素(未改型的,或增塑的,含增塑剂<18%)', null, 1],
  [39, '硝化纤维素(含乙醇≥25%)', null, 10],
  [40, '硝化纤维素(含氮≤12.6%)', null, 50],
  [41, '硝化纤维素(含水≥25%)', null, 50],
  [42, '硝化纤维素溶液(含氮量≤12.6%,含硝化纤维素≤55%)', null, 50],
  [43, '硝酸铵(含可燃物>0.2%,包括以碳计算的任何有机物,但不包括任何其他添加剂)', null, 5],
  [44, '硝酸铵(含可燃物≤0.2%)', null, 50],
  [45, '硝酸铵肥料(含可燃物≤0.4%)', null, 200],
  [46, '硝酸钾', '7757-79-1', 1000],
  [47, '1,3-丁二烯', '106-99-0', 5],
  [48, '二甲醚', '115-10-6', 50],
  [49, '甲烷,天然气', '8006-14-2', 50],
  [50, '氯乙烯', '75-01-4', 50],
  [51, '氢', '1333-74-0', 5],
  [52, '液化石油气(含丙烷、丁烷及其混合物)', '74-98-6', 50],
  [53, '一甲胺', '74-89-5', 5],
  [54, '乙炔', '74-86-2', 1],
  [55, '乙烯', '74-85-1', 50],
  [56, '氧(压缩的或液化的)', '7782-44-7', 200],
  [57, '苯', '71-43-2', 50],
  [58, '苯乙烯', '100-42-5', 500],
  [59, '丙酮', '67-64-1', 500],
  [60, '2-丙烯腈', '107-13-1', 50],
  [61, '二硫化碳', '75-15-0', 50],
  [62, '环己烷', '110-82-7', 500],
  [63, '1,2-环氧丙烷', '75-56-9', 10],
  [64, '甲苯', '108-88-3', 500],
  [65, '甲醇', '67-56-1', 500],
  [66, '汽油(乙醇汽油、甲醇汽油)', '86290-81-5', 200],
  [67, '乙醇', '64-17-5', 500],
  [68, '乙醚', '60-29-7', 10],
  [69, '乙酸乙酯', '141-78-6', 500],
  [70, '正己烷', '110-54-3', 500],
  [71, '过乙酸', '79-21-0', 10],
  [72, '', '1338-23-4', 10],
  [73, '白磷', '12185-10-3', 50],
  [74, '烷基铝', null, 1],
  [75, '戊硼烷', '19624-22-7', 1],
  [76, '过氧化钾', '17014-71-0', 20],
  [77, '过氧化钠', '1313-60-6', 20],
  [78, '氯酸钾', '3811-04-9', 100],
  [79, '氯酸钠', '7775-09-9', 100],
  [80, '发烟硝酸', '52583-42-3', 20],
  [81, '硝酸(发红烟的除外,含硝酸>70%)', '7697-37-2', 100],
  [82, '硝酸胍', '506-93-4', 50],
  [83, '碳化钙', '75-20-7', 100],
  [84, '钾', '7440-09-7', 1],
  [85, '钠', '7440-23-5', 10],
];

/** CAS check digit (CAS Registry rules): Σ position·digit over the body, mod 10. */
function casCheckDigitOk(cas: string): boolean {
  const digits = cas.replace(/-/g, '');
  const body = digits.slice(0, -1).split('').reverse();
  const sum = body.reduce((acc, d, i) => acc + (i + 1) * Number(d), 0);
  return sum % 10 === Number(digits.slice(-1));
}

describe('GB 18218-2018 Table 1, all 85 entries, against source B', () => {
  it('has 85 entries numbered 1…85, each once', () => {
    expect(SOURCE_B).toHaveLength(85);
    expect(GB18218_TABLE1.map((e) => e.no)).toEqual(Array.from({ length: 85 }, (_, i) => i + 1));
  });

  it.each(SOURCE_B.map((row) => [row[0], row[1], row[2], row[3]] as const))(
    'No. %s %s (CAS %s) ⇒ Q = %s t, by name and by CAS',
    (no, name, cas, q) => {
      const entry = GB18218_TABLE1.find((e) => e.no === no);
      expect(entry?.q).toBe(q);
      if (cas !== null) expect(entry?.cas).toContain(cas);
      if (name !== '') {
        const byName = lookupSubstance({ substance: name });
        expect(byName.kind).toBe('found');
        if (byName.kind === 'found') {
          expect(byName.substance.table1No).toBe(no);
          expect(byName.substance.q).toBe(q);
        }
      }
      if (cas !== null && cas !== '9004-70-0' && cas !== '6484-52-2') {
        const byCas = lookupSubstance({ cas });
        expect(byCas.kind).toBe('found');
        if (byCas.kind === 'found') expect(byCas.substance.table1No).toBe(no);
      }
    },
  );

  it('No. 72 (MEKP) is found by CAS; every printed CAS passes the check digit', () => {
    const mekp = lookupSubstance({ cas: '1338-23-4' });
    expect(mekp.kind === 'found' && mekp.substance.zh.startsWith('过氧化甲基乙基酮')).toBe(true);
    for (const e of GB18218_TABLE1)
      for (const cas of e.cas) expect([cas, casCheckDigitOk(cas)]).toEqual([cas, true]);
    expect(casCheckDigitOk('7782-50-6')).toBe(false);
  });

  it('only variants of one substance share a CAS or a name; those need the variant named', () => {
    expect(lookupSubstance({ cas: '9004-70-0' })).toMatchObject({ kind: 'ambiguous' });
    expect(lookupSubstance({ cas: '6484-52-2' })).toMatchObject({ kind: 'ambiguous' });
    expect(lookupSubstance({ substance: '硝化棉' })).toMatchObject({ kind: 'ambiguous' });
    const named = lookupSubstance({ substance: '硝化纤维素（含乙醇≥25%）', cas: '9004-70-0' });
    expect(named.kind === 'found' && named.substance.q).toBe(10);
    const cas = NAMED_SUBSTANCES.flatMap((s) => s.cas);
    const shared = [...new Set(cas.filter((c, i) => cas.indexOf(c) !== i))].sort();
    expect(shared).toEqual(['6484-52-2', '9004-70-0']);
  });

  it('every Table 1 entry is a named substance, and every named substance is confirmed', () => {
    const numbers = new Set(NAMED_SUBSTANCES.map((s) => s.table1No));
    for (let no = 1; no <= 85; no++) expect(numbers.has(no)).toBe(true);
    expect(NAMED_SUBSTANCES.filter((s) => !s.confirmed)).toEqual([]);
  });
});
