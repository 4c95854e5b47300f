import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { IndexedPoint } from '@hazardwatch/core';
import { latestValues, queryHistory } from '@hazardwatch/store';
import { apiErrors } from '../errors.js';
import { defineRoute } from '../http/route.js';
import { closed, EnterpriseParams, EpochMs, HazardParams, NoQuery, PointParams } from '../http/schemas.js';
import { API, type RouteContext } from './context.js';

/** Latest values (cold start of a live view) and trend history with automatic resolution. */
export function valueRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const tags = ['values'];
  const latestOf = async (points: readonly IndexedPoint[]) => {
    const now = ctx.now();
    const byId = new Map(points.map((p) => [p.id, p]));
    const values = await latestValues(
      ctx.client,
      points.map((p) => p.id),
    );
    return {
      items: values.map((v) => {
        const p = byId.get(v.pointId)!;
        // Stale: no reading within the point's staleness timeout (REFERENCE §8 item 18).
        return {
          pointId: v.pointId,
          tag: p.tag,
          unit: p.unit,
          ts: v.ts,
          value: v.value,
          quality: v.quality,
          stale: now - v.ts > p.staleAfterMs,
        };
      }),
    };
  };
  const site = () => {
    const s = ctx.site();
    if (s === undefined) throw apiErrors.create('HW_API_SITE_UNAVAILABLE', {});
    return s;
  };

  defineRoute(app, {
    method: 'GET',
    url: `${API}/points/:id/latest`,
    scope: { kind: 'point', param: 'id' },
    summary: 'Newest stored reading of a point',
    tags,
    schema: { params: PointParams, querystring: NoQuery },
    handler: async (request) => latestOf([site().pointById(request.params.id)!]),
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/enterprises/:enterprise/hazards/:hazard/latest`,
    scope: { kind: 'hazard' },
    summary: 'Newest stored reading of every point of a major hazard',
    tags,
    schema: { params: HazardParams, querystring: NoQuery },
    handler: async (request) =>
      latestOf(site().pointsOfHazard(request.params.enterprise, request.params.hazard)),
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/enterprises/:enterprise/latest`,
    scope: { kind: 'enterprise' },
    summary: 'Newest stored reading of every point of an enterprise',
    tags,
    schema: { params: EnterpriseParams, querystring: NoQuery },
    handler: async (request) => latestOf(site().pointsOfEnterprise(request.params.enterprise)),
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/points/:id/history`,
    scope: { kind: 'point', param: 'id' },
    summary: 'Trend of a point: raw, 1 min or 1 h buckets (min/max/avg/last) chosen to fit maxPoints',
    tags,
    schema: {
      params: PointParams,
      querystring: Type.Object(
        {
          from: EpochMs('range start, inclusive'),
          to: EpochMs('range end, exclusive'),
          /** @default 1000 */
          maxPoints: Type.Integer({ minimum: 1, maximum: 20_000, default: 1000 }),
        },
        closed,
      ),
    },
    handler: async (request) => {
      const { from, to, maxPoints } = request.query;
      if (to <= from) throw apiErrors.create('HW_API_RANGE_INVALID', { fromMs: from, toMs: to });
      const [series] = await queryHistory(ctx.client, ctx.dialect, {
        pointIds: [request.params.id],
        fromMs: from,
        toMs: to,
        maxPoints,
      });
      return {
        pointId: request.params.id,
        from,
        to,
        resolution: series!.resolution,
        buckets: series!.buckets,
      };
    },
  });
}
