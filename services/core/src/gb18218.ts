/**
 * GB 18218-2018 identification (S, §4.2.1) and classification (R, §4.3.2) of major hazards.
 * Pure functions; every assessment is a frozen snapshot tagged with the standard's version.
 */
import { coreErrors } from './errors.js';
import {
  ALPHA_TABLE,
  CATEGORY_TABLE,
  GB18218_STANDARD,
  LEVEL_TABLE,
  findNamedSubstance,
  isHazardCategory,
  type Gb18218Standard,
  type HazardCategory,
  type HazardLevel,
} from './gb18218-constants.js';

/** One inventory line as input: a Table 1 name/CAS, a Table 2 category, or both; q in t. */
export interface InventoryLine {
  readonly substance?: string | undefined;
  readonly cas?: string | undefined;
  readonly category?: string | undefined;
  /** Design maximum quantity q (t), GB 18218-2018 §4.2.2. */
  readonly designMaxTonnes: number;
}

/** One resolved term of S and R: q/Q and β·q/Q, with where each constant came from. */
export interface AssessmentTerm {
  readonly substance: string;
  readonly cas: string | null;
  readonly category: HazardCategory | null;
  /** Actual (design maximum) quantity, t. */
  readonly q: number;
  /** Critical quantity, t. */
  readonly criticalQ: number;
  readonly qSource: 'table1' | 'table2';
  readonly beta: number;
  readonly betaSource: 'table3' | 'table4';
  /** q / Q */
  readonly ratio: number;
  /** False when Q or β comes from a Table 1/3 entry not yet checked against the standard's text. */
  readonly confirmed: boolean;
}

export interface HazardAssessment {
  readonly standard: Gb18218Standard;
  /** S = Σ qᵢ/Qᵢ (§4.2.1). */
  readonly s: number;
  /** S ≥ 1. */
  readonly isMajorHazard: boolean;
  readonly exposedPopulation: number;
  readonly alpha: number;
  /** R = α · Σ βᵢ qᵢ/Qᵢ (§4.3.2). */
  readonly r: number;
  /** Table 6 level from R: 1 = 一级 … 4 = 四级. Meaningful only when `isMajorHazard`. */
  readonly level: HazardLevel;
  readonly terms: readonly AssessmentTerm[];
  /** Epoch ms when computed, if the caller passed a time (core has no clock). */
  readonly computedAt?: number;
}

/**
 * Sums are rounded to 1e-9 so that a total that is exactly a boundary in decimal arithmetic
 * (S = 1, R = 100) is not pushed below it by binary floating point (0.1 + 0.2 ≠ 0.3).
 */
const round9 = (x: number): number => Math.round(x * 1e9) / 1e9;

function requireFinite(name: string, value: number): void {
  if (!Number.isFinite(value))
    throw coreErrors.create('HW_CORE_INVALID_NUMBER', { name, value: String(value) });
}

