import { describe, expect, it } from 'vitest';
import {
  IMPLAUSIBLE_QUANTITY_RATIO,
  assessHazard,
  coreErrors,
  findDoubleEntries,
  isImplausibleQuantity,
  resolveInventoryLine,
  resolveInventoryLineDetailed,
  type InventoryLine,
} from '@hazardwatch/core';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return coreErrors.is(err) ? err.code : 'not coded';
  }
  return undefined;
};

describe('issue #19: a named Table 1 substance always takes its Table 1 Q', () => {
  it('600 t n-hexane (Table 1 No. 70, Q = 500 t) is a major hazard, whatever category the line gives', () => {
    // Before: n-hexane was not in the table, so W5.4 (Q = 5000 t) gave S = 0.12, "not a major hazard".
    const a = assessHazard([{ substance: '正己烷', category: 'W5.4', designMaxTonnes: 600 }], 0);
    expect(a.terms[0]).toMatchObject({ criticalQ: 500, qSource: 'table1', beta: 1, betaSource: 'table4' });
    expect(a.s).toBe(1.2);
    expect(a.isMajorHazard).toBe(true);
    expect(assessHazard([{ cas: '110-54-3', category: 'W5.3', designMaxTonnes: 600 }], 0).s).toBe(1.2);
  });

  it('20 t formaldehyde (No. 8, 含量＞90%, Q = 5 t) gives S = 4, by name, bare name or CAS', () => {
    for (const line of [
      { substance: '甲醛（含量＞90%）', category: 'J5', designMaxTonnes: 20 },
      { substance: '甲醛', category: 'J5', designMaxTonnes: 20 },
      { cas: '50-00-0', category: 'W5.3', designMaxTonnes: 20 },
    ]) {
      const a = assessHazard([line], 0);
      expect([a.terms[0]?.criticalQ, a.terms[0]?.qSource, a.s, a.isMajorHazard]).toEqual([
        5,
        'table1',
        4,
        true,
      ]);
    }
  });

  it('a substance outside Table 1 still takes its category Q (Table 2)', () => {
    expect(
      resolveInventoryLine({ substance: '正庚烷', category: 'W5.3', designMaxTonnes: 10 }),
    ).toMatchObject({
      criticalQ: 1000,
      qSource: 'table2',
    });
  });
});

describe('issue #19: name/CAS conflicts and ambiguous variants are errors', () => {
  it('a name and a CAS of different entries ⇒ HW_CORE_GB18218_NAME_CAS_CONFLICT naming both', () => {
    const line = { substance: '氯', cas: '7664-41-7', designMaxTonnes: 5 };
    expect(codeOf(() => resolveInventoryLine(line))).toBe('HW_CORE_GB18218_NAME_CAS_CONFLICT');
    try {
      resolveInventoryLine(line);
    } catch (err) {
      expect((err as Error).message).toContain('No. 12 氯');
      expect((err as Error).message).toContain('No. 1 氨');
    }
  });

  it('a Table 1 name with a CAS that is not its own ⇒ conflict; with its own CAS ⇒ fine', () => {
    expect(
      codeOf(() => resolveInventoryLine({ substance: '液氯', cas: '7782-50-6', designMaxTonnes: 1 })),
    ).toBe('HW_CORE_GB18218_NAME_CAS_CONFLICT');
    expect(resolveInventoryLine({ substance: '液氯', cas: '7782-50-5', designMaxTonnes: 1 }).criticalQ).toBe(
      5,
    );
    // An unknown name with a Table 1 CAS resolves by the CAS (names vary; the CAS does not).
    expect(
      resolveInventoryLine({ substance: '液态氯', cas: '7782-50-5', designMaxTonnes: 1 }).criticalQ,
    ).toBe(5);
  });

  it('a CAS or name shared by Table 1 variants needs the variant ⇒ HW_CORE_GB18218_AMBIGUOUS_SUBSTANCE', () => {
    expect(codeOf(() => resolveInventoryLine({ cas: '6484-52-2', designMaxTonnes: 1 }))).toBe(
      'HW_CORE_GB18218_AMBIGUOUS_SUBSTANCE',
    );
    expect(codeOf(() => resolveInventoryLine({ substance: '硝化棉', designMaxTonnes: 1 }))).toBe(
      'HW_CORE_GB18218_AMBIGUOUS_SUBSTANCE',
    );
    expect(
      resolveInventoryLine({
        substance: '硝酸铵（含可燃物≤0.2%）',
        cas: '6484-52-2',
        category: 'W9.2',
        designMaxTonnes: 1,
      }).criticalQ,
    ).toBe(50);
  });
});

describe('issue #19: implausible quantities (a kg figure in the tonne field)', () => {
  it(`q/Q ≥ ${IMPLAUSIBLE_QUANTITY_RATIO} is implausible; a large real farm is not`, () => {
    // 100 t of chlorine typed in kg: 100,000 "t" = 20,000·Q.
    expect(isImplausibleQuantity(resolveInventoryLine({ substance: 'Cl2', designMaxTonnes: 100_000 }))).toBe(
      true,
    );
    expect(isImplausibleQuantity(resolveInventoryLine({ substance: 'Cl2', designMaxTonnes: 49_999 }))).toBe(
      false,
    );
    expect(isImplausibleQuantity(resolveInventoryLine({ substance: 'Cl2', designMaxTonnes: 50_000 }))).toBe(
      true,
    );
    // A 450,000 t gasoline tank group (Q = 200 t) is large but real: 2,250·Q.
    expect(
      isImplausibleQuantity(
        resolveInventoryLine({ substance: '汽油', category: 'W5.1', designMaxTonnes: 450_000 }),
      ),
    ).toBe(false);
  });
});

describe('issue #19: a substance both toxic and flammable is entered once, with the larger β', () => {
  const resolve = (lines: InventoryLine[]) => lines.map(resolveInventoryLineDetailed);

  it('one substance under two categories is a double entry; the single line keeps the larger β and lower Q', () => {
    const lines = resolve([
      { substance: '丙烯腈', category: 'J4', designMaxTonnes: 30 },
      { substance: '氯', designMaxTonnes: 1 },
      { substance: '丙烯腈', category: 'W5.3', designMaxTonnes: 30 },
    ]);
    expect(findDoubleEntries(lines)).toEqual([
      { lines: [0, 2], substance: '2-丙烯腈', beta: 2, criticalQ: 50 },
    ]);
  });

  it('an unnamed substance under two categories: larger β, lowest category Q (§4.1.2 b)', () => {
    const lines = resolve([
      { substance: '某有毒易燃气体', category: 'J3', designMaxTonnes: 5 },
      { substance: '某有毒易燃气体', category: 'W2', designMaxTonnes: 5 },
    ]);
    expect(findDoubleEntries(lines)).toEqual([
      { lines: [0, 1], substance: '某有毒易燃气体', beta: 2, criticalQ: 10 },
    ]);
  });

  it('several tanks of one substance under one category add up and are not reported', () => {
    const lines = resolve([
      { substance: '甲醇', category: 'W5.3', designMaxTonnes: 300 },
      { cas: '67-56-1', category: 'W5.3', designMaxTonnes: 300 },
    ]);
    expect(findDoubleEntries(lines)).toEqual([]);
    expect(
      assessHazard(
        [lines[0]!.term, lines[1]!.term].map((t) => ({
          cas: t.cas!,
          category: t.category!,
          designMaxTonnes: t.q,
        })),
        0,
      ).s,
    ).toBe(1.2);
  });
});
