/**
 * Flood episodes on a sliding window (REFERENCE §7: flood = more than 10 alarms in 10 min).
 * An episode starts at the alarm that makes the window (t − W, t] hold more than the threshold,
 * and ends at the instant the window falls back to the threshold (an alarm leaves the window W
 * after it arrived). One merge of arrivals and departures over sorted times: O(n).
 */
import type { KpiRange } from './alarm-intervals.js';

export interface KpiFloodEpisode {
  readonly startMs: number;
  /** When the window fell back to the threshold; `toMs` if still in flood at the end of the range. */
  readonly endMs: number;
  /** Most alarms in any window during the episode. */
  readonly peakCount: number;
  /** True when the episode ran past the end of the range and was cut there. */
  readonly clipped: boolean;
}

export interface KpiFloodStats {
  readonly episodes: readonly KpiFloodEpisode[];
  /** Time spent in flood within the range, ms. */
  readonly floodTimeMs: number;
  /** floodTimeMs / range, percent (ISA-18.2 "time in flood"). */
  readonly floodTimeSharePct: number;
}

/** `sorted`: annunciation times within the range, ascending. */
export function findFloodEpisodes(
  sorted: ArrayLike<number>,
  range: KpiRange,
  windowMs: number,
  threshold: number,
): KpiFloodStats {
  const n = sorted.length;
  const episodes: KpiFloodEpisode[] = [];
  let arrive = 0;
  let depart = 0;
  let inWindow = 0;
  let start: number | null = null;
  let peak = 0;
  const end = (at: number) => {
    if (start === null) return;
    const clipped = at > range.toMs;
    episodes.push(
      Object.freeze({ startMs: start, endMs: clipped ? range.toMs : at, peakCount: peak, clipped }),
    );
    start = null;
  };
  while (depart < n) {
    const a = arrive < n ? (sorted[arrive] ?? Infinity) : Infinity;
    const d = (sorted[depart] ?? Infinity) + windowMs;
    // At equal times the departure goes first: at t + W the alarm at t is no longer in (t, t + W].
    if (d <= a) {
      depart++;
      inWindow--;
      if (start !== null && inWindow <= threshold) end(d);
    } else {
      arrive++;
      inWindow++;
      if (start === null && inWindow > threshold) {
        start = a;
        peak = inWindow;
      } else if (start !== null && inWindow > peak) {
        peak = inWindow;
      }
    }
  }
  const floodTimeMs = episodes.reduce((sum, e) => sum + (e.endMs - e.startMs), 0);
  return Object.freeze({
    episodes: Object.freeze(episodes),
    floodTimeMs,
    floodTimeSharePct: (floodTimeMs / (range.toMs - range.fromMs)) * 100,
  });
}
