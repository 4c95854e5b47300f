import type { NormalisedGateway } from '../site-normal-schema.js';
import type { IndexedPoint } from '../site-index.js';

/**
 * The fields of a normalised, indexed point that evaluation reads. `IndexedPoint` satisfies it.
 * `kind` decides which side of the range saturates into the limits (sensor-fault.ts).
 */
export type EvaluatedPoint = Pick<
  IndexedPoint,
  | 'id'
  | 'tag'
  | 'kind'
  | 'enterprise'
  | 'gateway'
  | 'limits'
  | 'deadband'
  | 'onDelayMs'
  | 'offDelayMs'
  | 'staleAfterMs'
  | 'rateOfChange'
  | 'range'
  | 'enabled'
>;

/** The fields of a normalised gateway that evaluation reads. */
export type EvaluatedGateway = Pick<NormalisedGateway, 'enterprise' | 'code' | 'offlineAfterMs'>;

/** REFERENCE §1, §8 item 1: a point with none of LL/L/H/HH configured (same test as POINT_NO_LIMITS). */
export function hasNoLimits(p: EvaluatedPoint): boolean {
  const { ll, l, h, hh } = p.limits;
  return ll === null && l === null && h === null && hh === null;
}

/** Evaluation-relevant configuration unchanged: a reconfiguration may keep the point's machines. */
export function sameEvaluationConfig(a: EvaluatedPoint, b: EvaluatedPoint): boolean {
  return (
    a.enterprise === b.enterprise &&
    a.kind === b.kind &&
    a.gateway === b.gateway &&
    a.enabled === b.enabled &&
    a.onDelayMs === b.onDelayMs &&
    a.offDelayMs === b.offDelayMs &&
    a.staleAfterMs === b.staleAfterMs &&
    a.range.min === b.range.min &&
    a.range.max === b.range.max &&
    a.limits.ll === b.limits.ll &&
    a.limits.l === b.limits.l &&
    a.limits.h === b.limits.h &&
    a.limits.hh === b.limits.hh &&
    a.deadband.ll === b.deadband.ll &&
    a.deadband.l === b.deadband.l &&
    a.deadband.h === b.deadband.h &&
    a.deadband.hh === b.deadband.hh &&
    a.rateOfChange.length === b.rateOfChange.length &&
    a.rateOfChange.every((r, i) => {
      const s = b.rateOfChange[i];
      return (
        s !== undefined &&
        r.direction === s.direction &&
        r.slopePerMin === s.slopePerMin &&
        r.windowMs === s.windowMs
      );
    })
  );
}

/** Key of a gateway within the site: enterprise + NUL + code. */
export const gatewayKey = (enterprise: string, code: string): string => `${enterprise}\u0000${code}`;
