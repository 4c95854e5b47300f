/**
 * Gas channel rules, GB/T 50493-2019 §5.5.2 (REFERENCE §2, §8 items 7–9). Toxic set points are
 * judged against the GBZ 2.1-2019 OEL of a gas the table knows (oel-table.ts), converted to the
 * point unit; a typed `gas.oel` only overrides it downwards, with a warning (issue #19 item 7).
 *
 * Gas alarm levels are stored in the ordinary limit slots: level-1 (一级报警) = `h`, level-2
 * (二级报警) = `hh`. Oxygen uses `l` for deficiency (缺氧) and `h` for excess (富氧). One limit
 * model keeps the evaluator uniform and matches the provincial sensor table (上限01/上限02).
 */
import { GAS_DETECTOR_KINDS } from '@hazardwatch/contracts';
import { concentrationUnit, findOel, fromMgM3, oelBasisMgM3 } from './oel-table.js';
import { fmt, type IssueCollector } from './site-issues.js';
import { LIMIT_NAMES, type LimitName, type PointFile, type PointKind } from './site-schema.js';

export type Limits = Readonly<Record<LimitName, number | null>>;

/** §5.5.2: combustible gas level-1 ≤ 25 %LEL, level-2 ≤ 50 %LEL. */
export const COMBUSTIBLE_L1_MAX_PCT_LEL = 25;
export const COMBUSTIBLE_L2_MAX_PCT_LEL = 50;
/** §5.5.2: toxic gas level-1 ≤ 100 %OEL, level-2 ≤ 200 %OEL … */
export const TOXIC_L1_MAX_OEL_FRACTION = 1;
export const TOXIC_L2_MAX_OEL_FRACTION = 2;
/** … or, when the range cannot cover that, level-1 ≤ 5 %IDLH, level-2 ≤ 10 %IDLH. */
export const TOXIC_L1_MAX_IDLH_FRACTION = 0.05;
export const TOXIC_L2_MAX_IDLH_FRACTION = 0.1;
/** §5.5.2 (宜, recommended): oxygen-deficiency alarm 19.5 %VOL, over-oxygen alarm 23.5 %VOL. */
export const OXYGEN_DEFAULT_LOW_PCT_VOL = 19.5;
export const OXYGEN_DEFAULT_HIGH_PCT_VOL = 23.5;
/** Oxygen in normal air, %VOL: a deficiency alarm at or above it, or an enrichment alarm at or below it, alarms all the time. */
export const OXYGEN_NORMAL_AIR_PCT_VOL = 20.9;
/**
 * A typed OEL within this relative difference of the table's is the same value (a ppm figure
 * rounded from mg/m³, e.g. NH₃ 20 mg/m³ = 28.25 ppm typed as 28.3), not an override.
 */
export const OEL_SAME_VALUE_TOLERANCE = 0.02;
/** §5.5.2: open-path (线型) combustible detectors, level-1 1 LEL·m, level-2 2 LEL·m. */
export const OPEN_PATH_DEFAULT_L1_LEL_M = 1;
export const OPEN_PATH_DEFAULT_L2_LEL_M = 2;

/** Kinds whose `h`/`hh` are gas alarm levels 1/2: the gas detectors (contracts GAS_DETECTOR_KINDS). */
export const GAS_LEVEL_KINDS: ReadonlySet<PointKind> = new Set(GAS_DETECTOR_KINDS);

const unitKey = (unit: string): string => unit.normalize('NFKC').replace(/\s+/g, '').toUpperCase();

/** Accepted unit spellings per gas kind (compared case-insensitively, spaces ignored). */
const REQUIRED_UNITS: Partial<Record<PointKind, readonly string[]>> = {
  combustible_gas: ['%LEL'],
  open_path_gas: ['LEL·M', 'LEL.M', 'LEL*M', 'LEL-M', 'LELM'],
  oxygen: ['%VOL', '%V/V'],
};

/** Slack for comparisons against percentages of OEL/IDLH computed in binary floating point. */
const within = (value: number, max: number): boolean => value <= max + Math.abs(max) * 1e-9;

/**
 * The limits a point runs with: its own, plus standard defaults for O₂ (§8 item 9) and open-path
 * detectors where the file leaves a slot empty. `defaulted` lists the filled slots.
 */
export function effectiveLimits(point: PointFile): { limits: Limits; defaulted: LimitName[] } {
  const own = point.limits ?? {};
  const limits: Record<LimitName, number | null> = {
    ll: own.ll ?? null,
    l: own.l ?? null,
    h: own.h ?? null,
    hh: own.hh ?? null,
  };
  const defaulted: LimitName[] = [];
  const fill = (name: LimitName, value: number): void => {
    if (limits[name] === null) {
      limits[name] = value;
      defaulted.push(name);
    }
  };
  if (point.kind === 'oxygen') {
    fill('l', OXYGEN_DEFAULT_LOW_PCT_VOL);
    fill('h', OXYGEN_DEFAULT_HIGH_PCT_VOL);
  } else if (point.kind === 'open_path_gas') {
    fill('h', OPEN_PATH_DEFAULT_L1_LEL_M);
    fill('hh', OPEN_PATH_DEFAULT_L2_LEL_M);
  }
  return { limits, defaulted };
}

