import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { HistoryListSchema, HistorySchema, LatestValuesSchema } from '@hazardwatch/contracts';
import type { IndexedPoint } from '@hazardwatch/core';
import { DataLossRepository, latestValues, queryHistory } from '@hazardwatch/store';
import { apiErrors } from '../errors.js';
import { defineRoute } from '../http/route.js';
import { checkRange, closed, EnterpriseParams, HazardParams, NoQuery, PointParams } from '../http/schemas.js';
import { API, type RouteContext } from './context.js';
import { historyExportRoutes } from './history-export.js';
import {
  HistoryQuery,
  historyRange,
  MAX_HISTORY_POINTS,
  PointList,
  scopedPointIds,
} from './history-query.js';

export { MAX_HISTORY_POINTS } from './history-query.js';
/** Data-loss reports one trend answer carries for its gateways (holes, not readings). */
const MAX_TREND_LOSSES = 500;

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
          // 停用: the last value of a point out of service is not a live one (issue #19).
          inService: p.enabled,
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
    scope: { kind: 'point', param: 'id', action: 'site.read' },
    summary: 'Newest stored reading of a point',
    tags,
    schema: { params: PointParams, querystring: NoQuery, response: { 200: LatestValuesSchema } },
    handler: async (request) => latestOf([site().pointById(request.params.id)!]),
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/enterprises/:enterprise/hazards/:hazard/latest`,
    scope: { kind: 'hazard', action: 'site.read' },
    summary: 'Newest stored reading of every point of a major hazard',
    tags,
    schema: { params: HazardParams, querystring: NoQuery, response: { 200: LatestValuesSchema } },
    handler: async (request) =>
      latestOf(site().pointsOfHazard(request.params.enterprise, request.params.hazard)),
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/enterprises/:enterprise/latest`,
    scope: { kind: 'enterprise', action: 'site.read' },
    summary: 'Newest stored reading of every point of an enterprise',
    tags,
    schema: { params: EnterpriseParams, querystring: NoQuery, response: { 200: LatestValuesSchema } },
    handler: async (request) => latestOf(site().pointsOfEnterprise(request.params.enterprise)),
  });

  const dataLoss = new DataLossRepository(ctx.client);

  /**
   * One code path for one point and for several: all points share one resolution. Each series
   * carries the holes its point's gateway reported in the range (`dataLoss`, issue #16 item 4), so
   * a trend tells readings a spool dropped from a gap nobody explained.
   */
  const historyOf = async (pointIds: readonly number[], query: HistoryQuery) => {
    const { from, to, maxPoints } = query;
    checkRange(from, to);
    const index = site();
    const key = (enterprise: string, gateway: string) => `${enterprise}/${gateway}`;
    const gatewayOf = new Map<number, string>();
    const gateways = new Map<string, { enterprise: string; gateway: string }>();
    for (const id of pointIds) {
      const p = index.pointById(id);
      if (p === undefined) continue;
      gatewayOf.set(id, key(p.enterprise, p.gateway));
      gateways.set(key(p.enterprise, p.gateway), { enterprise: p.enterprise, gateway: p.gateway });
    }
    const [series, losses] = await Promise.all([
      queryHistory(ctx.client, ctx.dialect, { pointIds, fromMs: from, toMs: to, maxPoints }),
      dataLoss.ofGateways([...gateways.values()], from, to, MAX_TREND_LOSSES),
    ]);
    return series.map((s) => ({
      pointId: s.pointId,
      from,
      to,
      resolution: s.resolution,
      buckets: s.buckets,
      dataLoss: losses.filter((l) => key(l.enterprise, l.gateway) === gatewayOf.get(s.pointId)),
    }));
  };

  defineRoute(app, {
    method: 'GET',
    url: `${API}/points/:id/history`,
    scope: { kind: 'point', param: 'id', action: 'site.read' },
    summary: 'Trend of a point: raw, 1 min or 1 h buckets (min/max/avg/last) chosen to fit maxPoints',
    tags,
    schema: { params: PointParams, querystring: HistoryQuery, response: { 200: HistorySchema } },
    // One series per point asked (queryHistory), so the first is there.
    handler: async (request) => (await historyOf([request.params.id], request.query))[0]!,
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/history`,
    // Several points, each checked below: the guard's rules name one resource per route.
    scope: { kind: 'any', action: 'site.read' },
    summary: `Trends of up to ${MAX_HISTORY_POINTS} points, one resolution for all (as /points/:id/history)`,
    tags,
    schema: {
      querystring: Type.Object({ points: PointList, ...historyRange }, closed),
      response: { 200: HistoryListSchema },
    },
    handler: async (request) => {
      const { points, ...query } = request.query;
      // In request order, so a refusal names the first point refused.
      const ids = scopedPointIds(points, request.access!, site());
      return { items: await historyOf(ids, query) };
    },
  });

  historyExportRoutes(app, {
    pointIds: (points, access) => scopedPointIds(points, access, site()),
    historyOf,
    point: (id) => site().pointById(id),
  });
}
