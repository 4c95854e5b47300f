/** Duty reports (services/api report-routes.ts; docs/reports.md), typed. */
import type { Report, ReportPeriodKindName } from '@hazardwatch/contracts';
import type { HttpClient } from './http.js';

export interface ReportQuery {
  /** `region:<code>` or `enterprise:<code>`. */
  readonly scope: string;
  readonly period: ReportPeriodKindName;
  /** A day of the period, `YYYY-MM-DD` China time. */
  readonly date: string;
}

export class ReportApi {
  constructor(private readonly http: Pick<HttpClient, 'get'>) {}

  get = (query: ReportQuery): Promise<Report> => this.http.get('/reports', { ...query });
  /** The same report as an Excel workbook, headings in `lang`. */
  xlsx = (query: ReportQuery, lang: 'zh-CN' | 'en'): Promise<Blob> =>
    this.http.get('/reports', { ...query, format: 'xlsx', lang });
}