/** Resolve Q and β for one inventory line (Table 1 → Table 2 for Q; Table 3 → Table 4 for β). */
export function resolveInventoryLine(line: InventoryLine): AssessmentTerm {
  const label = line.substance ?? line.cas ?? line.category ?? '(unnamed)';
  if (!Number.isFinite(line.designMaxTonnes) || line.designMaxTonnes < 0) {
    throw coreErrors.create('HW_CORE_GB18218_INVALID_QUANTITY', {
      quantity: line.designMaxTonnes,
      substance: label,
    });
  }
  let category: HazardCategory | null = null;
  if (line.category !== undefined) {
    if (!isHazardCategory(line.category)) {
      throw coreErrors.create('HW_CORE_GB18218_UNKNOWN_CATEGORY', {
        category: line.category,
        substance: label,
      });
    }
    category = line.category;
  }
  const named = findNamedSubstance(line);
  if (named === undefined && category === null) {
    throw coreErrors.create('HW_CORE_GB18218_UNKNOWN_SUBSTANCE', { substance: label });
  }

  // §4.2: a substance named in Table 1 uses its own Q; otherwise its Table 2 category's Q.
  let criticalQ: number;
  let qSource: AssessmentTerm['qSource'];
  if (named?.q !== undefined) {
    criticalQ = named.q;
    qSource = 'table1';
  } else if (category !== null) {
    criticalQ = CATEGORY_TABLE[category].q;
    qSource = 'table2';
  } else {
    throw coreErrors.create('HW_CORE_GB18218_UNKNOWN_SUBSTANCE', { substance: label });
  }

  // §4.3.2: β from Table 3 for the named toxic gases, otherwise Table 4 by category.
  const betaCategory = category ?? named?.category ?? null;
  let beta: number;
  let betaSource: AssessmentTerm['betaSource'];
  if (named?.beta !== undefined) {
    beta = named.beta;
    betaSource = 'table3';
  } else if (betaCategory !== null) {
    beta = CATEGORY_TABLE[betaCategory].beta;
    betaSource = 'table4';
  } else {
    throw coreErrors.create('HW_CORE_GB18218_BETA_UNKNOWN', { substance: label });
  }

  return Object.freeze({
    substance: named?.zh ?? line.substance ?? line.cas ?? category ?? label,
    cas: line.cas ?? named?.cas[0] ?? null,
    category: betaCategory,
    q: line.designMaxTonnes,
    criticalQ,
    qSource,
    beta,
    betaSource,
    ratio: line.designMaxTonnes / criticalQ,
    confirmed: named?.confirmed ?? true,
  });
}

/** S = Σ qᵢ/Qᵢ, GB 18218-2018 §4.2.1. */
export function computeS(terms: readonly { readonly q: number; readonly criticalQ: number }[]): number {
  let s = 0;
  for (const t of terms) {
    requireFinite('q', t.q);
    requireFinite('Q', t.criticalQ);
    s += t.q / t.criticalQ;
  }
  return round9(s);
}

/** R = α · Σ βᵢ qᵢ/Qᵢ, GB 18218-2018 §4.3.2. */
export function computeR(
  alpha: number,
  terms: readonly { readonly q: number; readonly criticalQ: number; readonly beta: number }[],
): number {
  requireFinite('alpha', alpha);
  let sum = 0;
  for (const t of terms) {
    requireFinite('q', t.q);
    requireFinite('Q', t.criticalQ);
    requireFinite('beta', t.beta);
    sum += (t.beta * t.q) / t.criticalQ;
  }
  return round9(alpha * sum);
}

/** Table 6: R ≥ 100 ⇒ 1 (一级); ≥ 50 ⇒ 2; ≥ 10 ⇒ 3; else 4. */
export function hazardLevelFromR(r: number): HazardLevel {
  requireFinite('R', r);
  for (const row of LEVEL_TABLE) if (r >= row.minR) return row.level;
  return 4;
}

/** Table 5: α by exposed population outside the plant. */
export function alphaForPopulation(people: number): number {
  if (!Number.isSafeInteger(people) || people < 0) {
    throw coreErrors.create('HW_CORE_INVALID_POPULATION', { population: people });
  }
  for (const row of ALPHA_TABLE) if (people >= row.minPeople) return row.alpha;
  return 0.5;
}

/**
 * Identify and classify one unit. Throws a coded error (HW_CORE_GB18218_*) for a line whose Q or
 * β cannot be found; `computedAt` (epoch ms) is recorded when given.
 */
export function assessHazard(
  inventory: readonly InventoryLine[],
  exposedPopulation: number,
  computedAt?: number,
): HazardAssessment {
  const terms = Object.freeze(inventory.map(resolveInventoryLine));
  const alpha = alphaForPopulation(exposedPopulation);
  const s = computeS(terms);
  const r = computeR(alpha, terms);
  const assessment: HazardAssessment = {
    standard: GB18218_STANDARD,
    s,
    isMajorHazard: s >= 1,
    exposedPopulation,
    alpha,
    r,
    level: hazardLevelFromR(r),
    terms,
    ...(computedAt === undefined ? {} : { computedAt }),
  };
  return Object.freeze(assessment);
}
