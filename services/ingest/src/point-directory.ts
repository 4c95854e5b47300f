import type { SiteIndex } from '@hazardwatch/core';

/**
 * What the decoder needs to know about the configured site: which gateways exist and which point
 * a tag names. Lookups happen once per reading, so implementations keep plain Maps.
 */
export interface PointRef {
  /** Dense integer id, the `point_id` stored with every reading. */
  readonly id: number;
  /** Gateway the point is assigned to; readings for it from another gateway are refused. */
  readonly gateway: string;
  readonly enabled: boolean;
}

export interface EnterprisePoints {
  readonly gateways: ReadonlySet<string>;
  readonly points: ReadonlyMap<string, PointRef>;
}

export interface PointDirectory {
  enterprise(code: string): EnterprisePoints | undefined;
}

/** Builds a directory from a flat list, e.g. the points of a validated site model. */
export function pointDirectoryFrom(
  gateways: Iterable<{ enterprise: string; code: string }>,
  points: Iterable<{ enterprise: string; tag: string } & PointRef>,
): PointDirectory {
  const byEnterprise = new Map<string, { gateways: Set<string>; points: Map<string, PointRef> }>();
  const entry = (code: string) => {
    let e = byEnterprise.get(code);
    if (!e) byEnterprise.set(code, (e = { gateways: new Set(), points: new Map() }));
    return e;
  };
  for (const g of gateways) entry(g.enterprise).gateways.add(g.code);
  for (const p of points)
    entry(p.enterprise).points.set(p.tag, { id: p.id, gateway: p.gateway, enabled: p.enabled });
  return { enterprise: (code) => byEnterprise.get(code) };
}

/** The directory of a validated, indexed site (points carry their store-assigned ids). */
export function pointDirectoryFromSite(index: SiteIndex): PointDirectory {
  return pointDirectoryFrom(
    index.site.gateways.map((g) => ({ enterprise: g.enterprise, code: g.code })),
    index.points().map((p) => ({
      enterprise: p.enterprise,
      tag: p.tag,
      id: p.id,
      gateway: p.gateway,
      enabled: p.enabled,
    })),
  );
}
