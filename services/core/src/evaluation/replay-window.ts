import type { EvaluatedPoint } from './evaluated-point.js';

type WindowedPoint = Pick<EvaluatedPoint, 'onDelayMs' | 'offDelayMs' | 'rateOfChange'>;

/** The longest a takeover reads back for one point, ms: a pathological delay must not make it read hours. */
export const REPLAY_MAXIMUM_MS = 3_600_000;

/**
 * How far back the stored readings of one point must reach for EvaluationEngine.replay() to
 * rebuild its short-term state at a takeover (issue #23), ms:
 * - limits: on-delay + off-delay, so that a raise still waiting for its on-delay completes when
 *   it would have, and an alarm whose value cleared within the window is seen running its
 *   off-delay;
 * - rate of change: twice the longest window (the slope needs a reference one window back from
 *   the median sample, and the median filter and the decimated history lag by a few samples).
 * Nothing else needs history: an active limit condition is seeded from the restored alarm book
 * (EvaluationEngine.holdActive — a deadband or bad quality holds it, whenever it was raised), and
 * staleness needs only the point's last reading, which the caller reads apart. So a point with
 * no delay and no rate of change needs 0 ms: its newest reading alone. At most `maximumMs`.
 */
export function replayNeedMs(p: WindowedPoint, maximumMs = REPLAY_MAXIMUM_MS): number {
  let need = p.onDelayMs + p.offDelayMs;
  for (const r of p.rateOfChange) need = Math.max(need, 2 * r.windowMs);
  return Math.min(need, maximumMs);
}

/**
 * The longest replayNeedMs of these points, at least `minimumMs` and at most `maximumMs`.
 * @default minimumMs 0, maximumMs REPLAY_MAXIMUM_MS
 */
export function replayWindowMs(
  points: Iterable<WindowedPoint>,
  minimumMs = 0,
  maximumMs = REPLAY_MAXIMUM_MS,
): number {
  let need = minimumMs;
  for (const p of points) need = Math.max(need, replayNeedMs(p, maximumMs));
  return Math.min(need, maximumMs);
}
