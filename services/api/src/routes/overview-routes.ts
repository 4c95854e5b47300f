import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { alarmKpiReport, onlineRate, type SiteIndex } from '@hazardwatch/core';
import {
  DataLossListSchema,
  KpiReportSchema,
  parseSourceKey,
  RegionOverviewSchema,
  type WarningColour,
} from '@hazardwatch/contracts';
import { DataLossRepository, GatewayStatusRepository } from '@hazardwatch/store';
import { apiErrors } from '../errors.js';
import { defineRoute } from '../http/route.js';
import {
  checkRange,
  closed,
  Code,
  EnterpriseParams,
  EpochMs,
  NoQuery,
  RegionParams,
} from '../http/schemas.js';
import { outOfServiceOf } from '../out-of-service.js';
import { regionOverview } from '../overview.js';
import { API, type RouteContext } from './context.js';

const DAY_MS = 86_400_000;
/** KPI ranges are bounded: the report reads every event of the range into memory. */
const KPI_MAX_RANGE_MS = 92 * DAY_MS;
/** Events this far before the range are read too, so alarms standing since earlier count as stale. */
const KPI_LOOK_BACK_MS = 30 * DAY_MS;
/** Data-loss reports listed with the KPIs (the figures count all of them). */
const DATA_LOSS_LISTED = 200;
const DATA_LOSS_READ_MAX = 100_000;
/** Out-of-service points listed in the overview (the count is all). */
const OUT_OF_SERVICE_LISTED = 100;

const DataLossQuery = Type.Object(
  {
    region: Type.Optional(Code),
    enterprise: Type.Optional(Code),
    /** Newest reports kept per gateway. @default 20 */
    perGateway: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    /** Reports in all. @default 200 */
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
  },
  closed,
);

const KpiQuery = Type.Object(
  { from: EpochMs('range start, inclusive'), to: EpochMs('range end, exclusive') },
  closed,
);

