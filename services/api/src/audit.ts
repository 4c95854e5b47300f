import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SiteIndex } from '@hazardwatch/core';
import type { AuditRepository } from '@hazardwatch/store';
import { apiErrors } from './errors.js';

export interface AuditRecord {
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string | null;
  readonly before?: unknown;
  readonly after?: unknown;
  /** Enterprise the entry belongs to (its region is looked up); defaults to the request's scope target. */
  readonly enterprise?: string | null;
  readonly region?: string | null;
  /** Who, when there is no authenticated principal (login). */
  readonly actor?: string;
}

/** Writes audit entries with who (principal), when (clock), from where (request.ip) and scope. */
export class Auditor {
  constructor(
    private readonly repo: AuditRepository,
    private readonly site: () => SiteIndex | undefined,
    private readonly now: () => number,
  ) {}

  async record(request: FastifyRequest, entry: AuditRecord): Promise<void> {
    const enterprise =
      entry.enterprise !== undefined
        ? entry.enterprise
        : (request.target?.enterprise ?? request.principal?.enterpriseCode ?? null);
    const region =
      entry.region !== undefined
        ? entry.region
        : ((enterprise !== null ? this.site()?.enterprise(enterprise)?.region : undefined) ??
          request.target?.region ??
          request.principal?.regionCode ??
          null);
    await this.repo.append({
      ts: this.now(),
      actor: entry.actor ?? request.principal?.username ?? 'anonymous',
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      before: entry.before,
      after: entry.after,
      ip: request.ip,
      scopeRegion: region,
      scopeEnterprise: enterprise,
    });
  }
}

/**
 * Every refusal (403) of an authenticated caller is audited, target the route
 * (`PATCH /api/v1/users/:id`): a refusal by the authority table (issue #19: the role may not do
 * the action) as `authority.refused` with `{ action, role, method, url, reason }`; one by scope
 * (the resource is outside the caller's region or enterprise) as `access.denied` with the reason
 * and the path asked for. Probing shows in the log like the actions themselves. Scoped like other
 * entries (the resource's enterprise when the guard resolved one, else the caller's scope), so the
 * regulators of the resource see attempts on it. A failed audit write is logged, and the caller
 * still gets the 403.
 */
export function installRefusalAudit(app: FastifyInstance, auditor: Auditor): void {
  app.addHook('onError', async (request, _reply, error) => {
    if (!apiErrors.is(error, 'HW_API_FORBIDDEN') || request.principal === null) return;
    const path = request.url.split('?')[0] ?? '';
    const action = error.data['action'];
    try {
      await auditor.record(request, {
        action: action === undefined ? 'access.denied' : 'authority.refused',
        targetType: 'route',
        targetId: `${request.method} ${request.routeOptions.url ?? ''}`,
        after:
          action === undefined
            ? { reason: error.data['reason'] ?? null, path }
            : {
                action,
                role: error.data['role'] ?? null,
                method: request.method,
                url: path,
                reason: error.data['reason'] ?? null,
              },
      });
    } catch (auditError) {
      request.log.error({ err: auditError }, 'refusal not audited');
    }
  });
}
