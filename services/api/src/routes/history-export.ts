import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { History } from '@hazardwatch/contracts';
import type { IndexedPoint } from '@hazardwatch/core';
import { chooseResolution } from '@hazardwatch/store';
import { apiErrors } from '../errors.js';
import { csvChunks, type CsvCell } from '../export/csv.js';
import { attachment, XLSX_CONTENT_TYPE, xlsxWorkbook } from '../export/xlsx.js';
import { defineRoute } from '../http/route.js';
import type { Access } from '../access/access.js';
import { checkRange, closed } from '../http/schemas.js';
import { API } from './context.js';
import { historyRange, MAX_HISTORY_POINTS, PointList } from './history-query.js';

/**
 * Most rows (buckets, over all points) one export writes — about 20 MB of CSV. Checked twice:
 * before the query on the most the range can hold at the chosen resolution (raw counted at one
 * reading a second, the rule that chose it), and after it on the rows actually stored.
 */
export const MAX_EXPORT_ROWS = 200_000;

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export const EXPORT_LANGS = ['zh-CN', 'en'] as const;
export type ExportLang = (typeof EXPORT_LANGS)[number];

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
/** China Standard Time, UTC+8 (no daylight saving): the times a duty centre reads. */
const CHINA_OFFSET_MIN = 480;

/** Column headings and sheet names per language (the file is read by people, not parsed back). */
const TEXT: Record<
  ExportLang,
  { readings: readonly string[]; losses: readonly string[]; sheets: readonly [string, string]; name: string }
> = {
  'zh-CN': {
    readings: [
      '时间',
      '企业',
      '重大危险源',
      '位号',
      '名称',
      '单位',
      '分辨率',
      '值',
      '最小值',
      '最大值',
      '平均值',
      '样本数',
    ],
    losses: ['企业', '网关', '起始时间', '结束时间', '丢失读数', '原因', '上报时间'],
    sheets: ['趋势', '数据丢失'],
    name: '趋势',
  },
  en: {
    readings: [
      'Time',
      'Enterprise',
      'Major hazard',
      'Tag',
      'Name',
      'Unit',
      'Resolution',
      'Value',
      'Min',
      'Max',
      'Average',
      'Samples',
    ],
    losses: ['Enterprise', 'Gateway', 'From', 'To', 'Readings lost', 'Reason', 'Reported'],
    sheets: ['Trend', 'Data loss'],
    name: 'trend',
  },
};

/** What the export needs from the history routes (value-routes.ts): one code path for both. */
export interface HistorySource {
  /** Parses `points`, checks the count and every point's scope (400 / 403 / 404 as /history). */
  pointIds(points: string, access: Access): number[];
  /** The series /history answers for these points and range. */
  historyOf(
    pointIds: readonly number[],
    query: { from: number; to: number; maxPoints: number },
  ): Promise<History[]>;
  point(id: number): IndexedPoint | undefined;
}

