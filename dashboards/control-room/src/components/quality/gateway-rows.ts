/**
 * One row per gateway of the data-quality view, merged from three sources, newest first: the live
 * `gateway` presence event (sent when a gateway goes online or offline), the status the REST API
 * read from the database (what ingestion last stored: online, last seen, spool depth), and the
 * open GATEWAY_OFFLINE alarms of the region overviews.
 */
import type { Gateway } from '@hazardwatch/contracts';

export interface LivePresence {
  readonly online: boolean;
  readonly ts: number;
  readonly spoolDepth: number | null;
}

export interface GatewayRow extends Gateway {
  readonly key: string;
  readonly online: boolean;
  /** ms UTC: since when in this state, when known. */
  readonly since: number | null;
  /** Readings waiting in the gateway's disk spool; null = never reported. */
  readonly spoolDepth: number | null;
}

export function gatewayRows(
  gateways: readonly Gateway[],
  live: ReadonlyMap<string, LivePresence>,
  offlineSince: ReadonlyMap<string, number>,
): GatewayRow[] {
  return gateways.map((g) => {
    const key = `${g.enterprise}/${g.code}`;
    const presence = live.get(key);
    const online = presence?.online ?? g.status?.online ?? !offlineSince.has(key);
    const since = presence
      ? presence.ts
      : (offlineSince.get(key) ?? (g.status && !g.status.online ? Date.parse(g.status.lastSeen) : null));
    const spoolDepth = presence?.spoolDepth ?? g.status?.spoolDepth ?? null;
    return { ...g, key, online, since, spoolDepth };
  });
}
