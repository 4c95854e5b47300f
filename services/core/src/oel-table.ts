/**
 * Occupational exposure limits (职业接触限值, GBZ 2.1-2019 Table 1, mg/m³) for the toxic gases and
 * vapours plants monitor, used as the OEL of GB/T 50493-2019 §5.5.2 set-point checks (issue #19
 * item 7). A user-typed `gas.oel` is only an override of these (gas-rules.ts).
 *
 * Sources:
 * - O1: a detector vendor's table "常见有毒气体职业接触限值和对应的报警值", compiled after GB/T 50493-2019
 *   and GBZ 2.1-2019 (bjime.com/jsshow-464492.html; the same article at m.houwei.cc). It lists MAC /
 *   PC-TWA / PC-STEL, IDLH and the level-1/level-2 set points it derives.
 * - O2: the values named in issue #19 ("Cl₂ MAC 1; NH₃ TWA 20 STEL 30; …"), which agree with O1 for
 *   every gas both list. O2 is not a transcription of the standard, so it does not count as one.
 * - Benzene: GBZ 2.1-2019 Amendment No. 1 (NHC, 2022) revised benzene's limits (chemlinked.com news,
 *   which does not show the numbers); PC-TWA 3 / PC-STEL 6 come from one public JS table
 *   (GBZ21_2019_OEL_DATA, "修改单序号12"). The original 6 / 10 (O1) are superseded.
 * The standard's own text was not retrieved, so no entry is `confirmed`: one transcription each.
 * Left out for want of any source: phosphine, arsine, fluorine, bromine (O1's bromine row is
 * illegible), formaldehyde and ethylene oxide (O1's rows garbled). For these, `gas.oel` is used as
 * typed.
 *
 * Molar masses (g/mol) are from standard atomic weights, ours, for ppm ↔ mg/m³ conversion.
 */

export interface OelEntry {
  readonly key: string;
  readonly zh: string;
  readonly en: string;
  readonly formula: string;
  readonly cas: string;
  /** Names a point's `gas.substance` may use (matched like GB 18218 names: NFKC, case, spaces). */
  readonly aliases: readonly string[];
  /** g/mol */
  readonly molarMass: number;
  /** 最高容许浓度, mg/m³. */
  readonly macMgM3?: number;
  /** 时间加权平均容许浓度, mg/m³. */
  readonly twaMgM3?: number;
  /** 短时间接触容许浓度, mg/m³. */
  readonly stelMgM3?: number;
  /** Where the value sits in the standard. */
  readonly clause: string;
  readonly note?: string;
  /** True only when two transcriptions of the standard agree (none yet, see above). */
  readonly confirmed: boolean;
}

const CLAUSE = 'GBZ 2.1-2019 表1';

const O = (
  key: string,
  zh: string,
  en: string,
  formula: string,
  cas: string,
  molarMass: number,
  limits: { mac?: number; twa?: number; stel?: number },
  aliases: readonly string[] = [],
  note?: string,
): OelEntry =>
  Object.freeze({
    key,
    zh,
    en,
    formula,
    cas,
    aliases: Object.freeze([...aliases]),
    molarMass,
    ...(limits.mac === undefined ? {} : { macMgM3: limits.mac }),
    ...(limits.twa === undefined ? {} : { twaMgM3: limits.twa }),
    ...(limits.stel === undefined ? {} : { stelMgM3: limits.stel }),
    clause: key === 'benzene' ? `${CLAUSE}（第1号修改单）` : CLAUSE,
    ...(note === undefined ? {} : { note }),
    confirmed: false,
  });

