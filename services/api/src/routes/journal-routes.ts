import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  ALARM_CONDITIONS,
  EXPORT_LANGUAGES,
  ExportFormatSchema,
  JOURNAL_MAX_EXPORT_ROWS,
  JOURNAL_MAX_PAGE_ROWS,
  JOURNAL_MAX_RANGE_DAYS,
  JournalPageSchema,
  JournalSortSchema,
  SortDirectionSchema,
  type ExportFormat,
  type ExportLanguage,
} from '@hazardwatch/contracts';
import { countJournal, queryAlarms, queryJournal } from '@hazardwatch/store';
import { apiErrors } from '../errors.js';
import { CSV_BOM, csvLine } from '../export/csv.js';
import { attachment, XLSX_CONTENT_TYPE, xlsxWorkbook, type XlsxCell } from '../export/xlsx.js';
import { defineRoute } from '../http/route.js';
import {
  AlarmStateFilter,
  checkListFilters,
  closed,
  Code,
  ColourFilter,
  EpochMs,
  Pagination,
} from '../http/schemas.js';
import { consoleCells, exportLanguage, journalCells, wordsOf } from '../journal/export-columns.js';
import {
  alarmMatchesText,
  checkJournalRange,
  checkPageDepth,
  compareConsole,
  journalEntry,
  journalQuery,
} from '../journal/journal-reader.js';
import { API, type RouteContext } from './context.js';

/** Rows read per query while an export is written. */
const EXPORT_BATCH = 2_000;
/** China Standard Time, UTC+8 (no daylight saving): the times a duty centre reads. */
const CHINA_OFFSET_MIN = 480;

/** The filters the journal and the console share (docs/journal.md). */
const Filters = {
  region: Type.Optional(Code),
  enterprise: Type.Optional(Code),
  /** Needs `enterprise`: a hazard code is an enterprise's own. */
  hazard: Type.Optional(Code),
  colour: Type.Optional(Type.Array(ColourFilter, { maxItems: 4 })),
  state: Type.Optional(Type.Array(AlarmStateFilter, { maxItems: 7 })),
  condition: Type.Optional(
    Type.Array(Type.Union(ALARM_CONDITIONS.map((c) => Type.Literal(c))), {
      maxItems: ALARM_CONDITIONS.length,
    }),
  ),
  /** Free text, literal and case-insensitive: tag, point, enterprise or hazard name; in the journal also reason and actor. */
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
};

const Range = {
  from: EpochMs('from (inclusive)'),
  to: EpochMs(`to (exclusive), at most ${JOURNAL_MAX_RANGE_DAYS} days after from`),
  /** @default 'ts' */
  sort: Type.Optional(JournalSortSchema),
  /** @default 'desc' */
  dir: Type.Optional(SortDirectionSchema),
};

const Export = {
  format: ExportFormatSchema,
  /** Column headers' language; else Accept-Language; zh-CN by default. */
  lang: Type.Optional(Type.Union(EXPORT_LANGUAGES.map((l) => Type.Literal(l)))),
};

const ExportAnswer = Type.Unsafe<unknown>({
  description: 'the file: CSV (UTF-8 with BOM) or an Excel workbook',
  content: {
    'text/csv': { schema: { type: 'string' } },
    [XLSX_CONTENT_TYPE]: { schema: { type: 'string', format: 'binary' } },
  },
});

const tooMany = (what: string) =>
  apiErrors.create('HW_API_VALIDATION', {
    detail: `${what}, at most ${JOURNAL_MAX_EXPORT_ROWS} rows per export: narrow the time range or the filters`,
  });

