import { describe, expect, it } from 'vitest';
import {
  CATEGORY_TABLE,
  GB18218_STANDARD,
  NAMED_SUBSTANCES,
  alphaForPopulation,
  assessHazard,
  coreErrors,
  computeR,
  computeS,
  findNamedSubstance,
  hazardLevelFromR,
} from '@hazardwatch/core';

describe('GB 18218-2018 worked examples (REFERENCE §8 items 4–6)', () => {
  it('item 4: Cl₂ 2.5 t + NH₃ 5 t ⇒ S = 1.0 ⇒ major hazard', () => {
    const a = assessHazard(
      [
        { substance: 'Cl2', designMaxTonnes: 2.5 },
        { substance: 'NH3', designMaxTonnes: 5 },
      ],
      0,
    );
    expect(a.s).toBe(1.0);
    expect(a.isMajorHazard).toBe(true);
  });

  it.each([
    [100, 1],
    [99.999, 2],
    [50, 2],
    [49.999, 3],
    [10, 3],
    [9.999, 4],
    [0, 4],
  ] as const)('item 5: R = %s ⇒ level %s', (r, level) => {
    expect(hazardLevelFromR(r)).toBe(level);
  });

  it('item 5: Cl₂ 5 t + NH₃ 5 t, 0 people ⇒ R = 0.5·(4·1 + 2·0.5) = 2.5 ⇒ 四级', () => {
    const a = assessHazard(
      [
        { substance: '氯', designMaxTonnes: 5 },
        { substance: '氨', designMaxTonnes: 5 },
      ],
      0,
    );
    expect(a.alpha).toBe(0.5);
    expect(a.r).toBe(2.5);
    expect(a.level).toBe(4);
    expect(a.terms.map((t) => [t.criticalQ, t.beta, t.betaSource])).toEqual([
      [5, 4, 'table3'],
      [10, 2, 'table3'],
    ]);
  });

  it.each([
    [0, 0.5],
    [1, 1.0],
    [29, 1.0],
    [30, 1.2],
    [49, 1.2],
    [50, 1.5],
    [99, 1.5],
    [100, 2.0],
    [5000, 2.0],
  ] as const)('item 6: α(%s people) = %s', (people, alpha) => {
    expect(alphaForPopulation(people)).toBe(alpha);
  });
});

describe('GB 18218-2018 computation', () => {
  it('snapshots are frozen, versioned and carry computedAt only when given', () => {
    const a = assessHazard([{ cas: '7782-50-5', designMaxTonnes: 5 }], 10, 1_700_000_000_000);
    expect(a.standard).toBe(GB18218_STANDARD);
    expect(a.standard).toBe('GB18218-2018');
    expect(a.computedAt).toBe(1_700_000_000_000);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.terms)).toBe(true);
    expect(Object.isFrozen(a.terms[0])).toBe(true);
    expect('computedAt' in assessHazard([{ cas: '7782-50-5', designMaxTonnes: 5 }], 10)).toBe(false);
  });

  it('β falls back to Table 4 by category when the substance is not in Table 3', () => {
    // Toluene: Table 1 Q = 500; W5.3 ⇒ β = 1. Hydrogen: Table 1 Q = 5, default W2 ⇒ β = 1.5.
    const a = assessHazard(
      [
        { substance: '甲苯', category: 'W5.3', designMaxTonnes: 400 },
        { substance: 'hydrogen', designMaxTonnes: 1 },
      ],
      20,
    );
    expect(a.s).toBe(1);
    expect(a.terms.map((t) => [t.qSource, t.beta, t.betaSource])).toEqual([
      ['table1', 1, 'table4'],
      ['table1', 1.5, 'table4'],
    ]);
    expect(a.r).toBe(1.1);
  });

  it('an unnamed substance uses its Table 2 category for Q and β', () => {
    const a = assessHazard([{ substance: '某急性毒性气体', category: 'J1', designMaxTonnes: 5 }], 100);
    expect(a.terms[0]).toMatchObject({ criticalQ: 5, qSource: 'table2', beta: 4, betaSource: 'table4' });
    expect(a.r).toBe(8);
  });

  it('CO takes Q = 20 t from Table 1 No. 13 (煤气, which names CO), not its category, and β from Table 3', () => {
    const a = assessHazard([{ substance: 'CO', category: 'J3', designMaxTonnes: 50 }], 0);
    expect(a.terms[0]).toMatchObject({ criticalQ: 20, qSource: 'table1', beta: 2, betaSource: 'table3' });
  });

  it('unknown substance without category ⇒ coded error naming it', () => {
    let caught: unknown;
    try {
      assessHazard([{ substance: 'unobtainium', designMaxTonnes: 1 }], 0);
    } catch (err) {
      caught = err;
    }
    expect(coreErrors.is(caught, 'HW_CORE_GB18218_UNKNOWN_SUBSTANCE')).toBe(true);
    expect((caught as Error).message).toContain('unobtainium');
  });

  it('a liquid with no category has no β ⇒ coded error', () => {
    expect(() => assessHazard([{ substance: 'methanol', designMaxTonnes: 1 }], 0)).toThrow(
      expect.objectContaining({ code: 'HW_CORE_GB18218_BETA_UNKNOWN' }),
    );
  });

  it('rejects bad categories, quantities and populations with coded errors', () => {
    expect(() => assessHazard([{ category: 'W99', designMaxTonnes: 1 }], 0)).toThrow(
      expect.objectContaining({ code: 'HW_CORE_GB18218_UNKNOWN_CATEGORY' }),
    );
    expect(() => assessHazard([{ substance: 'Cl2', designMaxTonnes: -1 }], 0)).toThrow(
      expect.objectContaining({ code: 'HW_CORE_GB18218_INVALID_QUANTITY' }),
    );
    expect(() => alphaForPopulation(1.5)).toThrow(
      expect.objectContaining({ code: 'HW_CORE_INVALID_POPULATION' }),
    );
    expect(() => hazardLevelFromR(Number.NaN)).toThrow(
      expect.objectContaining({ code: 'HW_CORE_INVALID_NUMBER' }),
    );
  });

  it('sums are stable at the boundaries despite binary floating point', () => {
    // 0.1 + 0.2 style sums: 3 × (1/3 of Q) must give S = 1 exactly.
    expect(computeS([1, 2, 3].map(() => ({ q: 1, criticalQ: 3 })))).toBe(1);
    // R exactly 100 ⇒ 一级: 2 · (30·0.1/0.3 + 30·0.2/0.3 + 20·0.4/0.4), each term inexact in binary.
    const r = computeR(2, [
      { q: 0.1, criticalQ: 0.3, beta: 30 },
      { q: 0.2, criticalQ: 0.3, beta: 30 },
      { q: 0.4, criticalQ: 0.4, beta: 20 },
    ]);
    expect(r).toBe(100);
    expect(hazardLevelFromR(r)).toBe(1);
  });
});

