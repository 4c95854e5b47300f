import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  EnterprisePageSchema,
  EnterpriseSchema,
  GatewayListSchema,
  HazardPageSchema,
  HazardSchema,
  PointPageSchema,
  PointSchema,
  RegionDetailSchema,
  RegionForestSchema,
  SiteExportSchema,
  SiteImportResultSchema,
} from '@hazardwatch/contracts';
import { GatewayStatusRepository, importSiteDocument, latestSiteDocument } from '@hazardwatch/store';
import { apiErrors } from '../errors.js';
import { defineRoute } from '../http/route.js';
import {
  closed,
  Code,
  EnterpriseParams,
  HazardParams,
  NoQuery,
  page,
  Pagination,
  PointParams,
  RegionParams,
} from '../http/schemas.js';
import { outOfServiceOf, pointWithService } from '../out-of-service.js';
import { API, type RouteContext } from './context.js';
import { enterpriseDto, gatewayStatusDto, hazardDto, regionDto, regionForest } from './site-dto.js';

/** The site model, read through the caller's scope; whole-site import/export for admins. */
export function siteRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const site = () => {
    const s = ctx.site();
    if (s === undefined) throw apiErrors.create('HW_API_SITE_UNAVAILABLE', {});
    return s;
  };
  const tags = ['site'];
  const gatewayStatus = new GatewayStatusRepository(ctx.client);

  defineRoute(app, {
    method: 'GET',
    url: `${API}/regions`,
    scope: { kind: 'any', action: 'site.read' },
    summary: 'Regions visible to the caller, as a tree',
    tags,
    schema: { querystring: NoQuery, response: { 200: RegionForestSchema } },
    handler: (request) => ({ items: ctx.site() ? regionForest(site(), request.access!.regions()) : [] }),
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/regions/:code`,
    scope: { kind: 'region', param: 'code', action: 'site.read' },
    summary: 'One region with its child regions and the enterprises directly in it',
    tags,
    schema: { params: RegionParams, querystring: NoQuery, response: { 200: RegionDetailSchema } },
    handler: (request) => {
      const s = site();
      const r = s.region(request.params.code)!;
      return {
        ...regionDto(r),
        chain: s.regionChain(r.code).map((x) => x.code),
        children: s.site.regions.filter((c) => c.parent === r.code).map(regionDto),
        enterprises: s.site.enterprises
          .filter((e) => e.region === r.code)
          .map((e) => ({ code: e.code, name: e.name })),
      };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/enterprises`,
    scope: { kind: 'any', action: 'site.read' },
    summary: 'Enterprises visible to the caller, optionally within a region subtree',
    tags,
    schema: {
      querystring: Type.Object({ region: Type.Optional(Code), ...Pagination }, closed),
      response: { 200: EnterprisePageSchema },
    },
    handler: (request) => {
      const { region, limit, offset } = request.query;
      if (!ctx.site()) return page([], limit, offset);
      const s = site();
      const codes = request.access!.enterpriseFilter({ region }) ?? s.site.enterprises.map((e) => e.code);
      return page(
        codes.map((c) => enterpriseDto(s, s.enterprise(c)!)),
        limit,
        offset,
      );
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/enterprises/:enterprise`,
    scope: { kind: 'enterprise', action: 'site.read' },
    summary: 'One enterprise',
    tags,
    schema: { params: EnterpriseParams, querystring: NoQuery, response: { 200: EnterpriseSchema } },
    handler: (request) => enterpriseDto(site(), site().enterprise(request.params.enterprise)!),
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/hazards`,
    scope: { kind: 'any', action: 'site.read' },
    summary: 'Major hazards visible to the caller (level declared vs computed, responsible persons)',
    tags,
    schema: {
      querystring: Type.Object(
        { region: Type.Optional(Code), enterprise: Type.Optional(Code), ...Pagination },
        closed,
      ),
      response: { 200: HazardPageSchema },
    },
    handler: (request) => {
      const { region, enterprise, limit, offset } = request.query;
      if (!ctx.site()) return page([], limit, offset);
      const s = site();
      const codes = request.access!.enterpriseFilter({ region, enterprise });
      const allowed = codes === null ? null : new Set(codes);
      const hazards = s.site.hazards.filter((h) => allowed === null || allowed.has(h.enterprise));
      return page(
        hazards.map((h) => hazardDto(s, h)),
        limit,
        offset,
      );
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/enterprises/:enterprise/hazards/:hazard`,
    scope: { kind: 'hazard', action: 'site.read' },
    summary: 'One major hazard',
    tags,
    schema: { params: HazardParams, querystring: NoQuery, response: { 200: HazardSchema } },
    handler: (request) => hazardDto(site(), site().hazard(request.params.enterprise, request.params.hazard)!),
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/enterprises/:enterprise/gateways`,
    scope: { kind: 'enterprise', action: 'site.read' },
    summary:
      "An enterprise's data-collection gateways, each with its last known status (online, last seen, " +
      'spool backlog; null when never heard from)',
    tags,
    schema: { params: EnterpriseParams, querystring: NoQuery, response: { 200: GatewayListSchema } },
    handler: async (request) => {
      const s = site();
      const { enterprise } = request.params;
      const statuses = new Map(
        (await gatewayStatus.byEnterprises([enterprise])).map((r) => [r.gateway, gatewayStatusDto(r)]),
      );
      return {
        items: s.site.gateways
          .filter((g) => g.enterprise === enterprise)
          .map((g) => ({
            ...g,
            points: s.pointsOfGateway(g.enterprise, g.code).length,
            status: statuses.get(g.code) ?? null,
          })),
      };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/points`,
    scope: { kind: 'any', action: 'site.read' },
    summary: 'Monitoring points visible to the caller, filtered by region, enterprise, hazard or gateway',
    tags,
    schema: {
      querystring: Type.Object(
        {
          region: Type.Optional(Code),
          enterprise: Type.Optional(Code),
          hazard: Type.Optional(Code),
          gateway: Type.Optional(Code),
          ...Pagination,
        },
        closed,
      ),
      response: { 200: PointPageSchema },
    },
    handler: async (request) => {
      const { region, enterprise, hazard, gateway, limit, offset } = request.query;
      if ((hazard !== undefined || gateway !== undefined) && enterprise === undefined) {
        throw apiErrors.create('HW_API_FILTER_INVALID', {
          filter: hazard !== undefined ? 'hazard' : 'gateway',
          needs: 'enterprise',
        });
      }
      if (!ctx.site()) return page([], limit, offset);
      const s = site();
      const codes = request.access!.enterpriseFilter({ region, enterprise });
      const allowed = codes === null ? null : new Set(codes);
      const points = s
        .points()
        .filter(
          (p) =>
            (allowed === null || allowed.has(p.enterprise)) &&
            (hazard === undefined || p.hazard === hazard) &&
            (gateway === undefined || p.gateway === gateway),
        );
      const shown = page(points, limit, offset);
      // Out of service (停用) shown as such, with the change record behind it (issue #19).
      const oos = await outOfServiceOf(ctx.changes, shown.items);
      return { ...shown, items: shown.items.map((p) => pointWithService(p, oos)) };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/points/:id`,
    scope: { kind: 'point', param: 'id', action: 'site.read' },
    summary: 'One monitoring point with its limits, deadbands, delays and interlocks',
    tags,
    schema: { params: PointParams, querystring: NoQuery, response: { 200: PointSchema } },
    handler: async (request) => {
      const point = site().pointById(request.params.id)!;
      return pointWithService(point, await outOfServiceOf(ctx.changes, [point]));
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/site`,
    scope: { kind: 'any', action: 'site.export' },
    summary: 'Export the stored site document (as written, defaults not applied)',
    tags,
    schema: { querystring: NoQuery, response: { 200: SiteExportSchema } },
    handler: async () => {
      const latest = await latestSiteDocument(ctx.client);
      if (!latest) throw apiErrors.create('HW_API_SITE_UNAVAILABLE', {});
      return {
        version: latest.version,
        sha256: latest.sha256,
        loadedAt: latest.loadedAtMs,
        document: latest.document,
      };
    },
  });

  defineRoute(app, {
    method: 'PUT',
    url: `${API}/site`,
    scope: { kind: 'any', action: 'site.import' },
    summary: 'Import a whole site file (YAML or JSON text), validated like the file on start-up',
    tags,
    schema: {
      querystring: NoQuery,
      body: Type.Object(
        {
          format: Type.Union([Type.Literal('yaml'), Type.Literal('json')]),
          text: Type.String({ minLength: 1 }),
        },
        closed,
      ),
      response: { 200: SiteImportResultSchema },
    },
    handler: async (request) => {
      const before = await latestSiteDocument(ctx.client);
      const loaded = await importSiteDocument(ctx.client, request.body.text, request.body.format, ctx.now());
      if (!loaded.ok) {
        throw apiErrors.create('HW_API_SITE_INVALID', {
          count: loaded.errors.length,
          first: loaded.errors[0]?.message ?? '',
        });
      }
      ctx.siteSource.replaced?.({ index: loaded.index, version: loaded.version });
      await ctx.auditor.record(request, {
        action: 'site.import',
        targetType: 'site',
        targetId: String(loaded.version),
        before: before ? { version: before.version, sha256: before.sha256 } : null,
        after: {
          version: loaded.version,
          points: loaded.index.points().length,
          defects: loaded.defects.length,
        },
        enterprise: null,
        region: null,
      });
      return {
        version: loaded.version,
        points: loaded.index.points().length,
        defects: loaded.defects.map((d) => ({ rule: d.rule, path: d.path, message: d.message })),
      };
    },
  });
}
