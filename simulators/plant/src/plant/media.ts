/**
 * Stored media for the tank and gas models: liquid density, vapour pressure and the gas data a
 * detector needs. Values are textbook round numbers (CRC / NIST WebBook order of magnitude), good
 * enough for alarms to happen at the right moments; they are not design data.
 *
 * Vapour pressure uses the two-point Clausius–Clapeyron form ln p = a − b/T, fitted through the
 * normal boiling point (0.101325 MPa abs) and one reference point, so each medium needs only two
 * numbers and the curve is exact at both.
 */

export const ATMOSPHERE_MPA = 0.101325;
const KELVIN = 273.15;
/** Molar volume of an ideal gas at 25 °C and 1 atm (L/mol): mg/m³ → ppm = × 24.45 / M. */
export const MOLAR_VOLUME_L = 24.45;

export const MEDIA = [
  'lpg',
  'lng',
  'chlorine',
  'ammonia',
  'toluene',
  'methanol',
  'hydrogen',
  'hydrogen_sulfide',
] as const;
export type Medium = (typeof MEDIA)[number];

export interface MediumData {
  readonly zh: string;
  /** Liquid density at storage conditions (kg/m³). */
  readonly liquidDensityKgM3: number;
  /** Normal boiling point (°C). */
  readonly boilingPointC: number;
  /** A second vapour-pressure point: (°C, MPa abs). */
  readonly refTempC: number;
  readonly refPressureMPa: number;
  /** Molar mass (g/mol). */
  readonly molarMass: number;
  /** Lower explosive limit (% by volume); undefined for non-flammable gases. */
  readonly lelPctVol?: number;
}

export const MEDIUM_DATA: Readonly<Record<Medium, MediumData>> = {
  // Propane stands in for LPG: 0.84 MPa abs at 20 °C.
  lpg: {
    zh: '液化石油气',
    liquidDensityKgM3: 500,
    boilingPointC: -42.1,
    refTempC: 20,
    refPressureMPa: 0.84,
    molarMass: 44.1,
    lelPctVol: 2.1,
  },
  // Methane: about 0.28 MPa abs at −150 °C; LNG tanks run near −162 °C and < 30 kPa(g).
  lng: {
    zh: '液化天然气',
    liquidDensityKgM3: 450,
    boilingPointC: -161.5,
    refTempC: -150,
    refPressureMPa: 0.28,
    molarMass: 16.04,
    lelPctVol: 5,
  },
  chlorine: {
    zh: '液氯',
    liquidDensityKgM3: 1410,
    boilingPointC: -34.0,
    refTempC: 20,
    refPressureMPa: 0.68,
    molarMass: 70.9,
  },
  ammonia: {
    zh: '液氨',
    liquidDensityKgM3: 610,
    boilingPointC: -33.3,
    refTempC: 20,
    refPressureMPa: 0.857,
    molarMass: 17.03,
    lelPctVol: 15,
  },
  toluene: {
    zh: '甲苯',
    liquidDensityKgM3: 867,
    boilingPointC: 110.6,
    refTempC: 20,
    refPressureMPa: 0.0029,
    molarMass: 92.14,
    lelPctVol: 1.1,
  },
  methanol: {
    zh: '甲醇',
    liquidDensityKgM3: 792,
    boilingPointC: 64.7,
    refTempC: 20,
    refPressureMPa: 0.0129,
    molarMass: 32.04,
    lelPctVol: 6,
  },
  // Gases only (leak sources), no liquid phase modelled: density and curve are placeholders.
  hydrogen: {
    zh: '氢气',
    liquidDensityKgM3: 71,
    boilingPointC: -252.9,
    refTempC: -250,
    refPressureMPa: 0.14,
    molarMass: 2.016,
    lelPctVol: 4,
  },
  hydrogen_sulfide: {
    zh: '硫化氢',
    liquidDensityKgM3: 990,
    boilingPointC: -60,
    refTempC: 20,
    refPressureMPa: 1.8,
    molarMass: 34.08,
    lelPctVol: 4,
  },
};

/** Saturated vapour pressure (MPa abs) at `tempC`, Clausius–Clapeyron through two points. */
export function vapourPressureMPa(medium: Medium, tempC: number): number {
  const d = MEDIUM_DATA[medium];
  const t1 = d.boilingPointC + KELVIN;
  const t2 = d.refTempC + KELVIN;
  const b = Math.log(d.refPressureMPa / ATMOSPHERE_MPA) / (1 / t1 - 1 / t2);
  return ATMOSPHERE_MPA * Math.exp(b * (1 / t1 - 1 / (tempC + KELVIN)));
}

/** kg/m³ of gas in air → the unit of a detector: mg/m³, ppm (by volume) or %LEL. */
export function concentrationIn(unit: string, kgPerM3: number, medium: Medium): number {
  const mgM3 = kgPerM3 * 1e6;
  const ppm = (mgM3 * MOLAR_VOLUME_L) / MEDIUM_DATA[medium].molarMass;
  const key = unit.replace(/\s+/g, '').toLowerCase();
  if (key === 'mg/m3' || key === 'mg/m³') return mgM3;
  if (key === 'ppm') return ppm;
  const lel = MEDIUM_DATA[medium].lelPctVol;
  if (lel === undefined) return 0; // a combustible detector does not see a non-flammable gas
  const pctLel = (ppm / 1e4 / lel) * 100;
  return pctLel;
}
