import type { FastifyRequest } from 'fastify';
import type { SiteIndex } from '@hazardwatch/core';
import type { AuditRepository } from '@hazardwatch/store';

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
