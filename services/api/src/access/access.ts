import { regulatorTierOf, type SiteIndex } from '@hazardwatch/core';
import type { UserRole } from '@hazardwatch/store';
import { authorityRole, type AuthorityRole } from './authority.js';

/** The authenticated caller, from the access token. */
export interface Principal {
  readonly userId: string;
  readonly username: string;
  readonly role: UserRole;
  /** Root of the visible region subtree (regulator, viewer). */
  readonly regionCode: string | null;
  /** The one visible enterprise (operator, safety manager). */
  readonly enterpriseCode: string | null;
}

/**
 * What a caller may see, over the current site model. Admins see everything; regulators and
 * viewers a region subtree (the region and everything whose region chain passes through it);
 * operators and safety managers one enterprise and no region.
 */
export class Access {
  #enterprises: readonly string[] | undefined;
  #regions: readonly string[] | undefined;

  constructor(
    readonly principal: Principal,
    private readonly site: SiteIndex | undefined,
  ) {}

  get isAdmin(): boolean {
    return this.principal.role === 'admin';
  }

  /** Enterprise roles: their scope is the one enterprise of the principal. */
  get isEnterpriseRole(): boolean {
    return this.principal.role === 'operator' || this.principal.role === 'safety_manager';
  }

  /**
   * The caller's role in the authority table: a regulator's by the kind of its region (park and
   * county → county, city, province; a town counts as county; an unknown region as county).
   */
  get authorityRole(): AuthorityRole {
    const region =
      this.principal.role === 'regulator' && this.principal.regionCode !== null
        ? this.site?.region(this.principal.regionCode)
        : undefined;
    return authorityRole(this.principal.role, region === undefined ? null : regulatorTierOf(region.kind));
  }

  /**
   * The platform's own alarms (`platform:` sources, a TimescaleDB job; issue #20): they belong to
   * no enterprise, so only the caller without an enterprise filter sees them — GET /alarms/active
   * lists them when `enterpriseFilter` is null, and an alarm without an enterprise passes the scope
   * guard for an administrator only. The live `platform` room asks the same.
   */
  get seesPlatform(): boolean {
    return this.isAdmin;
  }

  seesRegion(code: string): boolean {
    if (this.site?.region(code) === undefined) return false;
    switch (this.principal.role) {
      case 'admin':
        return true;
      case 'operator':
      case 'safety_manager':
        return false;
      default:
        return this.site.regionChain(code).some((r) => r.code === this.principal.regionCode);
    }
  }

  seesEnterprise(code: string): boolean {
    const enterprise = this.site?.enterprise(code);
    if (enterprise === undefined) return false;
    if (this.principal.role === 'admin') return true;
    if (this.isEnterpriseRole) return code === this.principal.enterpriseCode;
    return this.seesRegion(enterprise.region);
  }

  /** Visible enterprise codes, in site order. */
  enterprises(): readonly string[] {
    this.#enterprises ??= (this.site?.site.enterprises ?? [])
      .map((e) => e.code)
      .filter((c) => this.seesEnterprise(c));
    return this.#enterprises;
  }

  /** Visible region codes, in site order. */
  regions(): readonly string[] {
    this.#regions ??= (this.site?.site.regions ?? []).map((r) => r.code).filter((c) => this.seesRegion(c));
    return this.#regions;
  }

  /**
   * Enterprises a collection query may return, narrowed by optional filters: null means "no
   * restriction" (an admin without filters); an empty list means nothing is visible.
   */
  enterpriseFilter(filter: {
    region?: string | undefined;
    enterprise?: string | undefined;
  }): readonly string[] | null {
    if (filter.region === undefined && filter.enterprise === undefined && this.isAdmin) return null;
    let codes = this.enterprises();
    if (filter.enterprise !== undefined) codes = codes.filter((c) => c === filter.enterprise);
    if (filter.region !== undefined) {
      const region = filter.region;
      codes = codes.filter((c) => {
        const e = this.site?.enterprise(c);
        return e !== undefined && (this.site?.regionChain(e.region).some((r) => r.code === region) ?? false);
      });
    }
    return codes;
  }
}
