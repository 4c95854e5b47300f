/**
 * Range and limit rules for every monitoring point (REFERENCE §6, §8 items 1, 11, 12).
 */
import { GAS_LEVEL_KINDS, checkGasPoint, effectiveLimits, type Limits } from './gas-rules.js';
import { fmt, type IssueCollector } from './site-issues.js';
import { scopedKey, type SiteTables } from './site-references.js';
import { LIMIT_NAMES, type LimitName, type PointFile, type SiteFile } from './site-schema.js';

const LIMIT_LABEL: Readonly<Record<LimitName, string>> = { ll: 'LL', l: 'L', h: 'H', hh: 'HH' };

function checkLimits(
  point: PointFile,
  index: number,
  limits: Limits,
  defaulted: readonly LimitName[],
  out: IssueCollector,
): void {
  const subject = { type: 'point', enterprise: point.enterprise, tag: point.tag } as const;
  const path = `/points/${index}`;
  const label = (n: LimitName): string => `${LIMIT_LABEL[n]}${defaulted.includes(n) ? ' (default)' : ''}`;
  const { min, max } = point.range;
  const rangeOk = min < max;
  if (!rangeOk) {
    out.add('RANGE_ORDER', `${path}/range`, subject, `range min ${fmt(min)} must be below max ${fmt(max)}`);
  }

  // LL < L < H < HH for whichever are set: compare each set limit with the next set one.
  const set = LIMIT_NAMES.filter((n) => limits[n] !== null);
  for (let i = 1; i < set.length; i++) {
    const lo = set[i - 1]!;
    const hi = set[i]!;
    const a = limits[lo]!;
    const b = limits[hi]!;
    if (a < b) continue;
    // For gas channels H/HH are alarm levels 1/2 and the rule is the §5.5.2 one.
    const gasPair = lo === 'h' && hi === 'hh' && GAS_LEVEL_KINDS.has(point.kind);
    out.add(
      gasPair ? 'GAS_L1_NOT_BELOW_L2' : 'LIMIT_ORDER',
      `${path}/limits/${hi}`,
      subject,
      gasPair
        ? `level-1 (h) ${fmt(a)} must be below level-2 (hh) ${fmt(b)}`
        : `${label(lo)} ${fmt(a)} must be below ${label(hi)} ${fmt(b)}`,
    );
  }

  if (rangeOk) {
    for (const n of set) {
      const v = limits[n]!;
      if (v < min || v > max) {
        out.add(
          'LIMIT_OUTSIDE_RANGE',
          `${path}/limits/${n}`,
          subject,
          `${label(n)} ${fmt(v)} ${point.unit} is outside the range ${fmt(min)}…${fmt(max)} ${point.unit}`,
        );
      }
    }
  }

  // REFERENCE §1, §8 item 1: accepted, but a point without any threshold is a data-quality defect.
  if (set.length === 0 && point.enabled !== false) {
    out.add('POINT_NO_LIMITS', `${path}/limits`, subject, 'no alarm limit (LL/L/H/HH) is configured');
  }
}

/**
 * REFERENCE §8 item 12: a tank level HH must come from a sensor independent of the level
 * measurement (GB 17681-2024 §6.3.3.1 pressure tanks; GB/T 41394-2022 overfill protection).
 * The model has no pressure/atmospheric flag per tank, so every tank-farm level point with an
 * HH is checked. Compliant when the point says `hhIndependent: true`, or another point declares
 * `independentOf: <this tag>`, or the point is itself such an independent sensor.
 */
export function independentTags(site: SiteFile): ReadonlySet<string> {
  const out = new Set<string>();
  for (const p of site.points) {
    if (p.independentOf !== undefined) out.add(scopedKey(p.enterprise, p.independentOf));
  }
  return out;
}

function checkHhIndependence(
  point: PointFile,
  index: number,
  limits: Limits,
  tables: SiteTables,
  backedUp: ReadonlySet<string>,
  out: IssueCollector,
): void {
  if (point.kind !== 'level' || limits.hh === null || point.hazard === undefined || point.enabled === false)
    return;
  const hazard = tables.hazards.get(scopedKey(point.enterprise, point.hazard));
  if (hazard?.item.type !== 'tank_farm') return;
  if (point.hhIndependent === true || point.independentOf !== undefined) return;
  if (backedUp.has(scopedKey(point.enterprise, point.tag))) return;
  out.add(
    'HH_NOT_INDEPENDENT',
    `/points/${index}/limits/hh`,
    { type: 'point', enterprise: point.enterprise, tag: point.tag },
    `tank level HH comes from the measuring sensor itself; declare an independent HH sensor (independentOf: ${point.tag}) or set hhIndependent`,
  );
}

/** Run every point rule. Returns the effective limits per point index (for the normaliser). */
export function checkPoints(
  site: SiteFile,
  tables: SiteTables,
  out: IssueCollector,
): { limits: Limits; defaulted: LimitName[] }[] {
  const backedUp = independentTags(site);
  return site.points.map((point, index) => {
    const eff = effectiveLimits(point);
    checkLimits(point, index, eff.limits, eff.defaulted, out);
    checkGasPoint(point, index, eff.limits, out);
    checkHhIndependence(point, index, eff.limits, tables, backedUp, out);
    return eff;
  });
}
