import type { FastifyInstance } from 'fastify';
import { SiteCheckBodySchema, SiteCheckResultSchema, type SiteEntityName } from '@hazardwatch/contracts';
import { changeKinds } from '@hazardwatch/core';
import { latestSiteDocument } from '@hazardwatch/store';
import { verdictOf, type AuthorityAction } from '../access/authority.js';
import type { Access } from '../access/access.js';
import { apiErrors } from '../errors.js';
import { defineRoute } from '../http/route.js';
import { NoQuery } from '../http/schemas.js';
import { checkSiteEdit } from '../site-check.js';
import type { SiteEdit } from '../site-edit.js';
import { API, type RouteContext } from './context.js';

/** The write a check stands for: the caller must be one who may make it (site-edit-routes.ts). */
const WRITE: Readonly<Record<SiteEntityName, Record<'create' | 'update', AuthorityAction>>> = {
  region: { create: 'site.region.write', update: 'site.region.write' },
  enterprise: { create: 'site.enterprise.create', update: 'site.enterprise.edit' },
  hazard: { create: 'site.hazard.write', update: 'site.hazard.write' },
  gateway: { create: 'site.gateway.write', update: 'site.gateway.write' },
  point: { create: 'site.point.write', update: 'site.point.write' },
};

/** Is the entity an edit names inside the caller's scope (regions for regions, else its enterprise)? */
function inScope(access: Access, edit: SiteEdit): { kind: string; id: string } | null {
  const field = (name: string): string => {
    const v = ('value' in edit ? edit.value : edit.key)[name];
    return typeof v === 'string' ? v : '';
  };
  if (edit.entity === 'region') {
    if (access.isAdmin) return null;
    const code = edit.op === 'create' ? field('parent') : field('code');
    return access.seesRegion(code) ? null : { kind: 'region', id: code };
  }
  const enterprise = edit.entity === 'enterprise' ? field('code') : field('enterprise');
  if (edit.entity === 'enterprise' && edit.op === 'create')
    return access.isAdmin || access.seesRegion(field('region'))
      ? null
      : { kind: 'region', id: field('region') };
  return access.seesEnterprise(enterprise) ? null : { kind: 'enterprise', id: enterprise };
}

/**
 * POST /site/check (issue #22): an edit of one site entity checked like the write, nothing stored.
 * Offered to those who may make that write, on entities in their scope (a safety manager checks
 * its own enterprise's points); refused otherwise like the write would be (403, audited).
 */
export function siteCheckRoutes(app: FastifyInstance, ctx: RouteContext): void {
  defineRoute(app, {
    method: 'POST',
    url: `${API}/site/check`,
    scope: { kind: 'any', action: 'site.check' },
    summary:
      'Check one site-entity create or merge patch against the site-file rules (as `site check`) without storing it; findings carry the field they are about',
    tags: ['site'],
    schema: { querystring: NoQuery, body: SiteCheckBodySchema, response: { 200: SiteCheckResultSchema } },
    handler: async (request) => {
      const access = request.access!;
      const body = request.body;
      const edit: SiteEdit =
        body.op === 'create'
          ? { op: 'create', entity: body.entity, value: body.value }
          : { op: 'update', entity: body.entity, key: body.key, patch: body.patch };
      const action = WRITE[body.entity][body.op];
      const role = access.authorityRole;
      if (verdictOf(ctx.authority, action, role) === 'refuse')
        throw apiErrors.create('HW_API_FORBIDDEN', { reason: `${role} may not ${action}`, action, role });
      const outside = inScope(access, edit);
      if (outside !== null)
        throw apiErrors.create('HW_API_FORBIDDEN', {
          reason: `${outside.kind} ${outside.id} is outside your scope`,
          ...outside,
        });
      const latest = await latestSiteDocument(ctx.client);
      const checked = checkSiteEdit(latest?.document, edit, ctx.now());
      // What the write would weaken, judged by the writer itself on a valid edit.
      const weakens = checked.ok ? changeKinds((await ctx.siteWriter.prepare(edit)).lines) : [];
      return {
        ok: checked.ok,
        errors: [...checked.errors],
        // Only this entity's defects: the rest of the site's are not this edit's business.
        defects: checked.defects.filter((d) => d.field !== null),
        weakens,
        value: checked.value,
      };
    },
  });
}
