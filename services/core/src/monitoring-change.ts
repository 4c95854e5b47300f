/**
 * Which changes of the site model weaken monitoring (issue #19 item 2; docs/monitoring-changes.md).
 *
 * Compares one entity before and after a write, both in normal form (defaults applied, durations
 * in ms, deadbands per limit), so a change is judged by its effect: removing a point's own
 * on-delay that falls back to a longer site default lengthens the delay; removing an O₂ limit that
 * falls back to the GB/T 50493-2019 §5.5.2 default changes nothing. Each weakened field gives one
 * line `{ kind, field, before, after }`; `kind` is an action of the API's authority table, whose
 * verdict per role decides whether the write is refused, applied (the regulator is told) or waits
 * for approval. A change that strengthens monitoring gives no line.
 *
 * Beyond the list, these also count as weakening (decided here, documented in
 * docs/monitoring-changes.md):
 * - deleting a combustible/toxic/open-path gas detector also takes it out of use
 *   (`monitoring.gas-detector.disable` beside `monitoring.point.delete`), so deleting a gas
 *   detector is never easier than disabling it;
 * - a rate-of-change alarm removed, or its slope raised (a steeper slope alarms later):
 *   `monitoring.limit.weaken`, field `rateOfChange.rising|falling`;
 * - a gas detector's OEL or IDLH raised or removed, its substance or basis changed (its limits are
 *   judged against them, GB/T 50493-2019 §5.5.2): `monitoring.limit.weaken`, field `gas.*`;
 * - the computed GB 18218-2018 level lowered (an inventory or exposed population cut): the alarm
 *   colours use the more serious of declared and computed level, so `assessment.level` counts like
 *   `declaredLevel` (`monitoring.hazard.level.lower`);
 * - a gateway's offline timeout lengthened: `monitoring.delay.lengthen`, field `offlineAfterMs`;
 * - an enterprise's risk grade removed (as well as set or changed): `site.enterprise.risk`.
 * A created entity gives no line (there was no monitoring to weaken), nor does a point's move to
 * another hazard or gateway (validated like any edit; audited).
 */
import { isGasDetectorKind, type MonitoringChangeKind, type PointKind } from '@hazardwatch/contracts';
import type {
  NormalisedEnterprise,
  NormalisedGateway,
  NormalisedHazard,
  NormalisedPoint,
} from './site-normal-schema.js';

