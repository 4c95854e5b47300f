/** The alarm journal and export calls (services/api journal-routes.ts; docs/journal.md), typed. */
import type { ExportFormat, JournalPage, JournalSort, SortDirection } from '@hazardwatch/contracts';
import type { HttpClient, Query } from './http.js';

/** GET /alarm-journal: the shared filters (alarm-filter.ts filterQuery) with range, order and page. */
export interface JournalQuery {
  readonly filters: Query;
  readonly from: number;
  readonly to: number;
  readonly sort: JournalSort;
  readonly dir: SortDirection;
  readonly limit: number;
  readonly offset: number;
}

export type ExportLang = 'zh-CN' | 'en';

export class JournalApi {
  constructor(private readonly http: Pick<HttpClient, 'get'>) {}

  page = (q: JournalQuery): Promise<JournalPage> =>
    this.http.get('/alarm-journal', {
      ...q.filters,
      from: q.from,
      to: q.to,
      sort: q.sort,
      dir: q.dir,
      limit: q.limit,
      offset: q.offset,
    });

  /** The journal as a file, same filters and order as the page. */
  exportJournal = (
    q: Omit<JournalQuery, 'limit' | 'offset'>,
    format: ExportFormat,
    lang: ExportLang,
  ): Promise<Blob> =>
    this.http.get('/alarm-journal/export', {
      ...q.filters,
      from: q.from,
      to: q.to,
      sort: q.sort,
      dir: q.dir,
      format,
      lang,
    });

  /** The console's open alarms, filtered as the console shows them. */
  exportConsole = (filters: Query, format: ExportFormat, lang: ExportLang): Promise<Blob> =>
    this.http.get('/alarms/active/export', { ...filters, format, lang });
}