/** Region overview, ISA-18.2 alarm KPIs for a region subtree or an enterprise, data-loss reports. */
export function overviewRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const site = (): SiteIndex => {
    const s = ctx.site();
    if (s === undefined) throw apiErrors.create('HW_API_SITE_UNAVAILABLE', {});
    return s;
  };
  const gatewayStatus = new GatewayStatusRepository(ctx.client);
  const dataLoss = new DataLossRepository(ctx.client);
  const enterprisesIn = (s: SiteIndex, code: string): string[] =>
    s.site.enterprises.filter((e) => s.regionChain(e.region).some((r) => r.code === code)).map((e) => e.code);
  const checkKpiRange = (from: number, to: number): void => {
    checkRange(from, to);
    if (to - from > KPI_MAX_RANGE_MS)
      throw apiErrors.create('HW_API_RANGE_TOO_LONG', {
        fromMs: from,
        toMs: to,
        maxDays: KPI_MAX_RANGE_MS / DAY_MS,
      });
  };
  const kpis = async (from: number, to: number, enterprises: ReadonlySet<string>) => {
    const s = site();
    const events = (await ctx.alarms.events(from - KPI_LOOK_BACK_MS, to)).filter((e) => {
      const source = parseSourceKey(e.sourceKey);
      // Platform alarms (TimescaleDB jobs) belong to no enterprise: never in an enterprise's KPIs.
      const enterprise =
        source?.type === 'point'
          ? s.pointById(source.pointId)?.enterprise
          : source?.type === 'gateway'
            ? source.enterprise
            : undefined;
      return enterprise !== undefined && enterprises.has(enterprise);
    });
    const colours = new Map<string, WarningColour | undefined>(
      events.map((e) => [e.alarmId, e.colour ?? undefined]),
    );
    const range = { fromMs: from, toMs: to };
    // Data quality beside the alarm KPIs (issue #16 item 4): the holes gateways reported, and the
    // online rate they leave (core kpi/online-rate.ts).
    const losses = await dataLoss.overlapping([...enterprises], from, to, DATA_LOSS_READ_MAX);
    const pointsPer = new Map<string, number>();
    for (const p of s.points())
      pointsPer.set(`${p.enterprise}/${p.gateway}`, (pointsPer.get(`${p.enterprise}/${p.gateway}`) ?? 0) + 1);
    // A point out of service (停用) is not online from when it was taken out (issue #19).
    const oos = await outOfServiceOf(
      ctx.changes,
      s.points().filter((p) => enterprises.has(p.enterprise)),
    );
    const gateways = s.site.gateways
      .filter((g) => enterprises.has(g.enterprise))
      .map((g) => ({
        enterprise: g.enterprise,
        gateway: g.code,
        points: pointsPer.get(`${g.enterprise}/${g.code}`) ?? 0,
        outOfService: s
          .pointsOfGateway(g.enterprise, g.code)
          .filter((p) => oos.has(p.id))
          .map((p) => oos.get(p.id)!.sinceMs),
      }));
    return {
      ...alarmKpiReport(events, range, { colourOf: (id) => colours.get(id) }),
      dataQuality: { ...onlineRate(gateways, losses, range), dataLoss: losses.slice(0, DATA_LOSS_LISTED) },
    };
  };

  defineRoute(app, {
    method: 'GET',
    url: `${API}/regions/:code/overview`,
    scope: { kind: 'region', param: 'code', action: 'site.read' },
    summary:
      'Counts per colour, worst colour per child region and enterprise, stale points, gateways offline, ' +
      'gateway spool backlog',
    tags: ['overview'],
    schema: { params: RegionParams, querystring: NoQuery, response: { 200: RegionOverviewSchema } },
    handler: async (request) => {
      const s = site();
      const { code } = request.params;
      const [open, statuses] = await Promise.all([
        ctx.alarms.openAlarms(),
        gatewayStatus.byEnterprises(enterprisesIn(s, code)),
      ]);
      const enterprises = new Set(enterprisesIn(s, code));
      const oos = await outOfServiceOf(
        ctx.changes,
        s.points().filter((p) => enterprises.has(p.enterprise)),
      );
      const outOfService = s
        .points()
        .filter((p) => oos.has(p.id))
        .map((p) => ({
          pointId: p.id,
          enterprise: p.enterprise,
          tag: p.tag,
          changeId: oos.get(p.id)!.changeId,
        }));
      return {
        ...regionOverview(s, code, open, ctx.colourPolicy, ctx.now(), statuses),
        // The data-quality part lists the points out of service (停用, issue #19).
        outOfServicePoints: {
          count: outOfService.length,
          items: outOfService.slice(0, OUT_OF_SERVICE_LISTED),
        },
      };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/regions/:code/kpis`,
    scope: { kind: 'region', param: 'code', action: 'site.read' },
    summary:
      'Alarm KPIs (ISA-18.2 / EEMUA 191) of the enterprises in a region subtree, with data quality ' +
      '(data-loss reports, online rate)',
    tags: ['overview'],
    schema: { params: RegionParams, querystring: KpiQuery, response: { 200: KpiReportSchema } },
    handler: async (request) => {
      const { from, to } = request.query;
      checkKpiRange(from, to);
      const code = request.params.code;
      const s = site();
      return kpis(from, to, new Set(enterprisesIn(s, code)));
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/enterprises/:enterprise/kpis`,
    scope: { kind: 'enterprise', action: 'site.read' },
    summary: 'Alarm KPIs of one enterprise, with data quality (data-loss reports, online rate)',
    tags: ['overview'],
    schema: { params: EnterpriseParams, querystring: KpiQuery, response: { 200: KpiReportSchema } },
    handler: async (request) => {
      const { from, to } = request.query;
      checkKpiRange(from, to);
      return kpis(from, to, new Set([request.params.enterprise]));
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/data-loss`,
    // A collection: the caller's enterprises, narrowed by the filters (as /alarms).
    scope: { kind: 'any', action: 'site.read' },
    summary:
      'Recent data-loss reports of gateways (what their spools dropped: span, readings, reason), ' +
      'newest received first, at most perGateway per gateway',
    tags: ['overview'],
    schema: { querystring: DataLossQuery, response: { 200: DataLossListSchema } },
    handler: async (request) => {
      const { region, enterprise, perGateway, limit } = request.query;
      const enterprises = request.access!.enterpriseFilter({ region, enterprise });
      return { items: await dataLoss.recent(enterprises, { perGateway, limit }) };
    },
  });
}
