import {
  gatewaySourceKey,
  platformSourceKey,
  pointSourceKey,
  type AlarmCondition,
  type PlatformCause,
} from '@hazardwatch/contracts';

/**
 * What an alarm is about: a monitoring point, a gateway (communication loss is raised once per
 * gateway, not once per point behind it), or the platform's own machinery (a TimescaleDB job:
 * no enterprise, so it colours no roll-up and opens no 预警).
 */
export type AlarmSource =
  | { readonly kind: 'point'; readonly pointId: number }
  | { readonly kind: 'gateway'; readonly enterprise: string; readonly gateway: string }
  | { readonly kind: 'platform'; readonly component: string; readonly name: string };

/**
 * Stable text key of a source, e.g. `point:42`, `gateway:E1/GW01` or
 * `platform:timescaledb/retention:readings`. One active alarm per (key, condition).
 */
export function sourceKey(source: AlarmSource): string {
  switch (source.kind) {
    case 'point':
      return pointSourceKey(source.pointId);
    case 'gateway':
      return gatewaySourceKey(source.enterprise, source.gateway);
    case 'platform':
      return platformSourceKey(source.component, source.name);
  }
}

/**
 * An evaluator's verdict that a condition started or ended. Emitted only on transitions (and on
 * the first sample of a point after start-up, so that a condition that ended while the process
 * was down is cleared), never per reading: allocation is off the hot path.
 */
export interface ConditionChange {
  readonly source: AlarmSource;
  readonly condition: AlarmCondition;
  /** true: the condition holds (after on-delay); false: it returned to normal (after deadband and off-delay). */
  readonly active: boolean;
  /** Source timestamp of the sample that decided it, ms UTC (or the evaluation clock for staleness). */
  readonly ts: number;
  /** The process value that decided it, when there is one. */
  readonly value: number | null;
  /** The limit or slope it was compared with, when there is one. */
  readonly limit: number | null;
  /**
   * Decided by the late lane (late-lane.ts) from replayed readings older than the point's live
   * newest: `ts` is then a source time in the past, and the change must not disturb the live
   * state of the alarm (ARCHITECTURE "Faults are facts"). Absent for live changes.
   */
  readonly late?: true;
  /**
   * Why the condition holds, for a platform alarm (a stale TimescaleDB job: not run on time, or
   * chunks left): named on the raising event's reason. Absent otherwise.
   */
  readonly cause?: PlatformCause;
}

export interface ConditionSink {
  change(change: ConditionChange): void;
}
