import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import { REPORT_FORMATS, REPORT_PERIOD_KINDS, ReportSchema } from '@hazardwatch/contracts';
import { chinaDay, reportPeriod, type SiteIndex } from '@hazardwatch/core';
import type { Access } from '../access/access.js';
import { apiErrors } from '../errors.js';
import { attachment, XLSX_CONTENT_TYPE, xlsxWorkbook } from '../export/xlsx.js';
import { defineRoute } from '../http/route.js';
import { closed } from '../http/schemas.js';
import { buildReport, type ReportScope } from '../reports/report-build.js';
import { REPORT_LANGS, reportFileName, reportSheets } from '../reports/report-workbook.js';
import { API, type RouteContext } from './context.js';

const literals = <T extends string>(values: readonly T[], def: T) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { default: def },
  );

const ReportQuery = Type.Object(
  {
    /** `region:<code>` or `enterprise:<code>`; default the caller's own (a regulator's region, an enterprise user's enterprise). */
    scope: Type.Optional(Type.String({ pattern: '^(region|enterprise):[A-Za-z0-9_.-]{1,64}$' })),
    /** @default 'day' */
    period: literals(REPORT_PERIOD_KINDS, 'day'),
    /** A day of the period, China time; default today (China time). */
    date: Type.Optional(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' })),
    /** @default 'json' */
    format: literals(REPORT_FORMATS, 'json'),
    /** Language of the workbook's sheet names, headings and file name. @default 'zh-CN' */
    lang: literals(REPORT_LANGS, 'zh-CN'),
  },
  closed,
);

/** The scope asked for, or the caller's own; 404 for an unknown one, 403 (audited) outside the caller's. */
function scopeOf(raw: string | undefined, access: Access, site: SiteIndex): ReportScope {
  let scope: ReportScope;
  if (raw === undefined) {
    const { regionCode, enterpriseCode } = access.principal;
    if (access.isEnterpriseRole && enterpriseCode !== null)
      scope = { kind: 'enterprise', code: enterpriseCode };
    else if (!access.isAdmin && regionCode !== null) scope = { kind: 'region', code: regionCode };
    else
      throw apiErrors.create('HW_API_VALIDATION', {
        detail: 'scope is required (region:<code> or enterprise:<code>)',
      });
  } else {
    const at = raw.indexOf(':');
    scope = { kind: raw.slice(0, at) === 'region' ? 'region' : 'enterprise', code: raw.slice(at + 1) };
  }
  const known = scope.kind === 'region' ? site.region(scope.code) : site.enterprise(scope.code);
  if (known === undefined) throw apiErrors.create('HW_API_NOT_FOUND', { kind: scope.kind, id: scope.code });
  const sees = scope.kind === 'region' ? access.seesRegion(scope.code) : access.seesEnterprise(scope.code);
  if (!sees)
    throw apiErrors.create('HW_API_FORBIDDEN', {
      reason: `${scope.kind} ${scope.code} is outside your scope`,
      kind: scope.kind,
      id: scope.code,
    });
  return scope;
}

/**
 * Duty reports, 日报 / 周报 / 月报 (issue #21; docs/reports.md): a region subtree's or one
 * enterprise's alarms by colour, top offenders, 预警 handled and on time, online rate, points out of
 * service, for a day, ISO week or month in China time; JSON for the printable page, or an Excel
 * workbook. Scoped here (scope `any`): the scope named must be inside the caller's.
 */
export function reportRoutes(app: FastifyInstance, ctx: RouteContext): void {
  defineRoute(app, {
    method: 'GET',
    url: `${API}/reports`,
    scope: { kind: 'any', action: 'report.read' },
    summary:
      'Duty report (日报/周报/月报) of a region subtree or an enterprise for a day, ISO week or month in ' +
      'China time: alarms by colour, top offenders, 预警 handled and on time, online rate, points out of ' +
      'service; format=xlsx for an Excel workbook',
    tags: ['reports'],
    schema: { querystring: ReportQuery, response: { 200: ReportSchema } },
    handler: async (request, reply) => {
      const site = ctx.site();
      if (site === undefined) throw apiErrors.create('HW_API_SITE_UNAVAILABLE', {});
      const { period: kind, format, lang } = request.query;
      const scope = scopeOf(request.query.scope, request.access!, site);
      const now = ctx.now();
      const date = request.query.date ?? chinaDay(now);
      const period = reportPeriod(kind, date, now);
      if (period === null)
        throw apiErrors.create('HW_API_VALIDATION', { detail: `date ${date} is not a calendar day` });
      // Nothing is reported that the plant has not said yet.
      if (period.fromMs > now)
        throw apiErrors.create('HW_API_VALIDATION', {
          detail: `the ${kind} of ${date} (China time) has not begun`,
        });
      const report = await buildReport(
        { client: ctx.client, changes: ctx.changes, warningPolicy: ctx.warningPolicy },
        site,
        scope,
        period,
        now,
      );
      if (format === 'json') return report;
      // A workbook, not JSON: sent as bytes (the serializer applies to JSON answers only).
      return (reply as FastifyReply)
        .header('content-type', XLSX_CONTENT_TYPE)
        .header('content-disposition', attachment(reportFileName(report, lang)))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(xlsxWorkbook(reportSheets(report, lang)));
    },
  });
}
