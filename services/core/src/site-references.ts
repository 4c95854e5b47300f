/**
 * Identity and reference rules: unique codes/tags, references that resolve within the right
 * enterprise, and a region tree whose kinds nest (province → city → county → town | park).
 */
import type { IssueCollector } from './site-issues.js';
import type {
  EnterpriseFile,
  GatewayFile,
  HazardFile,
  PointFile,
  RegionFile,
  RegionKind,
  SiteFile,
} from './site-schema.js';

/** Key for objects scoped to an enterprise. NUL cannot occur in codes or tags. */
export const scopedKey = (enterprise: string, code: string): string => `${enterprise}\u0000${code}`;

export interface Indexed<T> {
  readonly item: T;
  readonly index: number;
}

export interface SiteTables {
  readonly regions: ReadonlyMap<string, Indexed<RegionFile>>;
  readonly enterprises: ReadonlyMap<string, Indexed<EnterpriseFile>>;
  /** Keyed by scopedKey(enterprise, code). */
  readonly hazards: ReadonlyMap<string, Indexed<HazardFile>>;
  readonly gateways: ReadonlyMap<string, Indexed<GatewayFile>>;
  /** Keyed by scopedKey(enterprise, tag). */
  readonly points: ReadonlyMap<string, Indexed<PointFile>>;
}

/**
 * Allowed parent kinds. Counties may sit directly under a province (省直辖县级行政单位, e.g.
 * 仙桃市); chemical parks are administered at provincial, city or county level.
 */
const PARENT_KINDS: Readonly<Record<RegionKind, readonly RegionKind[]>> = {
  province: [],
  city: ['province'],
  county: ['city', 'province'],
  town: ['county'],
  park: ['province', 'city', 'county'],
};

function tableOf<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  onDuplicate: (item: T, index: number, first: number) => void,
): Map<string, Indexed<T>> {
  const map = new Map<string, Indexed<T>>();
  items.forEach((item, index) => {
    const key = keyOf(item);
    const first = map.get(key);
    if (first === undefined) map.set(key, { item, index });
    else onDuplicate(item, index, first.index);
  });
  return map;
}

function checkRegions(
  site: SiteFile,
  regions: ReadonlyMap<string, Indexed<RegionFile>>,
  out: IssueCollector,
): void {
  site.regions.forEach((r, i) => {
    const subject = { type: 'region', code: r.code } as const;
    const allowed = PARENT_KINDS[r.kind];
    if (r.parent === undefined) {
      if (allowed.length > 0) {
        out.add(
          'REGION_KIND_NESTING',
          `/regions/${i}`,
          subject,
          `a ${r.kind} needs a parent (${allowed.join(' or ')})`,
        );
      }
      return;
    }
    const parent = regions.get(r.parent);
    if (parent === undefined) {
      out.add(
        'REGION_PARENT_UNKNOWN',
        `/regions/${i}/parent`,
        subject,
        `parent region "${r.parent}" is not defined`,
      );
    } else if (!allowed.includes(parent.item.kind)) {
      const expected = allowed.length === 0 ? 'no parent' : allowed.join(' or ');
      out.add(
        'REGION_KIND_NESTING',
        `/regions/${i}/parent`,
        subject,
        `a ${r.kind} cannot sit under ${parent.item.kind} "${r.parent}" (expected ${expected})`,
      );
    }
  });
  // Cycles: walk up from every region; a walk longer than the table revisits a node.
  const reported = new Set<string>();
  for (const [code, { index }] of regions) {
    const seen = new Set<string>([code]);
    let cur = regions.get(code)?.item.parent;
    while (cur !== undefined) {
      if (seen.has(cur)) {
        if (cur === code && !reported.has(code)) {
          reported.add(code);
          out.add(
            'REGION_CYCLE',
            `/regions/${index}/parent`,
            { type: 'region', code },
            `region is its own ancestor`,
          );
        }
        break;
      }
      seen.add(cur);
      cur = regions.get(cur)?.item.parent;
    }
  }
}

