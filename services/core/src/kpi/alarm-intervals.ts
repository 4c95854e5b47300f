/**
 * Fixed 10-minute intervals, aligned to the start of the range (ISA-18.2 "alarms per 10 minutes";
 * REFERENCE §7). One pass of bucket counting: O(n + intervals).
 */
export interface KpiRange {
  /** Inclusive start, ms UTC. */
  readonly fromMs: number;
  /** Exclusive end, ms UTC. */
  readonly toMs: number;
}

export interface KpiIntervalStats {
  readonly sizeMs: number;
  /** ceil(range / sizeMs); a last, shorter interval counts as an interval. */
  readonly count: number;
  /** Alarms per interval, in time order; sums to the total. */
  readonly counts: readonly number[];
  /** Intervals with more than `threshold` alarms. */
  readonly overThreshold: number;
  /** overThreshold / count, in percent. */
  readonly overThresholdSharePct: number;
  /** Highest count of any interval. */
  readonly peak: number;
}

/** Count times (ms, any order, all within the range) into fixed intervals. */
export function countAlarmIntervals(
  times: ArrayLike<number>,
  range: KpiRange,
  sizeMs: number,
  threshold: number,
): KpiIntervalStats {
  const count = Math.ceil((range.toMs - range.fromMs) / sizeMs);
  const buckets = new Uint32Array(count);
  for (let i = 0; i < times.length; i++) {
    const t = times[i] ?? NaN;
    const b = Math.floor((t - range.fromMs) / sizeMs);
    if (b >= 0 && b < count) buckets[b] = (buckets[b] ?? 0) + 1;
  }
  let overThreshold = 0;
  let peak = 0;
  for (const c of buckets) {
    if (c > threshold) overThreshold++;
    if (c > peak) peak = c;
  }
  return Object.freeze({
    sizeMs,
    count,
    counts: Object.freeze(Array.from(buckets)),
    overThreshold,
    overThresholdSharePct: count === 0 ? 0 : (overThreshold / count) * 100,
    peak,
  });
}
