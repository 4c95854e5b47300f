import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { SiteIndex } from '@hazardwatch/core';
import { apiErrors } from '../errors.js';
import { Access, type Principal } from './access.js';
import {
  isApprovable,
  isAuthorityAction,
  strictest,
  verdictOf,
  type AuthorityAction,
  type AuthorityRole,
  type AuthorityTable,
  type Verdict,
} from './authority.js';
import type { GuardedScopeRule, ScopeRule, ScopeTarget } from './scope-rule.js';

/** One registered route and its rule, as the guard saw it at registration. */
export interface RouteScope {
  readonly method: string;
  readonly url: string;
  readonly scope: ScopeRule;
  /** The authority action the route performs; none for public routes. */
  readonly action: AuthorityAction | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with its scope rule (docs, tests, the scope table test). */
    readonly routeScopes: readonly RouteScope[];
  }
  interface FastifyContextConfig {
    scope?: ScopeRule;
  }
  interface FastifyRequest {
    /** Set by the guard for every non-public route. */
    principal: Principal | null;
    access: Access | null;
    /** The resource a scoped route resolved to. */
    target: ScopeTarget | null;
    /**
     * The authority table's verdict for the caller's role on the route's action (never `refuse`:
     * that answered 403). `approval` only for monitoring-change kinds; handlers of writes that
     * contain such changes decide per kind through `RouteContext.authority`.
     */
    verdict: Verdict | null;
  }
}

export interface ScopeGuardOptions {
  readonly site: () => SiteIndex | undefined;
  /** Who may do what: the compiled authority table (defaults with the configured overrides). */
  readonly authority: AuthorityTable;
  /**
   * Bearer token → principal, or the code and reason it is refused with (HW_API_SESSION_ENDED for
   * a token whose user was disabled, deleted or re-granted since).
   */
  readonly authenticate: (
    token: string,
  ) => Promise<
    | { ok: true; principal: Principal }
    | { ok: false; code: 'HW_API_UNAUTHENTICATED' | 'HW_API_SESSION_ENDED'; reason: string }
  >;
  /** Enterprise an alarm / a 预警 belongs to; undefined when there is none with that id. */
  readonly alarmEnterprise: (id: string) => Promise<string | null | undefined>;
  readonly warningEnterprise: (id: string) => Promise<string | undefined>;
  /**
   * Enterprise and stored region of a monitoring-change record (issue #19); undefined when there is
   * none. A change is in scope through its enterprise, or through the region stored on it.
   */
  readonly changeScope?: (id: string) => Promise<{ enterprise: string; region: string | null } | undefined>;
  /** Routes under these prefixes are served by plugins (Swagger UI) and are public. */
  readonly publicPrefixes?: readonly string[];
}

const BEARER = /^Bearer ([A-Za-z0-9_.-]+)$/;

/**
 * The one place routes are scope-checked (issue 4: "not per handler"):
 * - at registration, a route without `config.scope`, or without a querystring schema (so unknown
 *   query parameters are refused), or a POST/PUT/PATCH without a body schema, stops the app from
 *   building;
 * - `onRequest` authenticates the bearer token, its user's session included (401 before the body
 *   is even parsed; HW_API_SESSION_ENDED when the user was disabled, deleted or re-granted);
 * - `preHandler` (after validation, so parameters are well-formed) checks the authority table's
 *   verdict for the route's action and the caller's role, and that the named resource is inside
 *   the caller's scope (403; 404 when it does not exist).
 */
