import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import { SiteEditResultSchema } from '@hazardwatch/contracts';
import { EnterpriseSchema, GatewaySchema, HazardSchema, PointSchema, RegionSchema } from '@hazardwatch/core';
import { importSiteDocument, latestSiteDocument, storeErrors } from '@hazardwatch/store';
import { apiErrors } from '../errors.js';
import { defineRoute } from '../http/route.js';
import {
  closed,
  Code,
  EnterpriseParams,
  HazardParams,
  NoQuery,
  PointParams,
  RegionParams,
} from '../http/schemas.js';
import { applySiteEdit, type EntityKey, type SiteEdit, type SiteEntity } from '../site-edit.js';
import { API, type RouteContext } from './context.js';

/**
 * Per-entity writes to the site model: create, patch (JSON merge patch), delete; a point is
 * disabled with `PATCH {"enabled": false}`. Each write validates the whole edited document like a
 * site file import, stores it as a new version (optimistically: a concurrent edit answers 409),
 * puts it in force in ingestion at once (siteSource.replaced) and is audited with before/after.
 */
export function siteEditRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const tags = ['site'];
  // One edit at a time in this process; across processes the stored version number decides.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  const edit = (request: FastifyRequest, change: SiteEdit, target: AuditTarget) =>
    serial(async () => {
      const latest = await latestSiteDocument(ctx.client);
      const result = applySiteEdit(latest?.document, change);
      if (!result.ok) {
        if (result.reason === 'not_found')
          throw apiErrors.create('HW_API_NOT_FOUND', { kind: change.entity, id: target.id });
        if (result.reason === 'exists')
          throw apiErrors.create('HW_API_SITE_ENTITY_EXISTS', { kind: change.entity, id: target.id });
        throw apiErrors.create('HW_API_SITE_KEY_IMMUTABLE', {
          kind: change.entity,
          field: result.field ?? '',
        });
      }
      let loaded;
      try {
        loaded = await importSiteDocument(ctx.client, JSON.stringify(result.document), 'json', ctx.now(), {
          basedOnVersion: latest?.version ?? 0,
        });
      } catch (error) {
        if (storeErrors.is(error, 'HW_STORE_SITE_CONFLICT'))
          throw apiErrors.create('HW_API_SITE_CONFLICT', { latest: error.data.latest });
        throw error;
      }
      if (!loaded.ok) {
        throw apiErrors.create('HW_API_SITE_INVALID', {
          count: loaded.errors.length,
          first: loaded.errors[0]?.message ?? '',
        });
      }
      ctx.siteSource.replaced?.({ index: loaded.index, version: loaded.version });
      await ctx.auditor.record(request, {
        action: `site.${change.entity}.${change.op}`,
        targetType: change.entity,
        targetId: target.id,
        before: result.before,
        after: result.after,
        enterprise: target.enterprise,
        region: target.region,
      });
      return { siteVersion: loaded.version, value: result.after };
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
        querystring: NoQuery,
        body: ownKeys.length > 0 ? Type.Omit(schema, ownKeys) : schema,
        response: { 201: SiteEditResultSchema },
      },
      handler: async (request, reply) => {
        const fromUrl = (request.params ?? {}) as Record<string, string>;
        const value: Record<string, unknown> = { ...(request.body as object) };
        for (const k of ownKeys) value[k] = fromUrl[k];
        const key = spec.keyOfValue(value);
        const saved = await edit(request, { op: 'create', entity, value }, spec.audit(key, ctx));
        return reply.status(201).send(saved);
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
        querystring: NoQuery,
        body: patchSchema(schema, spec.keys),
        response: { 200: SiteEditResultSchema },
      },
      handler: async (request) => {
        const key = keyFromRequest(request.params as Record<string, unknown>, ctx);
        return edit(request, { op: 'update', entity, key, patch: request.body }, spec.audit(key, ctx));
      },
    });
    defineRoute(app, {
      method: 'DELETE',
      url: itemUrl,
      scope: spec.scopeOfDelete ?? scopeOfItem,
      summary: `Delete a ${entity} (refused while other entities still refer to it)`,
      tags,
      schema: { params: spec.itemParams, querystring: NoQuery, response: { 200: SiteEditResultSchema } },
      handler: async (request) => {
        const key = keyFromRequest(request.params as Record<string, unknown>, ctx);
        return edit(request, { op: 'delete', entity, key }, spec.audit(key, ctx));
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