/** One weakened field. `before`/`after` are JSON values (null when absent). */
export interface MonitoringChangeLine {
  readonly kind: MonitoringChangeKind;
  /** Dotted path in the normal-form entity, e.g. `limits.hh`; the entity's type for a delete. */
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** One entity before and after a write; `undefined` before a create or after a delete. */
export type EntityChange =
  | { readonly entity: 'point'; readonly before?: NormalisedPoint; readonly after?: NormalisedPoint }
  | { readonly entity: 'hazard'; readonly before?: NormalisedHazard; readonly after?: NormalisedHazard }
  | {
      readonly entity: 'enterprise';
      readonly before?: NormalisedEnterprise;
      readonly after?: NormalisedEnterprise;
    }
  | { readonly entity: 'gateway'; readonly before?: NormalisedGateway; readonly after?: NormalisedGateway };

/** Detectors whose 停用 waits for the regulator by default: contracts GAS_DETECTOR_KINDS. */
export { GAS_DETECTOR_KINDS } from '@hazardwatch/contracts';

export const isGasDetector = (kind: PointKind): boolean => isGasDetectorKind(kind);

/** The lines of a write, in a stable order; empty when nothing weakens monitoring. */
export function classifyMonitoringChange(change: EntityChange): readonly MonitoringChangeLine[] {
  switch (change.entity) {
    case 'point':
      return pointLines(change.before, change.after);
    case 'hazard':
      return hazardLines(change.before, change.after);
    case 'enterprise':
      return enterpriseLines(change.before, change.after);
    case 'gateway':
      return gatewayLines(change.before, change.after);
  }
}

/** The kinds of the lines, each once, in first-seen order. */
export function changeKinds(lines: readonly MonitoringChangeLine[]): MonitoringChangeKind[] {
  return [...new Set(lines.map((l) => l.kind))];
}

const line = (kind: MonitoringChangeKind, field: string, before: unknown, after: unknown) => ({
  kind,
  field,
  before: before ?? null,
  after: after ?? null,
});

const UPPER = ['h', 'hh'] as const;
const LOWER = ['ll', 'l'] as const;
const DELAYS = ['onDelayMs', 'offDelayMs', 'staleAfterMs'] as const;

function pointLines(before?: NormalisedPoint, after?: NormalisedPoint): MonitoringChangeLine[] {
  if (before === undefined) return [];
  const out: MonitoringChangeLine[] = [];
  if (after === undefined) {
    out.push(line('monitoring.point.delete', 'point', before.tag, null));
    if (isGasDetector(before.kind) && before.enabled)
      out.push(line('monitoring.gas-detector.disable', 'enabled', true, null));
    return out;
  }
  // 停用: judged by what the point was (a kind changed in the same write does not dodge the rule).
  if (before.enabled && !after.enabled) {
    const kind = isGasDetector(before.kind) ? 'monitoring.gas-detector.disable' : 'monitoring.point.disable';
    out.push(line(kind, 'enabled', true, false));
  }
  // An alarm limit moved away from the normal range, or removed (REFERENCE §8 item 16).
  for (const name of [...LOWER, ...UPPER]) {
    const b = before.limits[name];
    const a = after.limits[name];
    if (b === null) continue;
    const weaker = a === null || ((UPPER as readonly string[]).includes(name) ? a > b : a < b);
    if (weaker) out.push(line('monitoring.limit.weaken', `limits.${name}`, b, a));
  }
  for (const name of [...LOWER, ...UPPER]) {
    // A deadband only matters where a limit is (still) set.
    if (after.limits[name] === null) continue;
    if (after.deadband[name] > before.deadband[name])
      out.push(
        line('monitoring.deadband.widen', `deadband.${name}`, before.deadband[name], after.deadband[name]),
      );
  }
  for (const field of DELAYS) {
    if (after[field] > before[field])
      out.push(line('monitoring.delay.lengthen', field, before[field], after[field]));
  }
  for (const direction of ['rising', 'falling'] as const) {
    const b = mostSensitiveSlope(before, direction);
    const a = mostSensitiveSlope(after, direction);
    if (b !== null && (a === null || a > b))
      out.push(line('monitoring.limit.weaken', `rateOfChange.${direction}`, b, a));
  }
  out.push(...gasLines(before, after));
  return out;
}

/** The smallest configured slope of one direction (the one that alarms first), per minute. */
function mostSensitiveSlope(point: NormalisedPoint, direction: 'rising' | 'falling'): number | null {
  const slopes = point.rateOfChange.filter((r) => r.direction === direction).map((r) => r.slopePerMin);
  return slopes.length === 0 ? null : Math.min(...slopes);
}

function gasLines(before: NormalisedPoint, after: NormalisedPoint): MonitoringChangeLine[] {
  const b = before.gas;
  if (b === null) return [];
  const a = after.gas;
  const out: MonitoringChangeLine[] = [];
  for (const field of ['oel', 'idlh'] as const) {
    const was = b[field];
    const now = a?.[field] ?? null;
    if (was !== null && (now === null || now > was))
      out.push(line('monitoring.limit.weaken', `gas.${field}`, was, now));
  }
  for (const field of ['substance', 'basis'] as const) {
    const was = b[field];
    const now = a?.[field] ?? null;
    if (was !== null && now !== was) out.push(line('monitoring.limit.weaken', `gas.${field}`, was, now));
  }
  return out;
}

function hazardLines(before?: NormalisedHazard, after?: NormalisedHazard): MonitoringChangeLine[] {
  if (before === undefined) return [];
  if (after === undefined) return [line('monitoring.hazard.delete', 'hazard', before.code, null)];
  const out: MonitoringChangeLine[] = [];
  // 一级 = 1 is the most serious (GB 18218-2018 Table 6): a larger number is a lower level.
  if (after.declaredLevel > before.declaredLevel)
    out.push(
      line('monitoring.hazard.level.lower', 'declaredLevel', before.declaredLevel, after.declaredLevel),
    );
  const b = before.assessment?.level ?? null;
  const a = after.assessment?.level ?? null;
  if (b !== null && (a === null || a > b))
    out.push(line('monitoring.hazard.level.lower', 'assessment.level', b, a));
  return out;
}

function enterpriseLines(
  before?: NormalisedEnterprise,
  after?: NormalisedEnterprise,
): MonitoringChangeLine[] {
  if (before === undefined || after === undefined) return [];
  const out: MonitoringChangeLine[] = [];
  if (after.code !== before.code) out.push(line('site.enterprise.identity', 'code', before.code, after.code));
  if (after.region !== before.region)
    out.push(line('site.enterprise.identity', 'region', before.region, after.region));
  if (JSON.stringify(after.risk) !== JSON.stringify(before.risk))
    out.push(line('site.enterprise.risk', 'risk', before.risk, after.risk));
  return out;
}

function gatewayLines(before?: NormalisedGateway, after?: NormalisedGateway): MonitoringChangeLine[] {
  if (before === undefined || after === undefined) return [];
  return after.offlineAfterMs > before.offlineAfterMs
    ? [line('monitoring.delay.lengthen', 'offlineAfterMs', before.offlineAfterMs, after.offlineAfterMs)]
    : [];
}
