/**
 * The part of the site model the user may see (REST, scoped by the API): regions, enterprises,
 * hazards, points, gateways, and the region overviews that carry the per-colour counts.
 */
import { shallowRef, triggerRef } from 'vue';
import type { HazardApi } from '../api/endpoints.js';
import type {
  Enterprise,
  Gateway,
  Hazard,
  Point,
  RegionDetail,
  RegionNode,
  RegionOverview,
} from '@hazardwatch/contracts';

export function flattenRegions(roots: readonly RegionNode[]): RegionNode[] {
  const out: RegionNode[] = [];
  const walk = (n: RegionNode): void => {
    out.push(n);
    n.children.forEach(walk);
  };
  roots.forEach(walk);
  return out;
}

/** Region codes of a subtree, the root included. */
export function subtreeCodes(root: RegionNode): Set<string> {
  return new Set(flattenRegions([root]).map((r) => r.code));
}

export function createSiteStore(api: HazardApi) {
  const roots = shallowRef<RegionNode[]>([]);
  const regionDetails = shallowRef(new Map<string, RegionDetail>());
  const enterprises = shallowRef<Enterprise[]>([]);
  const hazards = shallowRef<Hazard[]>([]);
  const points = shallowRef(new Map<number, Point>());
  const gateways = shallowRef<Gateway[]>([]);
  const overviews = shallowRef(new Map<string, RegionOverview>());

  async function load(): Promise<void> {
    const [r, e, h, p] = await Promise.all([api.regions(), api.enterprises(), api.hazards(), api.points()]);
    roots.value = r;
    enterprises.value = e;
    hazards.value = h;
    points.value = new Map(p.map((x) => [x.id, x]));
    const flat = flattenRegions(r);
    const [details, gw] = await Promise.all([
      Promise.all(flat.map((x) => api.region(x.code))),
      Promise.all(e.map((x) => api.gateways(x.code))),
    ]);
    regionDetails.value = new Map(details.map((d) => [d.code, d]));
    gateways.value = gw.flat();
    await loadOverviews();
  }

  /** One overview per visible region: each lists the colours of the enterprises directly in it. */
  async function loadOverviews(): Promise<void> {
    const flat = flattenRegions(roots.value);
    const list = await Promise.all(flat.map((x) => api.overview(x.code)));
    overviews.value = new Map(list.map((o) => [o.code, o]));
  }

  function replacePoint(p: Point): void {
    points.value.set(p.id, p);
    triggerRef(points);
  }

  return {
    roots,
    regionDetails,
    enterprises,
    hazards,
    points,
    gateways,
    overviews,
    load,
    loadOverviews,
    replacePoint,
  };
}

export type SiteStore = ReturnType<typeof createSiteStore>;
