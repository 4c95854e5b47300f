import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { PlanInfoSchema, PlanListSchema } from '@hazardwatch/contracts';
import { FLOOR_PLAN_CONTENT_TYPES, PlanRepository, type FloorPlanContentType } from '@hazardwatch/store';
import { apiErrors } from '../errors.js';
import { defineRoute } from '../http/route.js';
import { closed, Code, EnterpriseParams, NoQuery } from '../http/schemas.js';
import { inspectPlanImage, PLAN_MAX_BYTES } from '../plan-image.js';
import { API, type RouteContext } from './context.js';

const PlanParams = Type.Object({ enterprise: Code, plan: Code }, closed);
/**
 * The raw image, per media type (fastify validates and OpenAPI documents `body.content`). The
 * guard wants a body schema on every PUT; the bytes themselves are checked by `inspectPlanImage`,
 * which a JSON schema cannot express.
 */
const ImageBody = Type.Unsafe<unknown>({
  description: `PNG or SVG image, at most ${PLAN_MAX_BYTES} bytes`,
  content: Object.fromEntries(
    FLOOR_PLAN_CONTENT_TYPES.map((t) => [t, { schema: { description: 'raw image bytes' } }]),
  ),
});

/** The image itself: raw bytes, never JSON (fastify sends a Buffer as it is). */
const ImageAnswer = Type.Unsafe<Buffer>({
  description: 'the image',
  content: Object.fromEntries(
    FLOOR_PLAN_CONTENT_TYPES.map((t) => [t, { schema: { type: 'string', format: 'binary' } }]),
  ),
});

/**
 * Served with every SVG: no script, no loads from anywhere, inline styles only — so an SVG that
 * slipped past the upload check still cannot run script when opened as a document.
 */
const SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'";

const isPlanType = (t: string): t is FloorPlanContentType =>
  (FLOOR_PLAN_CONTENT_TYPES as readonly string[]).includes(t);

/**
 * Floor plan images of an enterprise (backgrounds of the 风险四色图 view): `main` or one per
 * major hazard. Stored in PostgreSQL; read by anyone who sees the enterprise, written by admins
 * and the enterprise's operators; writes are audited (metadata, never the bytes).
 */
export function planRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const tags = ['plans'];
  const plans = new PlanRepository(ctx.client);
  const writeScope = { kind: 'enterprise', action: 'plan.write' } as const;
  const missing = (enterprise: string, plan: string) =>
    apiErrors.create('HW_API_NOT_FOUND', { kind: 'floor plan', id: `${enterprise}/${plan}` });

  // Encapsulated: only these routes take image bodies, and they take nothing else (415).
  void app.register((scoped, _options, done) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser(
      [...FLOOR_PLAN_CONTENT_TYPES],
      { parseAs: 'buffer', bodyLimit: PLAN_MAX_BYTES },
      (_request, body, done) => done(null, body),
    );

    defineRoute(scoped, {
      method: 'GET',
      url: `${API}/enterprises/:enterprise/plans`,
      scope: { kind: 'enterprise', action: 'site.read' },
      summary: 'Floor plans of an enterprise (metadata)',
      tags,
      schema: { params: EnterpriseParams, querystring: NoQuery, response: { 200: PlanListSchema } },
      handler: async (request) => ({ items: await plans.list(request.params.enterprise) }),
    });

    defineRoute(scoped, {
      method: 'GET',
      url: `${API}/enterprises/:enterprise/plans/:plan`,
      scope: { kind: 'enterprise', action: 'site.read' },
      summary: 'A floor plan image (image/png or image/svg+xml)',
      tags,
      schema: { params: PlanParams, querystring: NoQuery, response: { 200: ImageAnswer } },
      handler: async (request, reply) => {
        const { enterprise, plan } = request.params;
        const image = await plans.get(enterprise, plan);
        if (!image) throw missing(enterprise, plan);
        void reply
          .header('content-type', image.contentType)
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'private, no-cache')
          .header('last-modified', new Date(image.updatedAt).toUTCString());
        if (image.contentType === 'image/svg+xml') void reply.header('content-security-policy', SVG_CSP);
        return image.bytes;
      },
    });

    defineRoute(scoped, {
      method: 'PUT',
      url: `${API}/enterprises/:enterprise/plans/:plan`,
      scope: writeScope,
      summary: `Store or replace a floor plan (raw PNG or SVG body, at most ${PLAN_MAX_BYTES} bytes)`,
      tags,
      schema: {
        params: PlanParams,
        querystring: NoQuery,
        body: ImageBody,
        response: { 200: PlanInfoSchema, 201: PlanInfoSchema },
      },
      handler: async (request, reply) => {
        const { enterprise, plan } = request.params;
        const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        const bytes = request.body;
        if (!isPlanType(contentType) || !Buffer.isBuffer(bytes)) {
          throw apiErrors.create('HW_API_PLAN_INVALID', { contentType, problem: 'not a PNG or SVG body' });
        }
        const check = inspectPlanImage(contentType, bytes);
        if (!check.ok) throw apiErrors.create('HW_API_PLAN_INVALID', { contentType, problem: check.problem });
        const before = await plans.info(enterprise, plan);
        const after = await plans.put(
          { enterprise, plan, contentType, bytes, width: check.width, height: check.height },
          request.access!.principal.username,
          ctx.now(),
        );
        await ctx.auditor.record(request, {
          action: 'plan.put',
          targetType: 'floor_plan',
          targetId: `${enterprise}/${plan}`,
          before: before ?? null,
          after,
        });
        void reply.status(before ? 200 : 201);
        return after;
      },
    });

    defineRoute(scoped, {
      method: 'DELETE',
      url: `${API}/enterprises/:enterprise/plans/:plan`,
      scope: writeScope,
      summary: 'Delete a floor plan',
      tags,
      schema: { params: PlanParams, querystring: NoQuery, response: { 200: PlanInfoSchema } },
      handler: async (request) => {
        const { enterprise, plan } = request.params;
        const before = await plans.delete(enterprise, plan);
        if (!before) throw missing(enterprise, plan);
        await ctx.auditor.record(request, {
          action: 'plan.delete',
          targetType: 'floor_plan',
          targetId: `${enterprise}/${plan}`,
          before,
          after: null,
        });
        return before;
      },
    });
    done();
  });
}