export function installScopeGuard(app: FastifyInstance, options: ScopeGuardOptions): void {
  const publicPrefixes = options.publicPrefixes ?? [];
  const misplaced = approvalProblems(options.authority);
  if (misplaced.length > 0)
    throw apiErrors.create('HW_API_CONFIG_INVALID', { problems: misplaced.join('; '), errors: misplaced });
  app.decorateRequest('principal', null);
  app.decorateRequest('access', null);
  app.decorateRequest('target', null);
  app.decorateRequest('verdict', null);
  const routes: RouteScope[] = [];
  app.decorate('routeScopes', routes);

  app.addHook('onRoute', (route: RouteOptions) => {
    const method = String(route.method);
    // CORS pre-flight (OPTIONS) answers carry no data; documentation is public by design.
    if (
      method === 'OPTIONS' ||
      publicPrefixes.some((p) => route.url === p || route.url.startsWith(`${p}/`))
    ) {
      const scope: ScopeRule = route.config?.scope ?? { kind: 'public' };
      route.config = { ...route.config, scope };
      routes.push({ method, url: route.url, scope, action: scope.kind === 'public' ? null : scope.action });
      return;
    }
    const scope = route.config?.scope;
    if (scope === undefined) throw apiErrors.create('HW_API_ROUTE_SCOPE_MISSING', { method, url: route.url });
    let action: AuthorityAction | null = null;
    if (scope.kind !== 'public') {
      // Issue #19: who may do what is the authority table's; a route that names no action of it
      // would be decided by nobody.
      const named: unknown = (scope as Partial<GuardedScopeRule>).action;
      if (named === undefined)
        throw apiErrors.create('HW_API_ROUTE_ACTION_MISSING', { method, url: route.url });
      for (const a of [named, ...Object.values(scope.fields ?? {})]) {
        if (typeof a !== 'string' || !isAuthorityAction(a))
          throw apiErrors.create('HW_API_ROUTE_ACTION_UNKNOWN', {
            method,
            url: route.url,
            action: typeof a === 'string' ? a : JSON.stringify(a),
          });
      }
      action = scope.action;
    }
    if (route.schema?.querystring === undefined) {
      throw apiErrors.create('HW_API_ROUTE_SCHEMA_MISSING', { method, url: route.url, part: 'querystring' });
    }
    if (/^(POST|PUT|PATCH)$/.test(method) && route.schema.body === undefined) {
      throw apiErrors.create('HW_API_ROUTE_SCHEMA_MISSING', { method, url: route.url, part: 'body' });
    }
    routes.push({ method, url: route.url, scope, action });
  });

  app.addHook('onRequest', async (request) => {
    const rule = request.routeOptions.config.scope;
    // No rule: the not-found handler (unknown route) — it answers 404 itself.
    if (rule === undefined || rule.kind === 'public') return;
    const header = request.headers.authorization;
    const match = header === undefined ? null : BEARER.exec(header);
    if (!match) throw apiErrors.create('HW_API_UNAUTHENTICATED', { reason: 'no bearer token' });
    const verdict = await options.authenticate(match[1]!);
    if (!verdict.ok) throw apiErrors.create(verdict.code, { reason: verdict.reason });
    request.principal = verdict.principal;
    request.access = new Access(verdict.principal, options.site());
  });

  app.addHook('preHandler', async (request) => {
    const rule = request.routeOptions.config.scope;
    if (rule === undefined || rule.kind === 'public') return;
    const access = request.access!;
    // Who may do what (issue #19), before the resource is looked up: a refused role is refused
    // whatever it names. The refusal is audited (audit.ts, `authority.refused`).
    const role = access.authorityRole;
    const verdicts: Verdict[] = [];
    for (const action of actionsOf(rule, request.body)) {
      const verdict = verdictOf(options.authority, action, role);
      if (verdict === 'refuse') throw refusal(action, role);
      verdicts.push(verdict);
    }
    request.verdict = strictest(verdicts);
    if (rule.kind === 'any') return;
    request.target = await resolveTarget(request, rule, access, options);
  });
}

/**
 * The actions a request performs: the route's, and those of the duty fields its body names; a
 * body naming only duty fields performs only theirs.
 */
function actionsOf(rule: GuardedScopeRule, body: unknown): AuthorityAction[] {
  const fields = rule.fields;
  if (fields === undefined || typeof body !== 'object' || body === null || Array.isArray(body))
    return [rule.action];
  const named = Object.keys(body);
  const duties = named.flatMap((k) => (Object.hasOwn(fields, k) ? [fields[k]!] : []));
  return duties.length === named.length && duties.length > 0 ? duties : [rule.action, ...duties];
}

