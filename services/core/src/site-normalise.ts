/**
 * Compile a valid site file into the normalised, frozen form (site-normal-schema.ts).
 * Only called after validation found no errors, so references resolve.
 */
import { deepFreeze } from '@hazardwatch/kit';
import { enterpriseRiskGrade } from './enterprise-risk.js';
import type { HazardAssessment } from './gb18218.js';
import type { Limits } from './gas-rules.js';
import { scopedKey } from './site-references.js';
import type { FloorPlanPosition, LimitName, Location, PointFile, SiteFile } from './site-schema.js';
import type {
  NormalisedEnterprise,
  NormalisedGateway,
  NormalisedHazard,
  NormalisedPoint,
  NormalisedRegion,
  NormalisedSite,
} from './site-normal-schema.js';

/** Documented defaults (STYLE rule 6). Timeouts are provisional: no national value was found (REFERENCE §9). */
export const SITE_DEFAULTS = Object.freeze({
  /** @default 0 s: alarm as soon as a limit is crossed unless the point sets a delay. */
  onDelaySec: 0,
  /** @default 0 s */
  offDelaySec: 0,
  /** @default 300 s: ≈ 6 × the national average reporting period of ~48 s (REFERENCE §1). */
  staleAfterSec: 300,
  /** @default 300 s */
  gatewayOfflineAfterSec: 300,
  /** @default 0, in the point unit */
  deadband: 0,
});

const ms = (seconds: number): number => Math.round(seconds * 1000);

const floorPlan = (f: FloorPlanPosition | undefined) =>
  f === undefined ? null : { plan: f.plan ?? null, x: f.x, y: f.y };

interface NormaliseInput {
  readonly site: SiteFile;
  readonly limits: readonly { readonly limits: Limits; readonly defaulted: readonly LimitName[] }[];
  readonly assessments: readonly (HazardAssessment | null)[];
  readonly independent: ReadonlySet<string>;
}

function normalisePoint(
  p: PointFile,
  eff: NormaliseInput['limits'][number],
  defaults: NormalisedSite['defaults'],
  fallbackLocation: Location,
  backedUp: boolean,
): NormalisedPoint {
  const per = (name: LimitName): number => p.deadbands?.[name] ?? p.deadband ?? SITE_DEFAULTS.deadband;
  const lock = (name: LimitName): string | null => p.interlocks?.[name] ?? null;
  return {
    tag: p.tag,
    enterprise: p.enterprise,
    hazard: p.hazard ?? null,
    gateway: p.gateway,
    name: p.name ?? p.tag,
    kind: p.kind,
    unit: p.unit,
    deviceCode: p.deviceCode ?? null,
    indicatorCode: p.indicatorCode ?? null,
    range: { min: p.range.min, max: p.range.max },
    limits: { ...eff.limits },
    limitsDefaulted: [...eff.defaulted],
    deadband: { ll: per('ll'), l: per('l'), h: per('h'), hh: per('hh') },
    onDelayMs: p.onDelaySec === undefined ? defaults.onDelayMs : ms(p.onDelaySec),
    offDelayMs: p.offDelaySec === undefined ? defaults.offDelayMs : ms(p.offDelaySec),
    staleAfterMs: p.staleAfterSec === undefined ? defaults.staleAfterMs : ms(p.staleAfterSec),
    rateOfChange: (p.rateOfChange ?? []).map((r) => ({
      direction: r.direction,
      slopePerMin: r.slopePerMin,
      windowMs: ms(r.windowSec),
    })),
    gas:
      p.gas === undefined
        ? null
        : {
            substance: p.gas.substance ?? null,
            basis: p.gas.basis ?? null,
            oel: p.gas.oel ?? null,
            idlh: p.gas.idlh ?? null,
          },
    independentOf: p.independentOf ?? null,
    hhIndependent: p.hhIndependent === true || backedUp,
    interlocks: { ll: lock('ll'), l: lock('l'), h: lock('h'), hh: lock('hh') },
    enabled: p.enabled ?? true,
    location: p.location ?? fallbackLocation,
    floorPlan: floorPlan(p.floorPlan),
  };
}

export function normaliseSite(input: NormaliseInput): NormalisedSite {
  const { site } = input;
  const d = site.defaults ?? {};
  const defaults = {
    onDelayMs: ms(d.onDelaySec ?? SITE_DEFAULTS.onDelaySec),
    offDelayMs: ms(d.offDelaySec ?? SITE_DEFAULTS.offDelaySec),
    staleAfterMs: ms(d.staleAfterSec ?? SITE_DEFAULTS.staleAfterSec),
    gatewayOfflineAfterMs: ms(d.gatewayOfflineAfterSec ?? SITE_DEFAULTS.gatewayOfflineAfterSec),
  };

  const regions: NormalisedRegion[] = site.regions.map((r) => ({
    code: r.code,
    name: r.name,
    kind: r.kind,
    parent: r.parent ?? null,
    centroid: r.centroid ?? null,
  }));
  const enterprises: NormalisedEnterprise[] = site.enterprises.map((e) => ({
    code: e.code,
    name: e.name,
    region: e.region,
    location: e.location,
    risk: e.risk === undefined ? null : enterpriseRiskGrade(e.risk.score, e.risk.vetoes ?? []),
  }));
  const hazardFiles = site.hazards ?? [];
  const hazards = hazardFiles.map((h, i): NormalisedHazard => ({
    code: h.code,
    enterprise: h.enterprise,
    name: h.name,
    declaredLevel: h.declaredLevel,
    type: h.type,
    responsible: h.responsible,
    location: h.location,
    floorPlan: floorPlan(h.floorPlan),
    inventory: h.inventory.map((l) => ({
      substance: l.substance ?? null,
      cas: l.cas ?? null,
      category: l.category ?? null,
      designMaxTonnes: l.designMaxTonnes,
    })),
    exposedPopulation: h.exposedPopulation,
    assessment: input.assessments[i] ?? null,
  }));
  const gateways: NormalisedGateway[] = site.gateways.map((g) => ({
    code: g.code,
    enterprise: g.enterprise,
    name: g.name,
    offlineAfterMs: g.offlineAfterSec === undefined ? defaults.gatewayOfflineAfterMs : ms(g.offlineAfterSec),
  }));

  const enterpriseLocation = new Map(site.enterprises.map((e) => [e.code, e.location]));
  const hazardLocation = new Map(hazardFiles.map((h) => [scopedKey(h.enterprise, h.code), h.location]));
  const points = site.points.map((p, i) => {
    const fallback =
      (p.hazard === undefined ? undefined : hazardLocation.get(scopedKey(p.enterprise, p.hazard))) ??
      enterpriseLocation.get(p.enterprise)!;
    const backedUp = input.independent.has(scopedKey(p.enterprise, p.tag));
    return normalisePoint(p, input.limits[i]!, defaults, fallback, backedUp);
  });

  // structuredClone-free copy: the tree shares nothing mutable with the caller's input once frozen.
  return deepFreeze(
    JSON.parse(
      JSON.stringify({
        version: 1,
        name: site.name ?? null,
        defaults,
        regions,
        enterprises,
        hazards,
        gateways,
        points,
      }),
    ) as NormalisedSite,
  );
}
