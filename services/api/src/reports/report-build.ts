/**
 * A duty report (日报 / 周报 / 月报, issue #21; docs/reports.md) for a scope and a period: reads
 * the store for the period and hands the figures to core's pure aggregation.
 */
import type { Report, ReportScopeKind } from '@hazardwatch/contracts';
import {
  reportAlarms,
  reportOnline,
  reportOutOfService,
  reportWarnings,
  type DeepReadonly,
  type ReportPeriod,
  type SiteIndex,
  type WarningPolicy,
} from '@hazardwatch/core';
import {
  DataLossRepository,
  GatewayStatusRepository,
  reportAlarmGroups,
  reportOfflineEvents,
  reportWarningInputs,
  type SqlClient,
} from '@hazardwatch/store';
import type { MonitoringChanges } from '../monitoring-changes.js';
import { outOfServiceOf } from '../out-of-service.js';

/** Data-loss reports read per report; a month of a whole province stays far below. */
const DATA_LOSS_READ_MAX = 100_000;

export interface ReportScope {
  readonly kind: ReportScopeKind;
  readonly code: string;
}

export interface ReportSources {
  readonly client: SqlClient;
  readonly changes: MonitoringChanges;
  readonly warningPolicy: WarningPolicy;
}

/** The enterprises of a scope, in site order: a region's subtree, or the one enterprise. */
export function enterprisesOfScope(site: SiteIndex, scope: ReportScope): string[] {
  if (scope.kind === 'enterprise') return site.enterprise(scope.code) === undefined ? [] : [scope.code];
  return site.site.enterprises
    .filter((e) => site.regionChain(e.region).some((r) => r.code === scope.code))
    .map((e) => e.code);
}

export async function buildReport(
  sources: ReportSources,
  site: SiteIndex,
  scope: ReportScope,
  period: ReportPeriod,
  nowMs: number,
): Promise<DeepReadonly<Report>> {
  const enterprises = enterprisesOfScope(site, scope);
  const { fromMs, toMs, endMs } = period;
  const inScope = new Set(enterprises);
  const scopePoints = site.points().filter((p) => inScope.has(p.enterprise));
  const [groups, warnings, offline, statuses, losses, oos] = await Promise.all([
    reportAlarmGroups(sources.client, enterprises, fromMs, endMs),
    reportWarningInputs(sources.client, enterprises, fromMs, endMs),
    reportOfflineEvents(sources.client, enterprises, fromMs, endMs),
    new GatewayStatusRepository(sources.client).byEnterprises(enterprises),
    new DataLossRepository(sources.client).overlapping(enterprises, fromMs, endMs, DATA_LOSS_READ_MAX),
    outOfServiceOf(sources.changes, scopePoints),
  ]);

  const alarms = reportAlarms(enterprises, groups);
  const status = new Map(statuses.map((s) => [`${s.enterprise}/${s.gateway}`, s]));
  const online = reportOnline(
    enterprises,
    site.site.gateways
      .filter((g) => inScope.has(g.enterprise))
      .map((g) => {
        const s = status.get(`${g.enterprise}/${g.code}`);
        return {
          enterprise: g.enterprise,
          gateway: g.code,
          status: s === undefined ? null : { online: s.online, sinceMs: s.sinceMs ?? null },
        };
      }),
    offline,
    losses,
    period,
  );
  const outOfService = reportOutOfService(
    scopePoints
      .filter((p) => oos.has(p.id))
      .map((p) => ({
        pointId: p.id,
        enterprise: p.enterprise,
        hazard: p.hazard ?? null,
        tag: p.tag,
        name: p.name,
        sinceMs: oos.get(p.id)!.sinceMs,
        changeId: oos.get(p.id)!.changeId,
      })),
    period,
  );
  const scopeName =
    scope.kind === 'region'
      ? (site.region(scope.code)?.name ?? scope.code)
      : (site.enterprise(scope.code)?.name ?? scope.code);
  return {
    scope: { kind: scope.kind, code: scope.code, name: scopeName },
    period: {
      kind: period.kind,
      label: period.label,
      firstDay: period.firstDay,
      lastDay: period.lastDay,
      fromMs,
      toMs,
      endMs,
      partial: period.partial,
      timeZone: 'Asia/Shanghai',
    },
    generatedAt: nowMs,
    enterprises: enterprises.map((code) => ({ code, name: site.enterprise(code)?.name ?? code })),
    alarms: {
      ...alarms,
      topSources: alarms.topSources.map((s) => {
        const point = s.pointId === null ? undefined : site.pointById(s.pointId);
        return {
          ...s,
          tag: point?.tag ?? null,
          name: point?.name ?? null,
          hazard: point?.hazard ?? null,
          gateway: point?.gateway ?? s.gateway,
        };
      }),
    },
    warnings: reportWarnings(warnings, period, sources.warningPolicy, nowMs),
    online: {
      onlineRatePct: online.onlineRatePct,
      enterprises: online.enterprises.map((e) => ({
        ...e,
        gatewayRows: e.gatewayRows.map((g) => ({
          gateway: g.gateway,
          neverHeard: g.neverHeard,
          unavailableMs: g.unavailableMs,
          onlineRatePct: g.onlineRatePct,
        })),
      })),
    },
    outOfService: { count: outOfService.length, items: outOfService },
  };
}