describe('GB 18218-2018 constant tables', () => {
  it('Table 1 sample entries (REFERENCE §4)', () => {
    const q = (name: string) => findNamedSubstance({ substance: name })?.q;
    expect([q('光气'), q('异氰酸甲酯'), q('乙炔'), q('HF'), q('HCN')]).toEqual([0.3, 0.75, 1, 1, 1]);
    expect([q('氯'), q('H2S'), q('氢'), q('1,3-丁二烯'), q('氨'), q('环氧乙烷')]).toEqual([
      5, 5, 5, 5, 10, 10,
    ]);
    expect([q('SO2'), q('无水氯化氢'), q('天然气'), q('LPG'), q('乙烯'), q('氯乙烯')]).toEqual([
      20, 20, 50, 50, 50, 50,
    ]);
    expect([q('苯'), q('丙烯腈'), q('CS₂'), q('氧'), q('汽油')]).toEqual([50, 50, 50, 200, 200]);
    expect([q('甲醇'), q('乙醇'), q('甲苯'), q('丙酮'), q('乙酸乙酯')]).toEqual([500, 500, 500, 500, 500]);
  });

  it('Table 3 β for the named toxic gases', () => {
    const beta = (name: string) => findNamedSubstance({ substance: name })?.beta;
    expect(['CO', 'SO2', 'NH3', 'ethylene oxide'].map(beta)).toEqual([2, 2, 2, 2]);
    expect(['HCl', 'methyl bromide', 'Cl2', 'H2S', 'HF'].map(beta)).toEqual([3, 3, 4, 5, 5]);
    expect(['NO2', 'HCN', 'phosgene', 'phosphine', 'MIC'].map(beta)).toEqual([10, 10, 20, 20, 20]);
  });

  it('Tables 2 and 4: Q and β by category', () => {
    const row = (c: keyof typeof CATEGORY_TABLE) => [CATEGORY_TABLE[c].q, CATEGORY_TABLE[c].beta];
    expect(row('J1')).toEqual([5, 4]);
    expect(row('J2')).toEqual([50, 1]);
    expect(row('J5')).toEqual([500, 1]);
    expect(row('W1.1')).toEqual([1, 2]);
    expect(row('W2')).toEqual([10, 1.5]);
    expect(row('W3')).toEqual([150, 1]);
    expect(row('W5.1')).toEqual([10, 1.5]);
    expect(row('W5.4')).toEqual([5000, 1]);
    expect(row('W7.1')).toEqual([10, 1.5]);
    expect(row('W11')).toEqual([200, 1]);
  });

  it('names and CAS numbers resolve to one entry each (Table 1 variants aside)', () => {
    const cas = NAMED_SUBSTANCES.flatMap((s) => s.cas).filter((c) => c !== '9004-70-0' && c !== '6484-52-2');
    expect(new Set(cas).size).toBe(cas.length);
    expect(findNamedSubstance({ substance: ' Ｃｌ₂ ' })?.key).toBe('chlorine');
    expect(findNamedSubstance({ cas: '7664-41-7' })?.key).toBe('ammonia');
  });
});
