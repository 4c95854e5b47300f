/**
 * Chattering alarms: a (source, condition) whose condition goes active at least `minActivations`
 * times within `windowMs` (common test: ≥ 3 in 60 s, REFERENCE §7; target 0). "Within" is
 * inclusive: three activations spanning exactly 60 s chatter.
 */
import type { AlarmCondition } from '@hazardwatch/contracts';
import { compareText } from './alarm-annunciation.js';

export interface KpiChatteringAlarm {
  readonly sourceKey: string;
  /** null for a gateway alarm. */
  readonly pointId: number | null;
  readonly condition: AlarmCondition;
  /** Activations in the range. */
  readonly activations: number;
  /** Most activations in any window of `windowMs`. */
  readonly maxInWindow: number;
  /** Time of the first activation of the first chattering window, ms. */
  readonly firstMs: number;
}

export interface KpiActivationSeries {
  readonly sourceKey: string;
  readonly pointId: number | null;
  readonly condition: AlarmCondition;
  /** Activation times, any order; sorted in place. */
  readonly times: number[];
}

/** Sources that chatter, ordered by source key then condition. O(n log n) per source. */
export function findChatteringAlarms(
  series: Iterable<KpiActivationSeries>,
  minActivations: number,
  windowMs: number,
): KpiChatteringAlarm[] {
  const out: KpiChatteringAlarm[] = [];
  for (const s of series) {
    const t = s.times.sort((a, b) => a - b);
    if (t.length < minActivations) continue;
    let maxInWindow = 0;
    let firstMs: number | null = null;
    let lo = 0;
    for (let hi = 0; hi < t.length; hi++) {
      while ((t[hi] ?? 0) - (t[lo] ?? 0) > windowMs) lo++;
      const inWindow = hi - lo + 1;
      if (inWindow > maxInWindow) maxInWindow = inWindow;
      if (firstMs === null && inWindow >= minActivations) firstMs = t[lo] ?? null;
    }
    if (firstMs !== null)
      out.push(
        Object.freeze({
          sourceKey: s.sourceKey,
          pointId: s.pointId,
          condition: s.condition,
          activations: t.length,
          maxInWindow,
          firstMs,
        }),
      );
  }
  return out.sort((a, b) => compareText(a.sourceKey, b.sourceKey) || compareText(a.condition, b.condition));
}