/** `yyyyMMdd-HHmm` in China time, for file names. */
function fileStamp(ms: number): string {
  const iso = new Date(ms + CHINA_OFFSET_MIN * MS_PER_MINUTE).toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 16).replace(':', '')}`;
}

/** The file name of an export: language-dependent stem, the range in China time. */
export function exportFileName(lang: ExportLang, from: number, to: number, format: 'csv' | 'xlsx'): string {
  return `${TEXT[lang].name}_${fileStamp(from)}_${fileStamp(to)}.${format}`;
}

/** The rows of the readings table, point by point in request order, oldest first. */
function* readingRows(series: readonly History[], source: HistorySource): Generator<CsvCell[]> {
  for (const s of series) {
    const p = source.point(s.pointId);
    for (const b of s.buckets) {
      yield [
        new Date(b.ts),
        p?.enterprise ?? null,
        p?.hazard ?? null,
        p?.tag ?? String(s.pointId),
        p?.name ?? null,
        p?.unit ?? null,
        s.resolution,
        b.last,
        b.min,
        b.max,
        b.avg,
        b.count,
      ];
    }
  }
}

/** The data-loss reports of the series' gateways, each once. */
function lossRows(series: readonly History[]): CsvCell[][] {
  const seen = new Set<number>();
  const rows: CsvCell[][] = [];
  for (const s of series) {
    for (const l of s.dataLoss) {
      if (seen.has(l.id)) continue;
      seen.add(l.id);
      rows.push([
        l.enterprise,
        l.gateway,
        l.fromMs === null ? null : new Date(l.fromMs),
        l.toMs === null ? null : new Date(l.toMs),
        l.readings,
        l.reason,
        new Date(l.reportedMs),
      ]);
    }
  }
  return rows;
}

const tooMany = (rows: number, what: string) =>
  apiErrors.create('HW_API_VALIDATION', {
    detail: `the export would hold ${rows} rows (${what}), at most ${MAX_EXPORT_ROWS} allowed: shorten the range or choose fewer points`,
  });

const ExportAnswer = Type.Unsafe<unknown>({
  description: 'the file: CSV (UTF-8 with BOM) or an Excel workbook',
  content: {
    'text/csv': { schema: { type: 'string' } },
    [XLSX_CONTENT_TYPE]: { schema: { type: 'string', format: 'binary' } },
  },
});

/**
 * `GET /history/export`: the series a trend shows (same points, range and maxPoints as
 * `GET /history`, so the same resolution), as CSV or an Excel workbook — readings one row per
 * bucket, with the resolution named; the workbook adds the gateways' data-loss reports on a second
 * sheet. Nothing is filled in: a gap in the trend is missing rows here.
 */
const ExportQuery = Type.Object(
  {
    points: PointList,
    ...historyRange,
    /** @default 'csv' */
    format: Type.Union(
      EXPORT_FORMATS.map((f) => Type.Literal(f)),
      { default: 'csv' },
    ),
    /** Language of the headings, sheet names and file name. @default 'zh-CN' */
    lang: Type.Union(
      EXPORT_LANGS.map((l) => Type.Literal(l)),
      { default: 'zh-CN' },
    ),
  },
  closed,
);

export function historyExportRoutes(app: FastifyInstance, source: HistorySource): void {
  defineRoute(app, {
    method: 'GET',
    url: `${API}/history/export`,
    // Several points, each checked by `pointIds` as /history does.
    scope: { kind: 'any', action: 'history.export' },
    summary: `The trend of up to ${MAX_HISTORY_POINTS} points as CSV or Excel, as /history shows it (at most ${MAX_EXPORT_ROWS} rows)`,
    tags: ['values'],
    schema: { querystring: ExportQuery, response: { 200: ExportAnswer } },
    handler: async (request, reply) => {
      const { points, format, lang, from, to, maxPoints } = request.query;
      checkRange(from, to);
      const ids = source.pointIds(points, request.access!);
      const resolution = chooseResolution({ fromMs: from, toMs: to, maxPoints });
      const widthMs = resolution === 'raw' ? 1000 : resolution === '1m' ? MS_PER_MINUTE : MS_PER_HOUR;
      const bound = ids.length * Math.ceil(Math.max(0, to - from) / widthMs);
      if (bound > MAX_EXPORT_ROWS) throw tooMany(bound, `${ids.length} points × the range at ${resolution}`);
      const series = await source.historyOf(ids, { from, to, maxPoints });
      const rows = series.reduce((n, s) => n + s.buckets.length, 0);
      if (rows > MAX_EXPORT_ROWS) throw tooMany(rows, 'stored readings');

      const text = TEXT[lang];
      void reply
        .header('content-disposition', attachment(exportFileName(lang, from, to, format)))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store');
      if (format === 'csv') {
        void reply.header('content-type', 'text/csv; charset=utf-8');
        return reply.send(
          Readable.from(csvChunks(text.readings, readingRows(series, source), CHINA_OFFSET_MIN)),
        );
      }
      void reply.header('content-type', XLSX_CONTENT_TYPE);
      return reply.send(
        xlsxWorkbook(
          [
            { name: text.sheets[0], header: text.readings, rows: readingRows(series, source) },
            { name: text.sheets[1], header: text.losses, rows: lossRows(series) },
          ],
          { offsetMinutes: CHINA_OFFSET_MIN },
        ),
      );
    },
  });
}
