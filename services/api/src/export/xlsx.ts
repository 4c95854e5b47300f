import { zip } from './zip.js';

/**
 * Excel workbooks (.xlsx, Office Open XML SpreadsheetML, ECMA-376) for downloads: one or more
 * sheets, each a bold, frozen header row and data rows. Text is written as inline strings, so a
 * user's or device's text can never become a formula; numbers as numbers; times as real Excel
 * date-times (`yyyy-mm-dd hh:mm:ss`) in a fixed offset, China time by default, so a duty officer
 * can sort and filter them.
 *
 * Limits are Excel's own (1,048,576 rows and 16,384 columns a sheet, 32,767 characters a cell,
 * 31-character sheet names): `xlsxWorkbook` throws a RangeError naming the limit rather than
 * writing a file Excel would truncate or refuse. Characters XML cannot carry (control characters,
 * lone surrogates) are written as U+FFFD.
 *
 * Usage:
 * ```ts
 * const body = xlsxWorkbook([{ name: '报警', header: ['时间', '位号', '值'], rows: [[new Date(), 'PT-101', 1.2]] }]);
 * reply.header('content-type', XLSX_CONTENT_TYPE).header('content-disposition', attachment('报警.xlsx')).send(body);
 * ```
 */

/** One cell: text, number, boolean, a time, or empty. Non-finite numbers are written empty. */
export type XlsxCell = string | number | boolean | Date | null | undefined;

export interface XlsxSheet {
  /** Sheet tab name; at most 31 characters, none of `[]:*?/\`; unique within the workbook. */
  readonly name: string;
  readonly header: readonly string[];
  readonly rows: Iterable<readonly XlsxCell[]>;
  /** Column widths in characters; default: from the header and the first 200 rows. */
  readonly widths?: readonly number[];
}

export interface XlsxOptions {
  /** Offset from UTC in which times are written. @default 480 (China time, UTC+8) */
  readonly offsetMinutes?: number;
}

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const XLSX_MAX_ROWS = 1_048_576;
export const XLSX_MAX_COLUMNS = 16_384;
export const XLSX_MAX_CELL_CHARS = 32_767;
const MAX_SHEET_NAME = 31;

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_R = 'http://schemas.openxmlformats.org/package/2006/relationships';
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const STYLE_TIME = 1;
const STYLE_HEADER = 2;
/** Days from Excel's epoch (1899-12-30, in its 1900 date system) to 1970-01-01. */
const EXCEL_UNIX_EPOCH_DAYS = 25_569;
const DAY_MS = 86_400_000;

/** `Content-Disposition` for a download whose name may be Chinese (RFC 6266 / RFC 5987). */
export function attachment(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export function xlsxWorkbook(sheets: readonly XlsxSheet[], options: XlsxOptions = {}): Buffer {
  if (sheets.length === 0) throw new RangeError('xlsx: a workbook needs at least one sheet');
  const offsetMinutes = options.offsetMinutes ?? 480;
  const names = new Set<string>();
  for (const sheet of sheets) {
    if (sheet.name.length === 0 || sheet.name.length > MAX_SHEET_NAME || /[[\]:*?/\\]/.test(sheet.name)) {
      throw new RangeError(`xlsx: sheet name "${sheet.name}" must be 1–31 characters without []:*?/\\`);
    }
    if (names.has(sheet.name.toLowerCase()))
      throw new RangeError(`xlsx: sheet name "${sheet.name}" is used twice`);
    names.add(sheet.name.toLowerCase());
  }
  const entries = [
    { name: '[Content_Types].xml', data: utf8(contentTypes(sheets.length)) },
    { name: '_rels/.rels', data: utf8(rootRels()) },
    { name: 'xl/workbook.xml', data: utf8(workbook(sheets)) },
    { name: 'xl/_rels/workbook.xml.rels', data: utf8(workbookRels(sheets.length)) },
    { name: 'xl/styles.xml', data: utf8(styles()) },
    ...sheets.map((sheet, i) => ({
      name: `xl/worksheets/sheet${i + 1}.xml`,
      data: worksheet(sheet, offsetMinutes),
    })),
  ];
  return zip(entries);
}

function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** A column's letters: 0 → A, 25 → Z, 26 → AA. */
export function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}

