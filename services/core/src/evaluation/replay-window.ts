import type { EvaluatedPoint } from './evaluated-point.js';

/**
 * How far back the stored readings must reach for EvaluationEngine.replay() to rebuild the
 * short-term state of these points at a takeover (issue #23), ms:
 * - limits: on-delay + off-delay, so that an alarm raised before the window and cleared within it
 *   is seen running its off-delay, not judged from a pending on-delay;
 * - rate of change: twice the longest window (the slope needs a reference one window back from
 *   the median sample, and the median filter and the decimated history lag by a few samples).
 * Staleness needs only each point's last reading, which the caller reads apart. At least
 * `minimumMs`, at most `maximumMs` (bounding the query: a pathological delay setting must not make
 * a takeover read hours of readings). @default minimumMs 60 000, maximumMs 3 600 000
 */
export function replayWindowMs(
  points: Iterable<Pick<EvaluatedPoint, 'onDelayMs' | 'offDelayMs' | 'rateOfChange'>>,
  minimumMs = 60_000,
  maximumMs = 3_600_000,
): number {
  let need = minimumMs;
  for (const p of points) {
    need = Math.max(need, p.onDelayMs + p.offDelayMs);
    for (const r of p.rateOfChange) need = Math.max(need, 2 * r.windowMs);
  }
  return Math.min(need, maximumMs);
}
