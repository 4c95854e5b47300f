/**
 * Points out of service (停用, `enabled: false`; issue #19) for a duty report: the points the site
 * model has disabled now whose change record took them out before the end of the period (or with
 * no record: a site-file import), with the time they were out within the period. The site model
 * keeps the current state only: a point disabled during the period and enabled again since is not
 * listed (its change records are, in the monitoring-change log).
 */
export interface ReportDisabledPoint {
  readonly pointId: number;
  readonly enterprise: string;
  readonly hazard: string | null;
  readonly tag: string;
  readonly name: string;
  /** Since when, ms UTC; null = unknown (before the period, for the figures). */
  readonly sinceMs: number | null;
  /** The change record that took it out; null when none did. */
  readonly changeId: string | null;
}

export interface ReportOutOfServicePoint extends ReportDisabledPoint {
  /** Time out of service within [fromMs, endMs), ms. */
  readonly outMs: number;
}

export function reportOutOfService(
  points: readonly ReportDisabledPoint[],
  range: { readonly fromMs: number; readonly toMs: number; readonly endMs: number },
): ReportOutOfServicePoint[] {
  return (
    points
      // Taken out before the period's end (for a period not yet ended: by now).
      .filter((p) => p.sinceMs === null || p.sinceMs < range.toMs)
      .map((p) => ({
        ...p,
        outMs: range.endMs - Math.min(range.endMs, Math.max(range.fromMs, p.sinceMs ?? range.fromMs)),
      }))
      .sort(
        (a, b) =>
          (a.enterprise < b.enterprise ? -1 : a.enterprise > b.enterprise ? 1 : 0) ||
          (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0),
      )
  );
}