function refusal(action: AuthorityAction, role: AuthorityRole): Error {
  return apiErrors.create('HW_API_FORBIDDEN', { reason: `${role} may not ${action}`, action, role });
}

/** `approval` is a verdict only a monitoring-change kind can have (checked on a table built by hand). */
export function approvalProblems(table: AuthorityTable): string[] {
  return Object.entries(table).flatMap(([action, entry]) =>
    isApprovable(action as AuthorityAction)
      ? []
      : Object.entries(entry.verdicts)
          .filter(([, v]) => v === 'approval')
          .map(([role]) => `authority.${action}.${role}: approval is only for monitoring.* changes`),
  );
}

function param(request: FastifyRequest, name: string): string {
  return String((request.params as Record<string, unknown>)[name]);
}

async function resolveTarget(
  request: FastifyRequest,
  rule: GuardedScopeRule,
  access: Access,
  options: ScopeGuardOptions,
): Promise<ScopeTarget> {
  const site = options.site();
  if (site === undefined) throw apiErrors.create('HW_API_SITE_UNAVAILABLE', {});
  const outside = (kind: string, id: string) =>
    apiErrors.create('HW_API_FORBIDDEN', { reason: `${kind} ${id} is outside your scope`, kind, id });
  const missing = (kind: string, id: string) => apiErrors.create('HW_API_NOT_FOUND', { kind, id });
  const inEnterprise = (kind: string, id: string, enterprise: string): ScopeTarget => {
    if (!access.seesEnterprise(enterprise)) throw outside(kind, id);
    return { enterprise, region: site.enterprise(enterprise)?.region ?? null };
  };

  switch (rule.kind) {
    case 'region': {
      const code = param(request, rule.param ?? 'code');
      if (site.region(code) === undefined) throw missing('region', code);
      if (!access.seesRegion(code)) throw outside('region', code);
      return { enterprise: null, region: code };
    }
    case 'enterprise': {
      const code = param(request, rule.param ?? 'enterprise');
      if (site.enterprise(code) === undefined) throw missing('enterprise', code);
      return inEnterprise('enterprise', code, code);
    }
    case 'hazard': {
      const enterprise = param(request, 'enterprise');
      const hazard = param(request, 'hazard');
      if (site.hazard(enterprise, hazard) === undefined) throw missing('hazard', `${enterprise}/${hazard}`);
      return inEnterprise('hazard', `${enterprise}/${hazard}`, enterprise);
    }
    case 'point': {
      const id = param(request, rule.param ?? 'id');
      const point = site.pointById(Number(id));
      if (point === undefined) throw missing('point', id);
      return inEnterprise('point', id, point.enterprise);
    }
    case 'alarm': {
      const id = param(request, rule.param ?? 'id');
      const enterprise = await options.alarmEnterprise(id);
      if (enterprise === undefined) throw missing('alarm', id);
      // An alarm of a point no longer in the site model is visible to admins only.
      if (enterprise === null) {
        if (!access.isAdmin) throw outside('alarm', id);
        return { enterprise: null, region: null };
      }
      return inEnterprise('alarm', id, enterprise);
    }
    case 'warning': {
      const id = param(request, rule.param ?? 'id');
      const enterprise = await options.warningEnterprise(id);
      if (enterprise === undefined) throw missing('warning', id);
      return inEnterprise('warning', id, enterprise);
    }
    case 'change': {
      const id = param(request, rule.param ?? 'id');
      const change = await options.changeScope?.(id);
      if (change === undefined) throw missing('change', id);
      if (access.seesEnterprise(change.enterprise)) return inEnterprise('change', id, change.enterprise);
      if (change.region === null || !access.seesRegion(change.region)) throw outside('change', id);
      return { enterprise: change.enterprise, region: change.region };
    }
    default:
      throw new TypeError(`unhandled scope kind ${String(rule.kind)}`);
  }
}
