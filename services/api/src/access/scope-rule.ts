import type { UserRole } from '@hazardwatch/store';
import type { AuthorityAction } from './authority.js';

/**
 * How a route is scope-checked. Every route declares one in `config.scope`; the guard refuses to
 * build an app with a route that has none.
 *
 * - `public`: no token needed (health, login, docs).
 * - `any`: any authenticated user; the handler filters collections through `request.access`.
 * - `admin`: admins only.
 * - `region` / `enterprise` / `hazard` / `point` / `alarm` / `warning`: the resource named by the
 *   route parameter `param` must be inside the caller's scope (hazard: params `enterprise` and
 *   `hazard`).
 */
export type ScopeKind =
  'public' | 'any' | 'admin' | 'region' | 'enterprise' | 'hazard' | 'point' | 'alarm' | 'warning';

export interface ScopeRule {
  readonly kind: ScopeKind;
  /**
   * What the route does, as an action of the authority table (issue #19): the guard refuses the
   * caller's role when the table says `refuse` (403, audited). Required on every non-public route.
   */
  readonly action?: AuthorityAction;
  /** Route parameter naming the resource. Defaults: region `code`, enterprise `enterprise`, point/alarm/warning `id`. */
  readonly param?: string;
  /** Changes state: refused to viewers. */
  readonly write?: boolean;
  /** Only these roles (e.g. the audit log: admins and regulators). */
  readonly roles?: readonly UserRole[];
}

/** The resource a scoped request resolved to, for handlers and the audit log. */
export interface ScopeTarget {
  readonly enterprise: string | null;
  readonly region: string | null;
}
