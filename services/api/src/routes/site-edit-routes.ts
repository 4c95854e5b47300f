import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import {
  ChangeReasonSchema,
  SiteEditChangeResultSchema,
  SiteEditPendingSchema,
  type MonitoringChange,
  type MonitoringChangeTarget,
} from '@hazardwatch/contracts';
import {
  changeKinds,
  EnterpriseSchema,
  GatewaySchema,
  HazardSchema,
  PointSchema,
  RegionSchema,
} from '@hazardwatch/core';
import { strictest, verdictOf } from '../access/authority.js';
import { apiErrors } from '../errors.js';
import { defineRoute } from '../http/route.js';
import { closed, Code, EnterpriseParams, HazardParams, PointParams, RegionParams } from '../http/schemas.js';
import type { EntityKey, SiteEdit, SiteEntity } from '../site-edit.js';
import { API, type RouteContext } from './context.js';

/** `?reason=…`: why a write weakens monitoring (required when it does; issue #19 item 2). */
const ReasonQuery = Type.Object({ reason: Type.Optional(ChangeReasonSchema) }, closed);

/**
 * Per-entity writes to the site model: create, patch (JSON merge patch), delete; a point is
 * disabled with `PATCH {"enabled": false}`. Each write validates the whole edited document like a
 * site file import, stores it as a new version (optimistically: a concurrent edit answers 409),
 * puts it in force in ingestion at once (siteSource.replaced) and is audited with before/after.
 *
 * A write that weakens monitoring (issue #19 item 2; core classifyMonitoringChange) is decided by
 * the authority table per kind of change it contains, the strictest verdict winning: `refuse` →
 * 403; otherwise it needs a reason (`?reason=`, 400 HW_API_CHANGE_REASON_REQUIRED without one) and
 * is kept as a change record — `allow`: applied at once, the record `applied` with the site
 * version; `approval`: nothing changes, the record waits (`pending`, 202) for a regulator
 * (POST /changes/:id/approve applies it then, through the same SiteWriter).
 */
