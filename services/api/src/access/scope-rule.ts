import type { AuthorityAction } from './authority.js';

/**
 * How a route is scope-checked. Every route declares one in `config.scope`; the guard refuses to
 * build an app with a route that has none.
 *
 * - `public`: no token needed (health, login, docs).
 * - `any`: any authenticated user; the handler filters collections through `request.access`.
 * - `region` / `enterprise` / `hazard` / `point` / `alarm` / `warning` / `change`: the resource
 *   named by the route parameter `param` must be inside the caller's scope (hazard: params
 *   `enterprise` and `hazard`; change: a monitoring-change record).
 *
 * Who may do it is not the scope's business: every non-public route names one action of the
 * authority table (access/authority.ts, docs/authority.md), the one place roles are decided.
 */
export type ScopeKind =
  'public' | 'any' | 'region' | 'enterprise' | 'hazard' | 'point' | 'alarm' | 'warning' | 'change';

export interface PublicScopeRule {
  readonly kind: 'public';
}

export interface GuardedScopeRule {
  readonly kind: Exclude<ScopeKind, 'public'>;
  /** Route parameter naming the resource. Defaults: region `code`, enterprise `enterprise`, point/alarm/warning `id`. */
  readonly param?: string;
  /**
   * What the route does, as an action of the authority table (issue #19): the guard refuses the
   * caller's role when the table says `refuse` (403, audited as `authority.refused`).
   */
  readonly action: AuthorityAction;
  /**
   * Body fields that are duties of their own (an enterprise's `region` is an identity field, its
   * `risk` grade the regulator's): a body naming such a field needs that action's verdict too, and
   * a body naming only such fields needs only theirs (a regulator may grade the risk of an
   * enterprise it may not otherwise edit). Strictest verdict wins.
   */
  readonly fields?: Readonly<Record<string, AuthorityAction>>;
}

export type ScopeRule = PublicScopeRule | GuardedScopeRule;

/** The resource a scoped request resolved to, for handlers and the audit log. */
export interface ScopeTarget {
  readonly enterprise: string | null;
  readonly region: string | null;
}