/** Build the lookup tables and report duplicate and dangling references. */
export function checkReferences(site: SiteFile, out: IssueCollector): SiteTables {
  const dup =
    (kind: string, list: string, codeOf: (x: { code: string }) => string) =>
    (item: { code: string; enterprise?: string }, index: number, first: number) => {
      const subject =
        item.enterprise === undefined
          ? ({ type: kind as 'region' | 'enterprise', code: codeOf(item) } as const)
          : ({
              type: kind as 'hazard' | 'gateway',
              enterprise: item.enterprise,
              code: codeOf(item),
            } as const);
      out.add(
        'DUPLICATE_CODE',
        `/${list}/${index}/code`,
        subject,
        `duplicate ${kind} code, first defined at /${list}/${first}`,
      );
    };
  const byCode = (x: { code: string }) => x.code;
  const regions = tableOf(site.regions, byCode, dup('region', 'regions', byCode));
  const enterprises = tableOf(site.enterprises, byCode, dup('enterprise', 'enterprises', byCode));
  const hazards = tableOf(
    site.hazards ?? [],
    (h) => scopedKey(h.enterprise, h.code),
    dup('hazard', 'hazards', byCode),
  );
  const gateways = tableOf(
    site.gateways,
    (g) => scopedKey(g.enterprise, g.code),
    dup('gateway', 'gateways', byCode),
  );
  const points = tableOf(
    site.points,
    (p) => scopedKey(p.enterprise, p.tag),
    (p, index, first) =>
      out.add(
        'DUPLICATE_TAG',
        `/points/${index}/tag`,
        { type: 'point', enterprise: p.enterprise, tag: p.tag },
        `duplicate tag in enterprise ${p.enterprise}, first defined at /points/${first}`,
      ),
  );

  checkRegions(site, regions, out);

  site.enterprises.forEach((e, i) => {
    if (!regions.has(e.region)) {
      out.add(
        'ENTERPRISE_REGION_UNKNOWN',
        `/enterprises/${i}/region`,
        { type: 'enterprise', code: e.code },
        `region "${e.region}" is not defined`,
      );
    }
  });
  (site.hazards ?? []).forEach((h, i) => {
    if (!enterprises.has(h.enterprise)) {
      out.add(
        'HAZARD_ENTERPRISE_UNKNOWN',
        `/hazards/${i}/enterprise`,
        { type: 'hazard', enterprise: h.enterprise, code: h.code },
        `enterprise "${h.enterprise}" is not defined`,
      );
    }
  });
  site.gateways.forEach((g, i) => {
    if (!enterprises.has(g.enterprise)) {
      out.add(
        'GATEWAY_ENTERPRISE_UNKNOWN',
        `/gateways/${i}/enterprise`,
        { type: 'gateway', enterprise: g.enterprise, code: g.code },
        `enterprise "${g.enterprise}" is not defined`,
      );
    }
  });
  site.points.forEach((p, i) => {
    const subject = { type: 'point', enterprise: p.enterprise, tag: p.tag } as const;
    if (!enterprises.has(p.enterprise)) {
      out.add(
        'POINT_ENTERPRISE_UNKNOWN',
        `/points/${i}/enterprise`,
        subject,
        `enterprise "${p.enterprise}" is not defined`,
      );
      return;
    }
    if (p.hazard !== undefined && !hazards.has(scopedKey(p.enterprise, p.hazard))) {
      out.add(
        'POINT_HAZARD_UNKNOWN',
        `/points/${i}/hazard`,
        subject,
        `major hazard "${p.hazard}" is not defined in enterprise ${p.enterprise}`,
      );
    }
    if (!gateways.has(scopedKey(p.enterprise, p.gateway))) {
      out.add(
        'POINT_GATEWAY_UNKNOWN',
        `/points/${i}/gateway`,
        subject,
        `gateway "${p.gateway}" is not defined in enterprise ${p.enterprise}`,
      );
    }
    if (p.independentOf !== undefined) {
      if (p.independentOf === p.tag) {
        out.add(
          'POINT_INDEPENDENT_OF_UNKNOWN',
          `/points/${i}/independentOf`,
          subject,
          `a point cannot be independent of itself`,
        );
      } else if (!points.has(scopedKey(p.enterprise, p.independentOf))) {
        out.add(
          'POINT_INDEPENDENT_OF_UNKNOWN',
          `/points/${i}/independentOf`,
          subject,
          `independentOf tag "${p.independentOf}" is not defined in enterprise ${p.enterprise}`,
        );
      }
    }
  });

  return { regions, enterprises, hazards, gateways, points };
}