/** Check one gas point against §5.5.2. `limits` are the effective limits. */
export function checkGasPoint(point: PointFile, index: number, limits: Limits, out: IssueCollector): void {
  const subject = { type: 'point', enterprise: point.enterprise, tag: point.tag } as const;
  const path = `/points/${index}`;
  const units = REQUIRED_UNITS[point.kind];
  if (units !== undefined && !units.includes(unitKey(point.unit))) {
    out.add(
      'GAS_UNIT',
      `${path}/unit`,
      subject,
      `${point.kind} must be measured in ${units[0]}, not "${point.unit}"`,
    );
    return; // the numeric rules below assume the unit
  }
  if (point.kind === 'oxygen') checkOxygen(point, path, limits, out);
  if (!GAS_LEVEL_KINDS.has(point.kind)) return;

  const { h: l1, hh: l2 } = limits;
  const anySet = LIMIT_NAMES.some((n) => limits[n] !== null);
  if (anySet && (l1 === null || l2 === null)) {
    out.add(
      'GAS_LEVEL_MISSING',
      `${path}/limits`,
      subject,
      `level-${l1 === null ? 1 : 2} alarm (${l1 === null ? 'h' : 'hh'}) is not set`,
    );
  }

  if (point.kind === 'combustible_gas') {
    if (l1 !== null && l1 > COMBUSTIBLE_L1_MAX_PCT_LEL) {
      out.add(
        'GAS_COMBUSTIBLE_L1_MAX',
        `${path}/limits/h`,
        subject,
        `level-1 ${fmt(l1)} %LEL exceeds ${COMBUSTIBLE_L1_MAX_PCT_LEL} %LEL`,
      );
    }
    if (l2 !== null && l2 > COMBUSTIBLE_L2_MAX_PCT_LEL) {
      out.add(
        'GAS_COMBUSTIBLE_L2_MAX',
        `${path}/limits/hh`,
        subject,
        `level-2 ${fmt(l2)} %LEL exceeds ${COMBUSTIBLE_L2_MAX_PCT_LEL} %LEL`,
      );
    }
  }

  if (point.kind === 'toxic_gas') checkToxic(point, path, subject, l1, l2, out);
}

/**
 * §5.5.2 oxygen ("宜"): deficiency alarm (`l`) 19.5 %VOL, over-oxygen alarm (`h`) 23.5 %VOL. A
 * deficiency alarm below 19.5, or an enrichment alarm above 23.5, warns too late; one on the wrong
 * side of normal air (20.9 %VOL) alarms all the time. Stricter values between are accepted.
 */
function checkOxygen(point: PointFile, path: string, limits: Limits, out: IssueCollector): void {
  const subject = { type: 'point', enterprise: point.enterprise, tag: point.tag } as const;
  const { l, h } = limits;
  if (l !== null && (l < OXYGEN_DEFAULT_LOW_PCT_VOL || l >= OXYGEN_NORMAL_AIR_PCT_VOL)) {
    out.add(
      'GAS_OXYGEN_DEFICIENCY_LIMIT',
      `${path}/limits/l`,
      subject,
      l < OXYGEN_DEFAULT_LOW_PCT_VOL
        ? `oxygen-deficiency alarm (l) ${fmt(l)} %VOL is below ${OXYGEN_DEFAULT_LOW_PCT_VOL} %VOL: it warns too late`
        : `oxygen-deficiency alarm (l) ${fmt(l)} %VOL is not below normal air (${OXYGEN_NORMAL_AIR_PCT_VOL} %VOL): it alarms all the time`,
    );
  }
  if (h !== null && (h > OXYGEN_DEFAULT_HIGH_PCT_VOL || h <= OXYGEN_NORMAL_AIR_PCT_VOL)) {
    out.add(
      'GAS_OXYGEN_ENRICHMENT_LIMIT',
      `${path}/limits/h`,
      subject,
      h > OXYGEN_DEFAULT_HIGH_PCT_VOL
        ? `over-oxygen alarm (h) ${fmt(h)} %VOL is above ${OXYGEN_DEFAULT_HIGH_PCT_VOL} %VOL: it warns too late`
        : `over-oxygen alarm (h) ${fmt(h)} %VOL is not above normal air (${OXYGEN_NORMAL_AIR_PCT_VOL} %VOL): it alarms all the time`,
    );
  }
}

/** The reference a toxic channel is judged against, in the point unit. */
interface ToxicReference {
  readonly basis: 'OEL' | 'IDLH';
  readonly value: number;
  /** How the value was arrived at, for messages: "MAC, GBZ 2.1-2019 表1". */
  readonly origin: string;
}

