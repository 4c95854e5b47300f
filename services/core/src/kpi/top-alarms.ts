/**
 * Most frequent alarms: the (source, condition) pairs with the most annunciations, and their
 * share of the load (ISA-18.2 target: the top 10 carry ~1–5 % of it; REFERENCE §7).
 */
import type { AlarmCondition } from '@hazardwatch/contracts';
import { compareText } from './alarm-annunciation.js';

export interface KpiSourceCount {
  /** `point:<id>` or `gateway:<enterprise>/<gateway>`. */
  readonly sourceKey: string;
  /** null for a gateway alarm. */
  readonly pointId: number | null;
  readonly condition: AlarmCondition;
  readonly count: number;
}

export interface KpiTopAlarm extends KpiSourceCount {
  /** count / total annunciations, percent. */
  readonly sharePct: number;
}

export interface KpiTopAlarms {
  readonly entries: readonly KpiTopAlarm[];
  /** Combined share of the entries, percent. */
  readonly sharePct: number;
}

/** Highest count first; ties by source key, then condition, so the answer never depends on input order. */
export function topAlarmSources(counts: Iterable<KpiSourceCount>, total: number, n: number): KpiTopAlarms {
  const sorted = [...counts].sort(
    (a, b) =>
      b.count - a.count || compareText(a.sourceKey, b.sourceKey) || compareText(a.condition, b.condition),
  );
  const entries = sorted
    .slice(0, n)
    .map((c) => Object.freeze({ ...c, sharePct: total === 0 ? 0 : (c.count / total) * 100 }));
  return Object.freeze({
    entries: Object.freeze(entries),
    sharePct: entries.reduce((s, e) => s + e.sharePct, 0),
  });
}