export function siteEditRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const tags = ['site'];

  const edit = (request: FastifyRequest, change: SiteEdit, target: AuditTarget, reason: string | undefined) =>
    ctx.siteWriter.serial(async (): Promise<EditAnswer> => {
      const prepared = await ctx.siteWriter.prepare(change);
      const { lines } = prepared;
      const role = request.access!.authorityRole;
      const verdict = strictest(lines.map((l) => verdictOf(ctx.authority, l.kind, role)));
      if (verdict === 'refuse') {
        const refused = lines.find((l) => verdictOf(ctx.authority, l.kind, role) === 'refuse')!;
        // Audited like the guard's refusals (the refusal hook audits every 403).
        throw apiErrors.create('HW_API_FORBIDDEN', {
          reason: `${role} may not ${refused.kind}`,
          action: refused.kind,
          role,
        });
      }
      if (lines.length > 0 && reason === undefined)
        throw apiErrors.create('HW_API_CHANGE_REASON_REQUIRED', { kinds: changeKinds(lines).join(', ') });
      const record = (status: 'applied' | 'pending', siteVersion: number | null): Promise<MonitoringChange> =>
        ctx.changes.record({
          enterprise: target.enterprise!,
          region: target.region,
          targetType: change.entity as MonitoringChangeTarget,
          targetId: target.id,
          lines,
          before: prepared.before,
          after: prepared.after,
          edit: status === 'pending' ? change : null,
          reason: reason!,
          requestedBy: request.principal!.username,
          requestedRole: role,
          requestedAt: ctx.now(),
          status,
          siteVersion,
        });

      if (verdict === 'approval') {
        const pending = await record('pending', null);
        await ctx.auditor.record(request, {
          action: 'change.request',
          targetType: 'change',
          targetId: pending.id,
          after: pending,
          enterprise: target.enterprise,
          region: target.region,
        });
        return { status: 202, body: { change: pending } };
      }
      const siteVersion = await ctx.siteWriter.commit(prepared);
      await ctx.auditor.record(request, {
        action: `site.${change.entity}.${change.op}`,
        targetType: change.entity,
        targetId: target.id,
        before: prepared.before,
        after: reason === undefined ? prepared.after : { value: prepared.after, reason },
        enterprise: target.enterprise,
        region: target.region,
      });
      // Admins' writes are recorded too: the regulator sees every weakening, whoever made it.
      const applied = lines.length > 0 ? await record('applied', siteVersion) : undefined;
      return {
        status: 200,
        body: { siteVersion, value: prepared.after, ...(applied ? { change: applied } : {}) },
      };
    });

  const entityRoutes = (spec: EntitySpec): void => {
    const { entity, schema, collectionUrl, itemUrl, scopeOfCollection, scopeOfItem, keyFromRequest } = spec;
    const ownKeys = spec.urlKeys;
    defineRoute(app, {
      method: 'POST',
      url: collectionUrl,
      scope: scopeOfCollection,
      summary: `Create a ${entity} (validated with the whole site, in force at once)`,
      tags,
      schema: {
        ...(spec.collectionParams ? { params: spec.collectionParams } : {}),
        querystring: ReasonQuery,
        body: ownKeys.length > 0 ? Type.Omit(schema, ownKeys) : schema,
        response: { 201: SiteEditChangeResultSchema, 202: SiteEditPendingSchema },
      },
      handler: async (request, reply) => {
        const fromUrl = (request.params ?? {}) as Record<string, string>;
        const value: Record<string, unknown> = { ...(request.body as object) };
        for (const k of ownKeys) value[k] = fromUrl[k];
        const key = spec.keyOfValue(value);
        const answer = await edit(
          request,
          { op: 'create', entity, value },
          spec.audit(key, ctx),
          request.query.reason,
        );
        return reply.status(answer.status === 200 ? 201 : answer.status).send(answer.body);
      },
    });
    defineRoute(app, {
      method: 'PATCH',
      url: itemUrl,
      scope: scopeOfItem,
      summary: `Change a ${entity} (JSON merge patch; null removes an optional field)`,
      tags,
      schema: {
        params: spec.itemParams,
        querystring: ReasonQuery,
        body: patchSchema(schema, spec.keys),
        response: { 200: SiteEditChangeResultSchema, 202: SiteEditPendingSchema },
      },
      handler: async (request, reply) => {
        const key = keyFromRequest(request.params as Record<string, unknown>, ctx);
        const change: SiteEdit = { op: 'update', entity, key, patch: request.body };
        const answer = await edit(request, change, spec.audit(key, ctx), request.query.reason);
        return reply.status(answer.status).send(answer.body);
      },
    });
    defineRoute(app, {
      method: 'DELETE',
      url: itemUrl,
      scope: spec.scopeOfDelete ?? scopeOfItem,
      summary: `Delete a ${entity} (refused while other entities still refer to it)`,
      tags,
      schema: {
        params: spec.itemParams,
        querystring: ReasonQuery,
        response: { 200: SiteEditChangeResultSchema, 202: SiteEditPendingSchema },
      },
      handler: async (request, reply) => {
        const key = keyFromRequest(request.params as Record<string, unknown>, ctx);
        const answer = await edit(
          request,
          { op: 'delete', entity, key },
          spec.audit(key, ctx),
          request.query.reason,
        );
        return reply.status(answer.status).send(answer.body);
      },
    });
  };

  const enterpriseAudit = (enterprise: string, id: string) => (): AuditTarget => ({
    id,
    enterprise,
    region: ctx.site()?.enterprise(enterprise)?.region ?? null,
  });
  const byEnterpriseCode = (params: Record<string, unknown>): EntityKey => ({
    enterprise: String(params['enterprise']),
    code: String(params['code']),
  });

  entityRoutes({
    entity: 'region',
    schema: RegionSchema,
    keys: ['code'],
    urlKeys: [],
    collectionUrl: `${API}/regions`,
    itemUrl: `${API}/regions/:code`,
    itemParams: RegionParams,
    scopeOfCollection: { kind: 'any', action: 'site.region.write' },
    scopeOfItem: { kind: 'region', param: 'code', action: 'site.region.write' },
    keyFromRequest: (p) => ({ code: String(p['code']) }),
    keyOfValue: (v) => ({ code: String(v['code']) }),
    audit: (key) => ({ id: key['code']!, enterprise: null, region: key['code']! }),
  });
  entityRoutes({
    entity: 'enterprise',
    schema: EnterpriseSchema,
    keys: ['code'],
    urlKeys: [],
    collectionUrl: `${API}/enterprises`,
    itemUrl: `${API}/enterprises/:enterprise`,
    itemParams: EnterpriseParams,
    scopeOfCollection: { kind: 'any', action: 'site.enterprise.create' },
    scopeOfItem: {
      kind: 'enterprise',
      action: 'site.enterprise.edit',
      fields: { region: 'site.enterprise.identity', risk: 'site.enterprise.risk' },
    },
    scopeOfDelete: { kind: 'enterprise', action: 'site.enterprise.delete' },
    keyFromRequest: (p) => ({ code: String(p['enterprise']) }),
    keyOfValue: (v) => ({ code: String(v['code']) }),
    audit: (key) => enterpriseAudit(key['code']!, key['code']!)(),
  });
  entityRoutes({
    entity: 'hazard',
    schema: HazardSchema,
    keys: ['enterprise', 'code'],
    urlKeys: ['enterprise'],
    collectionUrl: `${API}/enterprises/:enterprise/hazards`,
    collectionParams: EnterpriseParams,
    itemUrl: `${API}/enterprises/:enterprise/hazards/:hazard`,
    itemParams: HazardParams,
    scopeOfCollection: { kind: 'enterprise', action: 'site.hazard.write' },
    scopeOfItem: { kind: 'hazard', action: 'site.hazard.write' },
    keyFromRequest: (p) => byEnterpriseCode({ enterprise: p['enterprise'], code: p['hazard'] }),
    keyOfValue: (v) => byEnterpriseCode(v),
    audit: (key) => enterpriseAudit(key['enterprise']!, `${key['enterprise']}/${key['code']}`)(),
  });
  entityRoutes({
    entity: 'gateway',
    schema: GatewaySchema,
    keys: ['enterprise', 'code'],
    urlKeys: ['enterprise'],
    collectionUrl: `${API}/enterprises/:enterprise/gateways`,
    collectionParams: EnterpriseParams,
    itemUrl: `${API}/enterprises/:enterprise/gateways/:gateway`,
    itemParams: Type.Object({ enterprise: Code, gateway: Code }, closed),
    scopeOfCollection: { kind: 'enterprise', action: 'site.gateway.write' },
    scopeOfItem: { kind: 'enterprise', action: 'site.gateway.write' },
    keyFromRequest: (p) => byEnterpriseCode({ enterprise: p['enterprise'], code: p['gateway'] }),
    keyOfValue: (v) => byEnterpriseCode(v),
    audit: (key) => enterpriseAudit(key['enterprise']!, `${key['enterprise']}/${key['code']}`)(),
  });
  entityRoutes({
    entity: 'point',
    schema: PointSchema,
    keys: ['enterprise', 'tag'],
    urlKeys: ['enterprise'],
    collectionUrl: `${API}/enterprises/:enterprise/points`,
    collectionParams: EnterpriseParams,
    itemUrl: `${API}/points/:id`,
    itemParams: PointParams,
    scopeOfCollection: { kind: 'enterprise', action: 'site.point.write' },
    scopeOfItem: { kind: 'point', param: 'id', action: 'site.point.write' },
    keyFromRequest: (p, c) => {
      // The scope guard resolved the id already; a point unknown to the site answers 404 there.
      const point = c.site()?.pointById(Number(p['id']));
      if (!point) throw apiErrors.create('HW_API_NOT_FOUND', { kind: 'point', id: String(p['id']) });
      return { enterprise: point.enterprise, tag: point.tag };
    },
    keyOfValue: (v) => ({ enterprise: String(v['enterprise']), tag: String(v['tag']) }),
    audit: (key) => enterpriseAudit(key['enterprise']!, `${key['enterprise']}/${key['tag']}`)(),
  });
}

