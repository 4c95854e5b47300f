/**
 * O(1) lookups over a normalised site for the ingestion hot path: a reading arrives as
 * (enterprise, gateway, tag) from the topic and must find its point without scanning.
 *
 * Point ids: points get dense integer ids that the store owns (they key the readings table).
 * Pass the store's mapping as `ids` (key: `pointKey(enterprise, tag)` = enterprise + NUL + tag);
 * every point must then have an id. With no mapping, ids 1…n are assigned in site-file order,
 * which is what tests and the embedded demo use.
 */
import { coreErrors } from './errors.js';
import type {
  NormalisedEnterprise,
  NormalisedGateway,
  NormalisedHazard,
  NormalisedPoint,
  NormalisedRegion,
  NormalisedSite,
} from './site-normal-schema.js';
import { scopedKey } from './site-references.js';

/** A normalised point with its dense integer id. */
export type IndexedPoint = NormalisedPoint & { readonly id: number };

/** Key of a point in an id mapping: `${enterprise}\u0000${tag}`. */
export const pointKey = (enterprise: string, tag: string): string => scopedKey(enterprise, tag);

export interface SiteIndexOptions {
  /** Store-assigned ids, keyed by `pointKey(enterprise, tag)`. Omit to number points 1…n. */
  readonly ids?: ReadonlyMap<string, number>;
}

type Nested<T> = Map<string, Map<string, T>>;

function put<T>(map: Nested<T>, outer: string, inner: string, value: T): void {
  let m = map.get(outer);
  if (m === undefined) {
    m = new Map();
    map.set(outer, m);
  }
  m.set(inner, value);
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

const EMPTY: readonly IndexedPoint[] = Object.freeze([]);

/** A site with nothing in it: ingestion runs (and rejects every reading as unknown) until one is imported. */
export const EMPTY_SITE: NormalisedSite = Object.freeze({
  version: 1,
  name: null,
  defaults: Object.freeze({
    onDelayMs: 0,
    offDelayMs: 0,
    staleAfterMs: 300_000,
    gatewayOfflineAfterMs: 120_000,
  }),
  regions: [],
  enterprises: [],
  hazards: [],
  gateways: [],
  points: [],
});

export class SiteIndex {
  readonly site: NormalisedSite;
  readonly #points: readonly IndexedPoint[];
  readonly #byKey: Nested<IndexedPoint> = new Map();
  readonly #byId = new Map<number, IndexedPoint>();
  readonly #byHazard = new Map<string, IndexedPoint[]>();
  readonly #byGateway = new Map<string, IndexedPoint[]>();
  readonly #byEnterprise = new Map<string, IndexedPoint[]>();
  readonly #gateways: Nested<NormalisedGateway> = new Map();
  readonly #hazards: Nested<NormalisedHazard> = new Map();
  readonly #enterprises = new Map<string, NormalisedEnterprise>();
  readonly #regions = new Map<string, NormalisedRegion>();

  /** Throws HW_CORE_SITE_INDEX_MISSING_ID / HW_CORE_SITE_INDEX_BAD_ID for an unusable id mapping. */
  constructor(site: NormalisedSite, options: SiteIndexOptions = {}) {
    this.site = site;
    const { ids } = options;
    const used = new Set<number>();
    this.#points = Object.freeze(
      site.points.map((p, i) => {
        const id = ids === undefined ? i + 1 : ids.get(pointKey(p.enterprise, p.tag));
        if (id === undefined) {
          throw coreErrors.create('HW_CORE_SITE_INDEX_MISSING_ID', { enterprise: p.enterprise, tag: p.tag });
        }
        if (!Number.isSafeInteger(id) || id < 0 || used.has(id)) {
          throw coreErrors.create('HW_CORE_SITE_INDEX_BAD_ID', { id, enterprise: p.enterprise, tag: p.tag });
        }
        used.add(id);
        const point: IndexedPoint = Object.freeze({ ...p, id });
        put(this.#byKey, p.enterprise, p.tag, point);
        this.#byId.set(id, point);
        push(this.#byEnterprise, p.enterprise, point);
        push(this.#byGateway, scopedKey(p.enterprise, p.gateway), point);
        if (p.hazard !== null) push(this.#byHazard, scopedKey(p.enterprise, p.hazard), point);
        return point;
      }),
    );
    for (const g of site.gateways) put(this.#gateways, g.enterprise, g.code, g);
    for (const h of site.hazards) put(this.#hazards, h.enterprise, h.code, h);
    for (const e of site.enterprises) this.#enterprises.set(e.code, e);
    for (const r of site.regions) this.#regions.set(r.code, r);
    for (const list of [this.#byHazard, this.#byGateway, this.#byEnterprise]) {
      for (const points of list.values()) Object.freeze(points);
    }
  }

  /** The point for a reading; nested maps, so no key string is built per call. */
  pointByKey(enterprise: string, tag: string): IndexedPoint | undefined {
    return this.#byKey.get(enterprise)?.get(tag);
  }

  pointById(id: number): IndexedPoint | undefined {
    return this.#byId.get(id);
  }

  /** Every point, in site-file order. */
  points(): readonly IndexedPoint[] {
    return this.#points;
  }

  pointsOfEnterprise(enterprise: string): readonly IndexedPoint[] {
    return this.#byEnterprise.get(enterprise) ?? EMPTY;
  }

  pointsOfHazard(enterprise: string, hazard: string): readonly IndexedPoint[] {
    return this.#byHazard.get(scopedKey(enterprise, hazard)) ?? EMPTY;
  }

  pointsOfGateway(enterprise: string, gateway: string): readonly IndexedPoint[] {
    return this.#byGateway.get(scopedKey(enterprise, gateway)) ?? EMPTY;
  }

  gateway(enterprise: string, code: string): NormalisedGateway | undefined {
    return this.#gateways.get(enterprise)?.get(code);
  }

  hazard(enterprise: string, code: string): NormalisedHazard | undefined {
    return this.#hazards.get(enterprise)?.get(code);
  }

  enterprise(code: string): NormalisedEnterprise | undefined {
    return this.#enterprises.get(code);
  }

  region(code: string): NormalisedRegion | undefined {
    return this.#regions.get(code);
  }

  /** The region and its ancestors, innermost first (for roll-up: town → county → city → province). */
  regionChain(code: string): readonly NormalisedRegion[] {
    const chain: NormalisedRegion[] = [];
    let cur = this.#regions.get(code);
    // Validation guarantees no cycles; the length bound keeps a hand-built site from looping.
    while (cur !== undefined && chain.length <= this.#regions.size) {
      chain.push(cur);
      cur = cur.parent === null ? undefined : this.#regions.get(cur.parent);
    }
    return chain;
  }
}
