import { describe, expect, it } from 'vitest';
import {
  MOLAR_VOLUME_L_PER_MOL,
  OEL_TABLE,
  concentrationUnit,
  findOel,
  fromMgM3,
  oelBasisMgM3,
} from '@hazardwatch/core';

/**
 * Source O1 (vendor table after GB/T 50493-2019 and GBZ 2.1-2019, bjime.com/jsshow-464492.html),
 * transcribed here independently of oel-table.ts: [formula, MAC, PC-TWA, PC-STEL, level-1 set point
 * AL] in mg/m³. Benzene is the exception: GBZ 2.1-2019 Amendment No. 1 replaced O1's 6 / 10.
 */
const O1: readonly (readonly [string, number | null, number | null, number | null, number])[] = [
  ['H2S', 10, null, null, 10],
  ['CO', null, 20, 30, 20],
  ['NO2', null, 5, 10, 5],
  ['Cl2', 1, null, null, 1],
  ['CH4O', null, 25, 50, 25],
  ['SO2', null, 5, 10, 5],
  ['NH3', null, 20, 30, 20],
  ['HF', 2, null, null, 2],
  ['HCN', 1, null, null, 1],
  ['HCl', 7.5, null, null, 7.5],
  ['COCl2', 0.5, null, null, 0.5],
  ['C2H3Cl', null, 10, 25, 10],
  ['C3H3N', null, 1, 2, 1],
  ['C7H8', null, 50, 100, 50],
  ['O3', 0.3, null, null, 0.3],
  ['C8H10', null, 50, 100, 50],
];

describe('OEL table (GBZ 2.1-2019 Table 1) against source O1', () => {
  it.each(O1.map((r) => [...r] as const))(
    '%s: MAC %s, PC-TWA %s, PC-STEL %s; level-1 basis %s',
    (f, mac, twa, stel, al) => {
      const e = findOel(f);
      expect(e).toBeDefined();
      expect([e?.macMgM3 ?? null, e?.twaMgM3 ?? null, e?.stelMgM3 ?? null]).toEqual([mac, twa, stel]);
      expect(oelBasisMgM3(e!).value).toBe(al);
      expect(e?.clause).toBe('GBZ 2.1-2019 表1');
    },
  );

  it('benzene carries the Amendment No. 1 values (PC-TWA 3, PC-STEL 6), not the superseded 6 / 10', () => {
    const b = findOel('苯');
    expect([b?.twaMgM3, b?.stelMgM3, b?.macMgM3]).toEqual([3, 6, undefined]);
    expect(b?.clause).toContain('第1号修改单');
  });

  it('the gases issue #19 names are all there, found by Chinese name, formula and CAS', () => {
    for (const name of [
      '氯气',
      'NH3',
      '硫化氢',
      'CO',
      'HCN',
      '光气',
      'SO2',
      'NO2',
      'HCl',
      '苯',
      '7782-50-5',
      'Ｃｌ₂',
    ]) {
      expect(findOel(name), name).toBeDefined();
    }
    expect(findOel('unobtainium')).toBeUndefined();
    expect(OEL_TABLE.every((e) => !e.confirmed)).toBe(true);
  });

  it('every entry has a basis, a clause and a molar mass', () => {
    for (const e of OEL_TABLE) {
      expect(e.macMgM3 ?? e.twaMgM3, e.key).toBeGreaterThan(0);
      expect(e.molarMass, e.key).toBeGreaterThan(1);
      expect(e.clause.startsWith('GBZ 2.1-2019'), e.key).toBe(true);
      // GBZ 2.1 never gives a MAC together with a PC-STEL.
      expect(e.macMgM3 !== undefined && e.stelMgM3 !== undefined, e.key).toBe(false);
    }
  });
});

describe('ppm ↔ mg/m³ at 20 °C, 101.325 kPa', () => {
  it('molar volume is R·T/p = 24.055 L/mol', () => {
    expect(MOLAR_VOLUME_L_PER_MOL).toBeCloseTo(24.055, 3);
  });

  it.each([
    ['Cl2 MAC 1 mg/m³', 'Cl2', 1, 0.3393],
    ['NH3 PC-TWA 20 mg/m³', 'NH3', 20, 28.25],
    ['H2S MAC 10 mg/m³', 'H2S', 10, 7.058],
    ['CO PC-TWA 20 mg/m³', 'CO', 20, 17.18],
  ] as const)('%s = %s ppm', (_label, gas, mg, ppm) => {
    const e = findOel(gas)!;
    expect(fromMgM3(mg, 'ppm', e.molarMass)).toBeCloseTo(ppm, 2);
    expect(fromMgM3(mg, 'ppb', e.molarMass)).toBeCloseTo(ppm * 1000, -1);
    expect(fromMgM3(mg, 'mg/m3', e.molarMass)).toBe(mg);
  });

  it.each([
    ['mg/m3', 'mg/m3'],
    ['mg/m³', 'mg/m3'],
    ['MG/M3', 'mg/m3'],
    ['ppm', 'ppm'],
    ['µmol/mol', 'ppm'],
    ['μmol/mol', 'ppm'],
    ['umol/mol', 'ppm'],
    ['ppb', 'ppb'],
    ['%VOL', undefined],
    ['%LEL', undefined],
  ] as const)('unit %s ⇒ %s', (unit, expected) => {
    expect(concentrationUnit(unit)).toBe(expected);
  });
});
