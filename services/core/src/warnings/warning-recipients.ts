/**
 * Who a warning goes to, computed from the site model: the hazard's three responsible persons
 * (包保责任制, REFERENCE §8 item 2) and the regulators of the enterprise's region chain
 * (county/park → city → province, §8 item 20).
 */
import type { NormalisedHazard, NormalisedRegion } from '../site-normal-schema.js';
import type { SiteIndex } from '../site-index.js';
import {
  ESCALATION_LEVELS,
  RESPONSIBLE_ROLES,
  type EscalationLevel,
  type RegulatorTier,
  type WarningRecipient,
  type WarningSubject,
} from './warning-types.js';

/** The part of the site index the warning desk reads. */
export type WarningSiteView = Pick<SiteIndex, 'site' | 'hazard' | 'enterprise' | 'regionChain'>;

/** Regulator tier of a region kind; towns (乡镇/街道) are not regulators in the 预警 loop. */
export function regulatorTierOf(kind: NormalisedRegion['kind']): RegulatorTier | null {
  switch (kind) {
    case 'park':
    case 'county':
      return 'county';
    case 'city':
      return 'city';
    case 'province':
      return 'province';
    case 'town':
      return null;
  }
}

/** Hazards a subject covers: the one hazard, or every hazard of the enterprise. Empty = unknown. */
export function subjectHazards(site: WarningSiteView, subject: WarningSubject): readonly NormalisedHazard[] {
  if (subject.hazard !== null) {
    const h = site.hazard(subject.enterprise, subject.hazard);
    return h === undefined ? [] : [h];
  }
  return site.site.hazards.filter((h) => h.enterprise === subject.enterprise);
}

/** True when the site model knows the subject (an enterprise warning needs only the enterprise). */
export function subjectExists(site: WarningSiteView, subject: WarningSubject): boolean {
  if (site.enterprise(subject.enterprise) === undefined) return false;
  return subject.hazard === null || site.hazard(subject.enterprise, subject.hazard) !== undefined;
}

/**
 * The three responsible persons of the subject's hazards. For an enterprise warning, those of
 * every hazard of the enterprise, each person once per role.
 */
export function responsiblePersons(site: WarningSiteView, subject: WarningSubject): WarningRecipient[] {
  const out: WarningRecipient[] = [];
  const seen = new Set<string>();
  for (const h of subjectHazards(site, subject)) {
    for (const role of RESPONSIBLE_ROLES) {
      const p = h.responsible[role];
      const key = `${role}\u0000${p.name}\u0000${p.phone}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        role,
        name: p.name,
        contact: p.phone,
        ...(p.userId === undefined ? {} : { userId: p.userId }),
      });
    }
  }
  return out;
}

/** Regions of the enterprise's chain by tier, innermost first (a park before its county). */
export function regulatorsByTier(
  site: WarningSiteView,
  enterprise: string,
): ReadonlyMap<RegulatorTier, readonly NormalisedRegion[]> {
  const out = new Map<RegulatorTier, NormalisedRegion[]>();
  const e = site.enterprise(enterprise);
  if (e === undefined) return out;
  for (const region of site.regionChain(e.region)) {
    const tier = regulatorTierOf(region.kind);
    if (tier === null) continue;
    const list = out.get(tier);
    if (list === undefined) out.set(tier, [region]);
    else list.push(region);
  }
  return out;
}

/** Regulator recipients for the given tiers, in chain order, each region once. */
export function regulatorRecipients(
  site: WarningSiteView,
  enterprise: string,
  tiers: Iterable<RegulatorTier>,
): WarningRecipient[] {
  const wanted = new Set(tiers);
  const out: WarningRecipient[] = [];
  for (const [tier, regions] of regulatorsByTier(site, enterprise)) {
    if (!wanted.has(tier)) continue;
    for (const r of regions) out.push({ role: 'regulator', regionCode: r.code, tier, name: r.name });
  }
  return out;
}

/**
 * The level a missed deadline escalates to: the next of enterprise → county → city → province
 * that has a regulator in the enterprise's chain; null at the top.
 */
export function nextEscalationLevel(
  site: WarningSiteView,
  enterprise: string,
  level: EscalationLevel,
): RegulatorTier | null {
  const present = regulatorsByTier(site, enterprise);
  for (let i = ESCALATION_LEVELS.indexOf(level) + 1; i < ESCALATION_LEVELS.length; i++) {
    const candidate = ESCALATION_LEVELS[i];
    if (candidate !== undefined && candidate !== 'enterprise' && present.has(candidate)) return candidate;
  }
  return null;
}
