/**
 * One row per gateway of the data-quality view, merged from three sources: the live `gateway`
 * presence event (sent when a gateway goes online or offline or reports a new spool depth), the
 * status the REST API read from the database (what ingestion last stored: online, last seen,
 * spool depth, since when in that state), and the open GATEWAY_OFFLINE alarms of the region
 * overviews.
 */
import type { Gateway } from '@hazardwatch/contracts';

export interface LivePresence {
  readonly online: boolean;
  /** ms UTC: the last sign of life. */
  readonly ts: number;
  readonly spoolDepth: number | null;
  /** ms UTC: since when in this state as the server's ingest knows it; absent from an older server. */
  readonly since?: number;
}

export interface GatewayRow extends Gateway {
  readonly key: string;
  /** null: never heard from (no stored status, no presence, no alarm) — neither online nor offline. */
  readonly online: boolean | null;
  /** ms UTC: since when in this state, when known. */
  readonly since: number | null;
  /** Readings waiting in the gateway's disk spool; null = never reported. */
  readonly spoolDepth: number | null;
}

interface State {
  readonly online: boolean;
  readonly since: number | null;
}

/**
 * The gateway's state and since when:
 *  - the stored status and a live presence agreeing on the state: the older since (the ingest
 *    that sent the presence may have started after the state began; the database kept it);
 *  - a live presence of another state: the presence (newer than what was read over REST);
 *  - an open GATEWAY_OFFLINE alarm raised after the last presence: offline since the alarm — a
 *    gateway whose heartbeats stopped without a death still reads online in its stored status;
 *  - otherwise the stored status (for an offline row of an older server without `since`: its last
 *    sign of life), or offline since the alarm, or unknown.
 */
function stateOf(
  g: Gateway,
  presence: LivePresence | undefined,
  alarmSince: number | undefined,
): State | null {
  const status = g.status;
  const storedSince =
    status === null
      ? null
      : status.since !== null
        ? Date.parse(status.since)
        : status.online
          ? null
          : Date.parse(status.lastSeen);
  let state: State | null = status === null ? null : { online: status.online, since: storedSince };
  if (presence !== undefined) {
    // An older server's presence event carries no since; its ts is the change's time on a change.
    const liveSince = presence.since ?? (state?.online === presence.online ? null : presence.ts);
    const agree = state !== null && state.online === presence.online;
    const since = agree ? minKnown(state!.since, liveSince) : liveSince;
    state = { online: presence.online, since };
  }
  if (alarmSince !== undefined && (state === null || state.online)) {
    if (presence === undefined || presence.ts <= alarmSince) return { online: false, since: alarmSince };
  }
  return state;
}

const minKnown = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.min(a, b);

export function gatewayRows(
  gateways: readonly Gateway[],
  live: ReadonlyMap<string, LivePresence>,
  offlineSince: ReadonlyMap<string, number>,
): GatewayRow[] {
  return gateways.map((g) => {
    const key = `${g.enterprise}/${g.code}`;
    const presence = live.get(key);
    const state = stateOf(g, presence, offlineSince.get(key));
    const spoolDepth = presence?.spoolDepth ?? g.status?.spoolDepth ?? null;
    return { ...g, key, online: state?.online ?? null, since: state?.since ?? null, spoolDepth };
  });
}
