/**
 * The pure accounting of `bench failover` (failover-bench.ts): latency statistics of the rounds,
 * readings lost from what the broker acknowledged and what is stored, and duplicate alarms from the
 * stored alarm rows and events. Kept apart so that the figures' rules are unit-tested.
 */

/** Nearest-rank percentile of ascending `sorted` (q in 0..1); 0 for none. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export interface LatencySummary {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly samples: number;
}

/** p50/p99/max of the measured kill → first-alarm times, ms (rounded). */
export function summarizeLatencies(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50Ms: Math.round(percentile(sorted, 0.5)),
    p99Ms: Math.round(percentile(sorted, 0.99)),
    maxMs: Math.round(sorted.at(-1) ?? 0),
    samples: sorted.length,
  };
}

/**
 * Readings the broker acknowledged (PUBACK) but not stored: acknowledged − stored, never below 0.
 * `extra` counts stored rows beyond the acknowledged (a reading stored twice cannot be a row twice —
 * readings are keyed by point and time — but a count over that would say the accounting is off).
 */
export function readingsLost(acked: number, stored: number): { lost: number; extra: number } {
  return { lost: Math.max(0, acked - stored), extra: Math.max(0, stored - acked) };
}

/** One stored alarm event, in id order. */
export interface AlarmEventRow {
  readonly sourceKey: string;
  readonly condition: string;
  readonly fromState: string;
  readonly toState: string;
}

/**
 * Raise events (from NORM) for a source and condition whose alarm was not back at NORM: a second
 * raise of one excursion, as two owners acting at once would write it. A raise from RTNUN (a new
 * excursion before the returned alarm was acknowledged) is the lifecycle, not a duplicate.
 */
export function duplicateRaises(events: readonly AlarmEventRow[]): number {
  const state = new Map<string, string>();
  let duplicates = 0;
  for (const e of events) {
    const key = `${e.sourceKey}\u0000${e.condition}`;
    const before = state.get(key);
    if (e.fromState === 'NORM' && before !== undefined && before !== 'NORM') duplicates++;
    state.set(key, e.toState);
  }
  return duplicates;
}

/** Open alarm rows (closed_at null) beyond one per source and condition. */
export function duplicateOpenAlarms(open: ReadonlyArray<{ sourceKey: string; condition: string }>): number {
  const seen = new Set<string>();
  let duplicates = 0;
  for (const a of open) {
    const key = `${a.sourceKey}\u0000${a.condition}`;
    if (seen.has(key)) duplicates++;
    else seen.add(key);
  }
  return duplicates;
}

/**
 * What the figures predict for more cores: the rate per worker added, from the 1/2/3-worker rates
 * (`null` where fewer than two rates). On a machine with fewer cores than workers the increments
 * shrink — the figure says how much one more worker buys here, not a scaling law.
 */
export function perWorkerIncrements(rates: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < rates.length; i++) out.push(rates[i]! - rates[i - 1]!);
  return out;
}