/** What a write answers: in force (200), or waiting for a regulator (202). */
type EditAnswer =
  | {
      readonly status: 200;
      readonly body: { siteVersion: number; value: unknown; change?: MonitoringChange };
    }
  | { readonly status: 202; readonly body: { change: MonitoringChange } };

interface AuditTarget {
  readonly id: string;
  readonly enterprise: string | null;
  readonly region: string | null;
}

interface EntitySpec {
  readonly entity: SiteEntity;
  readonly schema: TObject;
  /** Identifying fields (cannot be patched). */
  readonly keys: readonly string[];
  /** Identifying fields that come from the collection URL rather than the body. */
  readonly urlKeys: readonly string[];
  readonly collectionUrl: string;
  readonly collectionParams?: TSchema;
  readonly itemUrl: string;
  readonly itemParams: TSchema;
  readonly scopeOfCollection: Parameters<typeof defineRoute>[1]['scope'];
  readonly scopeOfItem: Parameters<typeof defineRoute>[1]['scope'];
  /** DELETE when it is another duty than PATCH (an enterprise). @default scopeOfItem */
  readonly scopeOfDelete?: Parameters<typeof defineRoute>[1]['scope'];
  readonly keyFromRequest: (params: Record<string, unknown>, ctx: RouteContext) => EntityKey;
  readonly keyOfValue: (value: Record<string, unknown>) => EntityKey;
  readonly audit: (key: EntityKey, ctx: RouteContext) => AuditTarget;
}

/**
 * Body schema of a merge patch: every non-key field optional and nullable (null removes it).
 * Nested objects (limits, location, …) may be partial: the merged entity is validated in full.
 */
function patchSchema(schema: TObject, keys: readonly string[]): TSchema {
  const properties: Record<string, TSchema> = {};
  for (const [name, property] of Object.entries(schema.properties)) {
    if (keys.includes(name)) continue;
    const value = property.type === 'object' ? Type.Object({}, { additionalProperties: true }) : property;
    properties[name] = Type.Optional(Type.Union([value, Type.Null()]));
  }
  return Type.Object(properties, { ...closed, minProperties: 1 });
}
