import type { NormalisedEnterprise, NormalisedHazard, NormalisedRegion, SiteIndex } from '@hazardwatch/core';
import type { RegionNode } from '@hazardwatch/contracts';
import type { GatewayStatusRecord } from '@hazardwatch/store';

/** Visible regions as a forest: a visible region whose parent is not visible is a root. */
export function regionForest(site: SiteIndex, visible: readonly string[]): RegionNode[] {
  const set = new Set(visible);
  const nodes = new Map<string, RegionNode>();
  for (const code of visible) {
    const r = site.region(code)!;
    nodes.set(code, { code: r.code, name: r.name, kind: r.kind, parent: r.parent, children: [] });
  }
  const roots: RegionNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parent !== null && set.has(node.parent) ? nodes.get(node.parent) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

export const regionDto = (r: NormalisedRegion) => ({
  code: r.code,
  name: r.name,
  kind: r.kind,
  parent: r.parent,
  centroid: r.centroid,
});

export function enterpriseDto(site: SiteIndex, e: NormalisedEnterprise) {
  return {
    code: e.code,
    name: e.name,
    region: e.region,
    location: e.location,
    risk: e.risk,
    hazards: site.site.hazards.filter((h) => h.enterprise === e.code).length,
    gateways: site.site.gateways.filter((g) => g.enterprise === e.code).length,
    points: site.pointsOfEnterprise(e.code).length,
  };
}

/**
 * A major hazard with both levels: the one declared by the enterprise and the one computed from
 * its inventory (GB 18218-2018 §4: R → 一级…四级); a mismatch is worth a regulator's look.
 */
export function hazardDto(site: SiteIndex, h: NormalisedHazard) {
  const computedLevel = h.assessment?.level ?? null;
  return {
    code: h.code,
    enterprise: h.enterprise,
    name: h.name,
    type: h.type,
    declaredLevel: h.declaredLevel,
    computedLevel,
    levelMismatch: computedLevel !== null && computedLevel !== h.declaredLevel,
    assessment: h.assessment,
    // 包保责任制: 主要 / 技术 / 操作负责人 (REFERENCE §1, §8 item 2).
    responsible: h.responsible,
    location: h.location,
    // Plan-image pixels, like the points' `floorPlan`; `plan` null = the enterprise's default plan.
    floorPlan: h.floorPlan,
    exposedPopulation: h.exposedPopulation,
    inventory: h.inventory,
    points: site.pointsOfHazard(h.enterprise, h.code).length,
  };
}

/** A gateway's last known status as the ingest stored it (`gateway_status`). */
export const gatewayStatusDto = (r: GatewayStatusRecord) => ({
  online: r.online,
  lastSeen: new Date(r.lastSeenMs).toISOString(),
  spoolDepth: r.spoolDepth,
  since: r.sinceMs === null || r.sinceMs === undefined ? null : new Date(r.sinceMs).toISOString(),
});