function worksheet(sheet: XlsxSheet, offsetMinutes: number): Buffer {
  const columns = sheet.header.length;
  if (columns > XLSX_MAX_COLUMNS) {
    throw new RangeError(
      `xlsx: sheet "${sheet.name}" has ${columns} columns, Excel allows ${XLSX_MAX_COLUMNS}`,
    );
  }
  const sample: (readonly XlsxCell[])[] = [];
  // Rows are turned into bytes a thousand at a time: one string of a whole large sheet costs far
  // more in garbage collection than the XML itself.
  const chunks: Buffer[] = [];
  let pending: string[] = [row(1, sheet.header, STYLE_HEADER, offsetMinutes, sheet.name)];
  let r = 1;
  for (const cells of sheet.rows) {
    r += 1;
    if (r > XLSX_MAX_ROWS) {
      throw new RangeError(`xlsx: sheet "${sheet.name}" has more than ${XLSX_MAX_ROWS} rows, Excel's limit`);
    }
    if (sample.length < 200) sample.push(cells);
    pending.push(row(r, cells, undefined, offsetMinutes, sheet.name));
    if (pending.length === 1000) {
      chunks.push(Buffer.from(pending.join(''), 'utf8'));
      pending = [];
    }
  }
  chunks.push(Buffer.from(`${pending.join('')}</sheetData></worksheet>`, 'utf8'));
  const widths = sheet.widths ?? guessWidths(sheet.header, sample);
  const cols =
    widths.length === 0
      ? ''
      : `<cols>${widths
          .map(
            (w, i) =>
              `<col min="${i + 1}" max="${i + 1}" width="${Math.min(Math.max(w, 4), 80)}" customWidth="1"/>`,
          )
          .join('')}</cols>`;
  const head =
    `${XML_HEAD}<worksheet xmlns="${NS}" xmlns:r="${NS_R}">` +
    '<sheetViews><sheetView workbookViewId="0">' +
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
    '</sheetView></sheetViews>' +
    `${cols}<sheetData>`;
  return Buffer.concat([Buffer.from(head, 'utf8'), ...chunks]);
}

function row(
  r: number,
  cells: readonly XlsxCell[],
  style: number | undefined,
  offsetMinutes: number,
  sheet: string,
): string {
  let xml = `<row r="${r}">`;
  cells.forEach((cell, c) => {
    xml += cellXml(`${columnName(c)}${r}`, cell, style, offsetMinutes, sheet);
  });
  return `${xml}</row>`;
}

function cellXml(
  ref: string,
  cell: XlsxCell,
  style: number | undefined,
  offsetMinutes: number,
  sheet: string,
): string {
  const s = style === undefined ? '' : ` s="${style}"`;
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? `<c r="${ref}"${s}><v>${cell}</v></c>` : '';
  if (typeof cell === 'boolean') return `<c r="${ref}"${s} t="b"><v>${cell ? 1 : 0}</v></c>`;
  if (cell instanceof Date) {
    const ms = cell.getTime();
    if (!Number.isFinite(ms)) return '';
    const serial = (ms + offsetMinutes * 60_000) / DAY_MS + EXCEL_UNIX_EPOCH_DAYS;
    return `<c r="${ref}" s="${style ?? STYLE_TIME}"><v>${serial}</v></c>`;
  }
  if (cell.length > XLSX_MAX_CELL_CHARS) {
    throw new RangeError(
      `xlsx: cell ${ref} of sheet "${sheet}" has ${cell.length} characters, Excel allows ${XLSX_MAX_CELL_CHARS}`,
    );
  }
  const space = /^\s|\s$/.test(cell) ? ' xml:space="preserve"' : '';
  return `<c r="${ref}"${s} t="inlineStr"><is><t${space}>${escapeXml(cell)}</t></is></c>`;
}

// Characters XML 1.0 cannot carry: C0 controls except tab/LF/CR, U+FFFE/U+FFFF, lone surrogates.
// Matching control characters is the point of these two expressions.
/* eslint-disable no-control-regex */
const NOT_XML =
  /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const NEEDS_ESCAPE = /[&<>"\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;
/* eslint-enable no-control-regex */

export function escapeXml(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text
    .replace(NOT_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function guessWidths(header: readonly string[], sample: readonly (readonly XlsxCell[])[]): number[] {
  return header.map((h, c) => {
    let w = displayWidth(h);
    for (const cells of sample) {
      const cell = cells[c];
      const text =
        cell instanceof Date
          ? '2026-01-01 00:00:00'
          : cell === null || cell === undefined
            ? ''
            : String(cell);
      w = Math.max(w, displayWidth(text));
    }
    return w + 2;
  });
}

/** Width in Excel character units: CJK and other wide characters take two. */
function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text)
    w += /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/.test(
      ch,
    )
      ? 2
      : 1;
  return w;
}

function contentTypes(sheetCount: number): string {
  const sheets = Array.from(
    { length: sheetCount },
    (_, i) =>
      `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
  ).join('');
  return (
    `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
    `${sheets}</Types>`
  );
}

function rootRels(): string {
  return (
    `${XML_HEAD}<Relationships xmlns="${NS_PKG_R}">` +
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
    '</Relationships>'
  );
}

function workbook(sheets: readonly XlsxSheet[]): string {
  const list = sheets
    .map((s, i) => `<sheet name="${escapeXml(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
    .join('');
  return `${XML_HEAD}<workbook xmlns="${NS}" xmlns:r="${NS_R}"><sheets>${list}</sheets></workbook>`;
}

function workbookRels(sheetCount: number): string {
  const sheets = Array.from(
    { length: sheetCount },
    (_, i) =>
      `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
  ).join('');
  return (
    `${XML_HEAD}<Relationships xmlns="${NS_PKG_R}">${sheets}` +
    `<Relationship Id="rId${sheetCount + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
    '</Relationships>'
  );
}

function styles(): string {
  return (
    `${XML_HEAD}<styleSheet xmlns="${NS}">` +
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>' +
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>' +
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
    '<cellXfs count="3">' +
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
    '</cellXfs>' +
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
    '</styleSheet>'
  );
}