export const OEL_TABLE: readonly OelEntry[] = Object.freeze([
  O('chlorine', '氯', 'chlorine', 'Cl2', '7782-50-5', 70.9, { mac: 1 }, ['氯气', '液氯']),
  O('ammonia', '氨', 'ammonia', 'NH3', '7664-41-7', 17.031, { twa: 20, stel: 30 }, ['氨气', '液氨']),
  O('hydrogen_sulfide', '硫化氢', 'hydrogen sulfide', 'H2S', '7783-06-4', 34.08, { mac: 10 }),
  O(
    'carbon_monoxide',
    '一氧化碳',
    'carbon monoxide',
    'CO',
    '630-08-0',
    28.01,
    { twa: 20, stel: 30 },
    [],
    '非高原 (below 2,000 m); the standard sets separate MAC values for plateau sites',
  ),
  O(
    'hydrogen_cyanide',
    '氰化氢',
    'hydrogen cyanide',
    'HCN',
    '74-90-8',
    27.025,
    { mac: 1 },
    ['氢氰酸'],
    '按CN计',
  ),
  O('phosgene', '碳酰氯', 'phosgene', 'COCl2', '75-44-5', 98.91, { mac: 0.5 }, ['光气']),
  O('sulfur_dioxide', '二氧化硫', 'sulfur dioxide', 'SO2', '7446-09-5', 64.06, { twa: 5, stel: 10 }),
  O('nitrogen_dioxide', '二氧化氮', 'nitrogen dioxide', 'NO2', '10102-44-0', 46.0, { twa: 5, stel: 10 }),
  O('hydrogen_chloride', '氯化氢', 'hydrogen chloride', 'HCl', '7647-01-0', 36.46, { mac: 7.5 }, [
    '氯化氢及盐酸',
    '盐酸',
  ]),
  O(
    'benzene',
    '苯',
    'benzene',
    'C6H6',
    '71-43-2',
    78.11,
    { twa: 3, stel: 6 },
    [],
    'Amendment No. 1 (2022); before: 6 / 10',
  ),
  O('hydrogen_fluoride', '氟化氢', 'hydrogen fluoride', 'HF', '7664-39-3', 20.006, { mac: 2 }, [], '按F计'),
  O('acrylonitrile', '丙烯腈', 'acrylonitrile', 'C3H3N', '107-13-1', 53.06, { twa: 1, stel: 2 }, [
    '2-丙烯腈',
  ]),
  O('toluene', '甲苯', 'toluene', 'C7H8', '108-88-3', 92.14, { twa: 50, stel: 100 }),
  O('xylene', '二甲苯', 'xylene', 'C8H10', '1330-20-7', 106.17, { twa: 50, stel: 100 }, [], '全部异构体'),
  O('methanol', '甲醇', 'methanol', 'CH4O', '67-56-1', 32.04, { twa: 25, stel: 50 }, ['CH3OH']),
  O('vinyl_chloride', '氯乙烯', 'vinyl chloride', 'C2H3Cl', '75-01-4', 62.5, { twa: 10, stel: 25 }, ['VCM']),
  O('ozone', '臭氧', 'ozone', 'O3', '10028-15-6', 48.0, { mac: 0.3 }),
]);

/**
 * The OEL a GB/T 50493-2019 §5.5.2 check compares with: the MAC where the substance has one (a
 * ceiling never to be exceeded), else the PC-TWA. Detector vendors' tables after GB/T 50493-2019
 * set level-1 = this value and level-2 = twice it (O1); the PC-STEL is never the basis [S: O1; the
 * standard's explanatory notes were not retrieved].
 */
export function oelBasisMgM3(entry: OelEntry): { readonly value: number; readonly kind: 'MAC' | 'PC-TWA' } {
  if (entry.macMgM3 !== undefined) return { value: entry.macMgM3, kind: 'MAC' };
  return { value: entry.twaMgM3!, kind: 'PC-TWA' };
}

const oelKey = (name: string): string => name.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
const byName = new Map<string, OelEntry>();
for (const e of OEL_TABLE) {
  for (const n of [e.key, e.zh, e.en, e.formula, e.cas, ...e.aliases]) byName.set(oelKey(n), e);
}

/** The OEL entry for a point's `gas.substance` (name, formula or CAS), if the table has it. */
export function findOel(substance: string): OelEntry | undefined {
  return byName.get(oelKey(substance));
}

/**
 * Molar volume of an ideal gas at 20 °C and 101.325 kPa, the reference state of GBZ 2.1 limits:
 * R·T/p = 8.314462618 × 293.15 / 101.325 = 24.055 L/mol (often rounded to 24.04 or 24.1).
 */
export const MOLAR_VOLUME_L_PER_MOL = (8.314462618 * 293.15) / 101.325;

/** Point units a toxic-gas concentration can be compared in (µmol/mol = ppm, nmol/mol = ppb). */
export type ConcentrationUnit = 'mg/m3' | 'ppm' | 'ppb';

export function concentrationUnit(unit: string): ConcentrationUnit | undefined {
  // NFKC: ³ → 3; micro sign and Greek mu both become 'u'.
  const u = unit
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .toLowerCase()
    .replace(/[\u00b5\u03bc]/g, 'u');
  if (u === 'mg/m3' || u === 'mg/m^3') return 'mg/m3';
  if (u === 'ppm' || u === 'umol/mol' || u === 'ppmv') return 'ppm';
  if (u === 'ppb' || u === 'nmol/mol' || u === 'ppbv') return 'ppb';
  return undefined;
}

/** Convert a concentration in mg/m³ (20 °C, 101.325 kPa) to `unit`: ppm = mg/m³ × Vm / M. */
export function fromMgM3(valueMgM3: number, unit: ConcentrationUnit, molarMass: number): number {
  if (unit === 'mg/m3') return valueMgM3;
  const ppm = (valueMgM3 * MOLAR_VOLUME_L_PER_MOL) / molarMass;
  return unit === 'ppm' ? ppm : ppm * 1000;
}