/** `yyyyMMdd-HHmm` in China time, for file names. */
function stamp(ms: number): string {
  const iso = new Date(ms + CHINA_OFFSET_MIN * 60_000).toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 16).replace(':', '')}`;
}

/** Sends rows as CSV (streamed, batch by batch) or as one workbook. */
async function sendFile(
  reply: FastifyReply,
  file: { format: ExportFormat; name: string; sheet: string; header: readonly string[] },
  batches: AsyncIterable<XlsxCell[][]> | Iterable<XlsxCell[][]>,
): Promise<FastifyReply> {
  void reply
    .header('content-disposition', attachment(`${file.name}.${file.format}`))
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store');
  if (file.format === 'csv') {
    // XlsxCell minus booleans is a CsvCell; no column here holds a boolean.
    const csv = async function* (): AsyncGenerator<string> {
      yield CSV_BOM + csvLine(file.header, CHINA_OFFSET_MIN);
      for await (const rows of batches)
        yield rows.map((r) => csvLine(r as Exclude<XlsxCell, boolean>[], CHINA_OFFSET_MIN)).join('');
    };
    return reply.header('content-type', 'text/csv; charset=utf-8').send(Readable.from(csv()));
  }
  const rows: XlsxCell[][] = [];
  for await (const batch of batches) rows.push(...batch);
  return reply
    .header('content-type', XLSX_CONTENT_TYPE)
    .send(
      xlsxWorkbook([{ name: file.sheet, header: file.header, rows }], { offsetMinutes: CHINA_OFFSET_MIN }),
    );
}

/**
 * The alarm journal (issue #21; docs/journal.md): every alarm event over a time range, scoped to
 * the caller (a regulator its region subtree, an enterprise user its enterprise), filtered and
 * sorted, as pages or as a CSV/Excel export; and the export of the console's filtered open alarms.
 * Reading the journal is reading alarms: action `alarm.read`.
 */
export function journalRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const tags = ['alarms'];

  defineRoute(app, {
    method: 'GET',
    url: `${API}/alarm-journal`,
    scope: { kind: 'any', action: 'alarm.read' },
    summary: `Alarm events in [from, to) (at most ${JOURNAL_MAX_RANGE_DAYS} days) in the caller’s scope, filtered and sorted; offset + limit ≤ ${JOURNAL_MAX_PAGE_ROWS}`,
    tags,
    schema: {
      querystring: Type.Object({ ...Filters, ...Range, ...Pagination }, closed),
      response: { 200: JournalPageSchema },
    },
    handler: async (request) => {
      const q = request.query;
      checkJournalRange(q);
      checkPageDepth(q.limit, q.offset);
      const site = ctx.site();
      const query = journalQuery(q, request.access!, site, { limit: q.limit, offset: q.offset });
      // Counted up to the deepest page plus one: "more than 10,000" without reading a month's events.
      const [rows, counted] = await Promise.all([
        queryJournal(ctx.client, query),
        countJournal(ctx.client, query, JOURNAL_MAX_PAGE_ROWS),
      ]);
      return {
        items: rows.map((r) => journalEntry(r, site)),
        total: counted.count,
        limit: q.limit,
        offset: q.offset,
      };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/alarm-journal/export`,
    scope: { kind: 'any', action: 'alarm.read' },
    summary: `The alarm journal as CSV or Excel (same filters and order as /alarm-journal; at most ${JOURNAL_MAX_EXPORT_ROWS} rows)`,
    tags,
    schema: {
      querystring: Type.Object({ ...Filters, ...Range, ...Export }, closed),
      response: { 200: ExportAnswer },
    },
    handler: async (request, reply) => {
      const q = request.query;
      checkJournalRange(q);
      const site = ctx.site();
      const lang: ExportLanguage = exportLanguage(q.lang, request.headers['accept-language']);
      const words = wordsOf(lang);
      const base = journalQuery(q, request.access!, site, { limit: EXPORT_BATCH, offset: 0 });
      // Counted before anything is written; the export then reads exactly the events counted.
      const { count, maxId } = await countJournal(ctx.client, base, JOURNAL_MAX_EXPORT_ROWS);
      if (count > JOURNAL_MAX_EXPORT_ROWS) throw tooMany(`more than ${JOURNAL_MAX_EXPORT_ROWS} events match`);
      const batches = async function* (): AsyncGenerator<XlsxCell[][]> {
        if (maxId === null) return;
        for (let offset = 0; offset < count; offset += EXPORT_BATCH) {
          const rows = await queryJournal(ctx.client, { ...base, maxId, offset });
          yield rows.map((r) => journalCells(journalEntry(r, site), words));
          if (rows.length < EXPORT_BATCH) return;
        }
      };
      return sendFile(
        reply,
        {
          format: q.format,
          name: `${words.journalSheet}_${stamp(q.from)}_${stamp(q.to)}`,
          sheet: words.journalSheet,
          header: words.journalHeader,
        },
        batches(),
      );
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: `${API}/alarms/active/export`,
    scope: { kind: 'any', action: 'alarm.read' },
    summary:
      'The console’s open alarms as CSV or Excel: its filters (colour, state, region, enterprise, hazard, condition, text) and its order (colour, then newest)',
    tags,
    schema: { querystring: Type.Object({ ...Filters, ...Export }, closed), response: { 200: ExportAnswer } },
    handler: async (request, reply) => {
      const q = request.query;
      checkListFilters(q);
      const site = ctx.site();
      const words = wordsOf(exportLanguage(q.lang, request.headers['accept-language']));
      const enterprises = request.access!.enterpriseFilter({ region: q.region, enterprise: q.enterprise });
      const pointIds =
        q.hazard !== undefined && q.enterprise !== undefined
          ? (site?.pointsOfHazard(q.enterprise, q.hazard).map((p) => p.id) ?? [])
          : null;
      const { items, total } = await queryAlarms(ctx.client, site, {
        openOnly: true,
        enterprises,
        pointIds,
        colours: q.colour,
        states: q.state,
        conditions: q.condition,
        limit: JOURNAL_MAX_EXPORT_ROWS,
        offset: 0,
      });
      if (total > JOURNAL_MAX_EXPORT_ROWS) throw tooMany(`${total} open alarms match`);
      const text = q.q;
      const shown = (text === undefined ? items : items.filter((a) => alarmMatchesText(a, site, text))).sort(
        compareConsole,
      );
      return sendFile(
        reply,
        {
          format: q.format,
          name: `${words.consoleSheet}_${stamp(ctx.now())}`,
          sheet: words.consoleSheet,
          header: words.consoleHeader,
        },
        [shown.map((a) => consoleCells(a, site, words))],
      );
    },
  });
}
