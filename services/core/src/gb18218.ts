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
  isHazardCategory,
  lookupSubstance,
  substanceKey,
  type NamedSubstance,
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
  /** Q and β were checked against two transcriptions of the standard (always true since issue #19). */
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

/**
 * A line whose design maximum quantity is this many times its critical quantity or more is
 * implausible as one unit's inventory: it alone would give R ≥ 5,000 (α = 0.5), fifty times the
 * 一级 boundary. GB 50160 caps the capacity of one tank group (one bund, i.e. one 储存单元, §3.6),
 * which keeps real units below roughly 3,000·Q even for large gasoline or refrigerated-ammonia
 * farms [U: our estimate]. The likely cause is a kg figure typed in the tonne field (×1,000), which
 * this catches whenever the real inventory is at least 10·Q. A warning, not an error.
 */
export const IMPLAUSIBLE_QUANTITY_RATIO = 10_000;

/** A resolved line: the term plus the named substance it matched, if any. */
export interface ResolvedLine {
  readonly term: AssessmentTerm;
  readonly named: NamedSubstance | null;
  /** Identity for the "entered once" check: named key, else CAS, else name; null for a category-only line. */
  readonly identity: string | null;
}

function namedFor(line: InventoryLine, label: string): NamedSubstance | null {
  const hit = lookupSubstance({
    ...(line.substance === undefined ? {} : { substance: line.substance }),
    ...(line.cas === undefined ? {} : { cas: line.cas }),
  });
  switch (hit.kind) {
    case 'none':
      return null;
    case 'found':
      return hit.substance;
    case 'conflict':
      throw coreErrors.create('HW_CORE_GB18218_NAME_CAS_CONFLICT', {
        substance: line.substance ?? label,
        cas: line.cas ?? '',
        detail:
          hit.byCas === null
            ? `Table 1 No. ${hit.byName.table1No ?? '?'} ${hit.byName.zh} has CAS ${hit.byName.cas.join(', ')}`
            : `the name is No. ${hit.byName.table1No ?? '?'} ${hit.byName.zh}, the CAS is No. ${hit.byCas.table1No ?? '?'} ${hit.byCas.zh}`,
      });
    case 'ambiguous':
      throw coreErrors.create('HW_CORE_GB18218_AMBIGUOUS_SUBSTANCE', {
        substance: line.substance ?? line.cas ?? label,
        candidates: hit.candidates.map((c) => `No. ${c.table1No ?? '?'} ${c.zh} ${c.q ?? '?'} t`).join('; '),
      });
  }
}

/**
 * Resolve Q and β for one inventory line, and say which named substance it is.
 * §4.1.2 a): a substance in Table 1 always takes its Table 1 Q, even when the line also gives a
 * category (the category then only feeds β through Table 4). §4.3.2: β from Table 3 for the named
 * toxic gases, otherwise Table 4 by category. A name and a CAS that disagree, or a name/CAS shared
 * by several Table 1 variants, throw coded errors.
 */
export function resolveInventoryLineDetailed(line: InventoryLine): ResolvedLine {
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
  const named = namedFor(line, label);
  if (named === null && category === null) {
    throw coreErrors.create('HW_CORE_GB18218_UNKNOWN_SUBSTANCE', { substance: label });
  }

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

  const term: AssessmentTerm = Object.freeze({
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
  let identity: string | null = null;
  if (named !== null) identity = `named:${named.key}`;
  else if (line.cas !== undefined) identity = `cas:${line.cas.trim()}`;
  else if (line.substance !== undefined) identity = `name:${substanceKey(line.substance)}`;
  return Object.freeze({ term, named, identity });
}

/** Resolve Q and β for one inventory line (Table 1 → Table 2 for Q; Table 3 → Table 4 for β). */
export function resolveInventoryLine(line: InventoryLine): AssessmentTerm {
  return resolveInventoryLineDetailed(line).term;
}

/** q/Q at or above IMPLAUSIBLE_QUANTITY_RATIO: most likely kilograms typed as tonnes. */
export function isImplausibleQuantity(term: { readonly ratio: number }): boolean {
  return term.ratio >= IMPLAUSIBLE_QUANTITY_RATIO;
}

/** One substance entered on several lines under different hazard categories or β. */
export interface DoubleEntry {
  /** Indexes of the inventory lines. */
  readonly lines: readonly number[];
  readonly substance: string;
  /** The β to keep: the largest of the lines' (a Table 3 β wins outright, §4.3.2). */
  readonly beta: number;
  /** The Q to keep: the Table 1 Q, or else the lowest of the categories' (§4.1.2 b). */
  readonly criticalQ: number;
}

/**
 * A substance that is both toxic and flammable is one substance: entering it once as J… and once
 * as W… counts its quantity twice in S and R. Lines of one substance with the same category add up
 * (several tanks of it in one unit, §4.2.1); lines with different categories or β are reported,
 * with the β (largest) and Q (Table 1, else lowest, §4.1.2 b) the single line should carry.
 */
export function findDoubleEntries(resolved: readonly ResolvedLine[]): readonly DoubleEntry[] {
  const groups = new Map<string, number[]>();
  resolved.forEach((r, i) => {
    if (r.identity === null) return;
    const list = groups.get(r.identity) ?? [];
    list.push(i);
    groups.set(r.identity, list);
  });
  const out: DoubleEntry[] = [];
  for (const lines of groups.values()) {
    const terms = lines.map((i) => resolved[i]!.term);
    const first = terms[0]!;
    if (!terms.some((t) => t.category !== first.category || t.beta !== first.beta)) continue;
    out.push(
      Object.freeze({
        lines: Object.freeze(lines),
        substance: first.substance,
        beta: Math.max(...terms.map((t) => t.beta)),
        criticalQ: Math.min(...terms.map((t) => t.criticalQ)),
      }),
    );
  }
  return Object.freeze(out);
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