/**
 * The OEL of a gas the table knows, in the point unit, compared with a typed `gas.oel`. A typed
 * value is only an override: when it differs from the table it is reported (naming both and the
 * clause), and the lower of the two applies, so a typed OEL can tighten the check, never loosen it.
 */
function tableOel(
  point: PointFile,
  path: string,
  subject: { type: 'point'; enterprise: string; tag: string },
  out: IssueCollector,
): ToxicReference | 'unit' | undefined {
  const entry = point.gas?.substance === undefined ? undefined : findOel(point.gas.substance);
  if (entry === undefined) return undefined;
  const unit = concentrationUnit(point.unit);
  if (unit === undefined) return 'unit';
  const basis = oelBasisMgM3(entry);
  const value = fromMgM3(basis.value, unit, entry.molarMass);
  const origin = `${basis.kind} ${fmt(basis.value)} mg/m³, ${entry.clause}`;
  const typed = point.gas?.oel;
  if (typed === undefined || Math.abs(typed - value) <= value * OEL_SAME_VALUE_TOLERANCE) {
    return { basis: 'OEL', value, origin };
  }
  out.add(
    'GAS_OEL_OVERRIDDEN',
    `${path}/gas/oel`,
    subject,
    `typed OEL ${fmt(typed)} ${point.unit} for ${entry.zh} differs from ${fmt(Number(value.toPrecision(4)))} ${point.unit} ` +
      `(${origin}); the ${typed < value ? 'typed (lower)' : 'table (lower)'} value applies`,
  );
  return typed < value
    ? { basis: 'OEL', value: typed, origin: `typed gas.oel, below the ${entry.clause} value` }
    : { basis: 'OEL', value, origin };
}

function checkToxic(
  point: PointFile,
  path: string,
  subject: { type: 'point'; enterprise: string; tag: string },
  l1: number | null,
  l2: number | null,
  out: IssueCollector,
): void {
  const gas = point.gas;
  let reference: ToxicReference | undefined;
  if (gas?.basis === 'IDLH') {
    // No IDLH table: the typed value is used (§5.5.2 allows IDLH only when the range cannot cover the OEL).
    if (gas.idlh !== undefined) reference = { basis: 'IDLH', value: gas.idlh, origin: 'typed gas.idlh' };
  } else {
    const known = tableOel(point, path, subject, out);
    if (known === 'unit') {
      out.add(
        'GAS_UNIT',
        `${path}/unit`,
        subject,
        `toxic_gas ${gas?.substance ?? ''} with a GBZ 2.1 OEL must be measured in mg/m3, ppm (µmol/mol) or ppb, not "${point.unit}"`,
      );
      return;
    }
    reference = known;
    if (reference === undefined && gas?.basis === 'OEL' && gas.oel !== undefined) {
      reference = { basis: 'OEL', value: gas.oel, origin: 'typed gas.oel' };
    }
  }
  if (reference === undefined) {
    if (l1 === null && l2 === null) return; // nothing to judge; POINT_NO_LIMITS covers it
    const basis = gas?.basis ?? 'OEL';
    out.add(
      'GAS_TOXIC_BASIS_MISSING',
      `${path}/gas`,
      subject,
      gas?.basis === undefined
        ? 'toxic gas needs gas.basis (OEL or IDLH) and the matching gas.oel / gas.idlh value in the point unit, or a gas.substance the GBZ 2.1 table knows'
        : `gas.basis is ${basis} but gas.${basis.toLowerCase()} is not set`,
    );
    return;
  }
  const { basis, value } = reference;
  const [f1, f2] =
    basis === 'OEL'
      ? [TOXIC_L1_MAX_OEL_FRACTION, TOXIC_L2_MAX_OEL_FRACTION]
      : [TOXIC_L1_MAX_IDLH_FRACTION, TOXIC_L2_MAX_IDLH_FRACTION];
  const pct = (f: number): string => `${fmt(f * 100)} %${basis}`;
  const limitOf = (f: number): string => fmt(Number((f * value).toPrecision(4)));
  if (l1 !== null && !within(l1, f1 * value)) {
    out.add(
      'GAS_TOXIC_L1_MAX',
      `${path}/limits/h`,
      subject,
      `level-1 ${fmt(l1)} ${point.unit} exceeds ${pct(f1)} = ${limitOf(f1)} ${point.unit} (${reference.origin})`,
    );
  }
  if (l2 !== null && !within(l2, f2 * value)) {
    out.add(
      'GAS_TOXIC_L2_MAX',
      `${path}/limits/hh`,
      subject,
      `level-2 ${fmt(l2)} ${point.unit} exceeds ${pct(f2)} = ${limitOf(f2)} ${point.unit} (${reference.origin})`,
    );
  }
}
