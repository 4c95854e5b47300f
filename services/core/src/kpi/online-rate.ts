/**
 * Online rate of the monitored data (REFERENCE §1: MEM's data-quality target, every monitoring
 * indicator's online rate ≥ 99.5 %), as far as holes are known: the spans of source time whose
 * readings a gateway reported dropped (`data_loss`, issue #16 item 4). A span hides every point of
 * its gateway, so the rate is per gateway: 100 × (1 − lost time / range), overlapping reports
 * counted once; the scope's rate weights each gateway by its points. Stale points and gateways
 * offline are alarms with their own durations and are not (yet) part of this figure.
 *
 * A point out of service (停用, `enabled: false`; issue #19) is not online from the time it was
 * taken out of service (its change record's; before the range when unknown) to the end of the
 * range: a disabled detector counts against the target instead of vanishing from it. A hole its
 * gateway reported hides every point once (a point's offline time is the longer of the two).
 */
import type { KpiRange } from './alarm-intervals.js';

/** A data-loss report as stored (@hazardwatch/store DataLossRecord). */
export interface KpiDataLoss {
  readonly enterprise: string;
  readonly gateway: string;
  readonly readings: number;
  /** Source-time span of the dropped readings, ms UTC; null when the gateway did not say. */
  readonly fromMs: number | null;
  readonly toMs: number | null;
}

export interface KpiGatewayOnline {
  readonly enterprise: string;
  readonly gateway: string;
  readonly points: number;
  /** Of `points`, those out of service. */
  readonly outOfService: number;
  /** Reports whose span overlaps the range (or without a span). */
  readonly reports: number;
  readonly lostReadings: number;
  /** Time within the range covered by dropped spans, ms. */
  readonly lostMs: number;
  /** null for an empty range. */
  readonly onlineRatePct: number | null;
}

export interface KpiOnlineRate {
  readonly gateways: readonly KpiGatewayOnline[];
  readonly lostReadings: number;
  readonly outOfServicePoints: number;
  /** Point-weighted over the gateways; null without points or for an empty range. */
  readonly onlineRatePct: number | null;
}

/** A gateway of the scope with its points; `outOfService`: since when each disabled one is (ms, null = before the range). */
export interface KpiGatewayPoints {
  readonly enterprise: string;
  readonly gateway: string;
  readonly points: number;
  readonly outOfService?: ReadonlyArray<number | null>;
}

/** Union length of [from, to] spans clipped to the range. */
function coveredMs(spans: Array<[number, number]>, range: KpiRange): number {
  const clipped = spans
    .map(([a, b]): [number, number] => [Math.max(a, range.fromMs), Math.min(b, range.toMs)])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of clipped) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

/**
 * @param gateways the scope's gateways with their point counts (every one gets a row, with or
 * without losses); reports of other gateways are ignored.
 */
export function onlineRate(
  gateways: readonly KpiGatewayPoints[],
  losses: readonly KpiDataLoss[],
  range: KpiRange,
): KpiOnlineRate {
  const rangeMs = range.toMs - range.fromMs;
  const key = (e: string, g: string) => `${e}\u0000${g}`;
  const byGateway = new Map<string, KpiDataLoss[]>();
  for (const l of losses) {
    const k = key(l.enterprise, l.gateway);
    const list = byGateway.get(k);
    if (list === undefined) byGateway.set(k, [l]);
    else list.push(l);
  }
  let weighted = 0;
  let points = 0;
  let lostReadings = 0;
  let outOfServicePoints = 0;
  const rows = gateways.map((g): KpiGatewayOnline => {
    const own = byGateway.get(key(g.enterprise, g.gateway)) ?? [];
    const spans = own
      .filter((l) => l.fromMs !== null && l.toMs !== null)
      .map((l): [number, number] => [l.fromMs!, l.toMs!]);
    const lostMs = coveredMs(spans, range);
    const readings = own.reduce((s, l) => s + l.readings, 0);
    lostReadings += readings;
    const disabled = g.outOfService ?? [];
    outOfServicePoints += disabled.length;
    // Offline point-time: every point loses the holes; a disabled one at least its time out of service.
    const offMs = disabled.reduce<number>(
      (sum, since) =>
        sum +
        Math.max(lostMs, range.toMs - Math.min(range.toMs, Math.max(range.fromMs, since ?? range.fromMs))),
      (g.points - disabled.length) * lostMs,
    );
    const pct =
      rangeMs > 0 && g.points > 0
        ? 100 * (1 - offMs / (g.points * rangeMs))
        : rangeMs > 0
          ? 100 * (1 - lostMs / rangeMs)
          : null;
    if (pct !== null) {
      weighted += pct * g.points;
      points += g.points;
    }
    return {
      enterprise: g.enterprise,
      gateway: g.gateway,
      points: g.points,
      outOfService: disabled.length,
      reports: own.length,
      lostReadings: readings,
      lostMs,
      onlineRatePct: pct,
    };
  });
  return {
    gateways: rows,
    lostReadings,
    outOfServicePoints,
    onlineRatePct: points > 0 ? weighted / points : null,
  };
}
