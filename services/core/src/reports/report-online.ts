/**
 * Online rate per enterprise (联网在线率) for a duty report: the share of the period each gateway's
 * data reached the platform, as a regulator reads it — a gateway is "online" while it is connected
 * and delivering, and every hole counts against the enterprise, whatever caused it.
 *
 * Unavailable time of a gateway within [fromMs, endMs) is the union of
 * - the spans its GATEWAY_OFFLINE alarm was active: from the transition into UNACK from NORM or
 *   RTNUN (the gateway-loss timeout expired) to the next transition into RTNUN or NORM (heard
 *   again), from the stored alarm events; an alarm still active runs to `endMs`;
 * - while its stored status (`gateway_status`) says offline, the time since it has been offline;
 * - the source-time spans its spool reported dropped (`data_loss`): the readings never arrived;
 * and a gateway never heard from (no stored status) is unavailable for the whole period.
 * Gateway rate = 100 × (1 − unavailable / (endMs − fromMs)); an enterprise's rate is over its
 * gateway-time (every gateway weighs the same); an enterprise without gateways has none (null).
 */
import type { AlarmState } from '@hazardwatch/contracts';

/** One event of a GATEWAY_OFFLINE alarm, time order per alarm. */
export interface ReportOfflineEvent {
  readonly alarmId: string;
  readonly enterprise: string;
  readonly gateway: string;
  readonly from: AlarmState;
  readonly to: AlarmState;
  readonly ts: number;
}

export interface ReportGatewayInput {
  readonly enterprise: string;
  readonly gateway: string;
  /** Stored presence; null = never heard from. */
  readonly status: { readonly online: boolean; readonly sinceMs: number | null } | null;
}

/** A dropped source-time span (@hazardwatch/store DataLossRecord); without a span it hides no time. */
export interface ReportLoss {
  readonly enterprise: string;
  readonly gateway: string;
  readonly fromMs: number | null;
  readonly toMs: number | null;
}

export interface ReportGatewayOnline {
  readonly enterprise: string;
  readonly gateway: string;
  readonly neverHeard: boolean;
  /** Unavailable time within the period, ms (the union above). */
  readonly unavailableMs: number;
  /** null for an empty range. */
  readonly onlineRatePct: number | null;
}

export interface ReportEnterpriseOnline {
  readonly enterprise: string;
  readonly gateways: number;
  readonly unavailableMs: number;
  /** null without gateways or for an empty range. */
  readonly onlineRatePct: number | null;
  readonly gatewayRows: readonly ReportGatewayOnline[];
}

export interface ReportOnline {
  /** Over the gateway-time of the whole scope; null without gateways or for an empty range. */
  readonly onlineRatePct: number | null;
  readonly enterprises: readonly ReportEnterpriseOnline[];
}

type Span = [number, number];

/** Union length of spans clipped to [from, to). */
export function unionMs(spans: readonly Span[], from: number, to: number): number {
  const clipped = spans
    .map(([a, b]): Span => [Math.max(a, from), Math.min(b, to)])
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

/** Active spans of offline alarms from their events (per alarm, time order). */
function activeSpans(events: readonly ReportOfflineEvent[], endMs: number): Span[] {
  const spans: Span[] = [];
  const since = new Map<string, number>();
  for (const e of events) {
    const start = since.get(e.alarmId);
    if (e.to === 'UNACK' && (e.from === 'NORM' || e.from === 'RTNUN')) {
      if (start === undefined) since.set(e.alarmId, e.ts);
    } else if ((e.to === 'RTNUN' || e.to === 'NORM') && start !== undefined) {
      spans.push([start, e.ts]);
      since.delete(e.alarmId);
    }
  }
  for (const start of since.values()) spans.push([start, endMs]);
  return spans;
}

const key = (e: string, g: string): string => `${e}\u0000${g}`;

/**
 * @param enterprises every enterprise of the scope, in the order to answer them.
 * @param gateways every gateway of these enterprises in the site model.
 */
export function reportOnline(
  enterprises: readonly string[],
  gateways: readonly ReportGatewayInput[],
  offline: readonly ReportOfflineEvent[],
  losses: readonly ReportLoss[],
  range: { readonly fromMs: number; readonly endMs: number },
): ReportOnline {
  const rangeMs = range.endMs - range.fromMs;
  const spans = new Map<string, Span[]>();
  const push = (k: string, s: Span): void => {
    const list = spans.get(k);
    if (list === undefined) spans.set(k, [s]);
    else list.push(s);
  };
  const byAlarmGateway = new Map<string, ReportOfflineEvent[]>();
  for (const e of [...offline].sort((a, b) => a.ts - b.ts)) {
    const k = key(e.enterprise, e.gateway);
    byAlarmGateway.set(k, [...(byAlarmGateway.get(k) ?? []), e]);
  }
  for (const [k, events] of byAlarmGateway) for (const s of activeSpans(events, range.endMs)) push(k, s);
  for (const l of losses)
    if (l.fromMs !== null && l.toMs !== null) push(key(l.enterprise, l.gateway), [l.fromMs, l.toMs]);
  const rows = enterprises.map((enterprise): ReportEnterpriseOnline => {
    const rows = gateways
      .filter((g) => g.enterprise === enterprise)
      .map((g): ReportGatewayOnline => {
        const k = key(g.enterprise, g.gateway);
        const own = [...(spans.get(k) ?? [])];
        const neverHeard = g.status === null;
        if (neverHeard) own.push([range.fromMs, range.endMs]);
        else if (!g.status.online && g.status.sinceMs !== null) own.push([g.status.sinceMs, range.endMs]);
        const unavailableMs = unionMs(own, range.fromMs, range.endMs);
        return {
          enterprise: g.enterprise,
          gateway: g.gateway,
          neverHeard,
          unavailableMs,
          onlineRatePct: rangeMs > 0 ? 100 * (1 - unavailableMs / rangeMs) : null,
        };
      });
    const unavailableMs = rows.reduce((s, r) => s + r.unavailableMs, 0);
    return {
      enterprise,
      gateways: rows.length,
      unavailableMs,
      onlineRatePct:
        rows.length > 0 && rangeMs > 0 ? 100 * (1 - unavailableMs / (rows.length * rangeMs)) : null,
      gatewayRows: rows,
    };
  });
  const gatewayCount = rows.reduce((s, e) => s + e.gateways, 0);
  const unavailable = rows.reduce((s, e) => s + e.unavailableMs, 0);
  return {
    onlineRatePct:
      gatewayCount > 0 && rangeMs > 0 ? 100 * (1 - unavailable / (gatewayCount * rangeMs)) : null,
    enterprises: rows,
  };
}
