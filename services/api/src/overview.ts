import type { WarningColour } from '@hazardwatch/contracts';
import { ColourRollup, type AlarmRecord, type ColourPolicy, type SiteIndex } from '@hazardwatch/core';
import type { GatewayStatusRecord } from '@hazardwatch/store';

const LIST_MAX = 100;

/**
 * A region's control-room overview, computed from the open alarms with the core's four-colour
 * roll-up (REFERENCE §5): counts per colour of the hazards and enterprises of the subtree, the
 * worst colour of each child region and of each enterprise directly in the region, stale points
 * (REFERENCE §8 item 18), gateways offline and the readings waiting in gateway spools.
 */
export function regionOverview(
  site: SiteIndex,
  code: string,
  open: readonly AlarmRecord[],
  policy: ColourPolicy,
  nowMs: number,
  gatewayStatuses: readonly GatewayStatusRecord[],
) {
  const rollup = new ColourRollup(site, policy);
  rollup.apply(open, nowMs);
  const summary = rollup.region(code)!;
  const inSubtree = (enterprise: string | undefined): boolean => {
    const e = enterprise === undefined ? undefined : site.enterprise(enterprise);
    return e !== undefined && site.regionChain(e.region).some((r) => r.code === code);
  };
  // Data-quality conditions stay listed even when acknowledged: the point still sends nothing.
  const standing = open.filter((a) => a.active && a.state !== 'NORM');
  const stale = standing
    .filter((a) => a.condition === 'STALE' && a.source.kind === 'point')
    .map((a) => ({
      alarm: a,
      point: a.source.kind === 'point' ? site.pointById(a.source.pointId) : undefined,
    }))
    .filter((x) => inSubtree(x.point?.enterprise))
    .map((x) => ({
      pointId: x.point!.id,
      enterprise: x.point!.enterprise,
      tag: x.point!.tag,
      since: x.alarm.raisedAt,
    }));
  const offline = standing
    .filter(
      (a) =>
        a.condition === 'GATEWAY_OFFLINE' && a.source.kind === 'gateway' && inSubtree(a.source.enterprise),
    )
    .map((a) =>
      a.source.kind === 'gateway'
        ? { enterprise: a.source.enterprise, gateway: a.source.gateway, since: a.raisedAt }
        : undefined,
    )
    .filter((x) => x !== undefined);
  // Gateways of the site model only: a row left behind by a deleted gateway is not backlog.
  const backlog = gatewayStatuses.filter(
    (g) =>
      g.spoolDepth !== null &&
      inSubtree(g.enterprise) &&
      site.site.gateways.some((x) => x.enterprise === g.enterprise && x.code === g.gateway),
  );
  const colourOf = (level: 'region' | 'enterprise', c: string): WarningColour | null =>
    rollup.colour(level, c);
  return {
    code,
    name: site.region(code)!.name,
    colour: summary.colour,
    hazards: { ...summary.hazards, total: summary.hazardTotal },
    enterprises: { ...summary.enterprises, total: summary.enterpriseTotal },
    children: site.site.regions
      .filter((r) => r.parent === code)
      .map((r) => {
        const s = rollup.region(r.code)!;
        return {
          code: r.code,
          name: r.name,
          kind: r.kind,
          colour: s.colour,
          hazards: { ...s.hazards, total: s.hazardTotal },
          enterprises: { ...s.enterprises, total: s.enterpriseTotal },
        };
      }),
    enterpriseColours: site.site.enterprises
      .filter((e) => e.region === code)
      .map((e) => ({ code: e.code, name: e.name, colour: colourOf('enterprise', e.code) })),
    stalePoints: { count: stale.length, items: stale.slice(0, LIST_MAX) },
    gatewaysOffline: { count: offline.length, items: offline.slice(0, LIST_MAX) },
    /** Readings waiting in the spools of the subtree's gateways (last reported depths). */
    gatewaysBacklog: {
      readings: backlog.reduce((sum, g) => sum + g.spoolDepth!, 0),
      gateways: backlog.filter((g) => g.spoolDepth! > 0).length,
    },
  };
}
