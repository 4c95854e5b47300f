/**
 * CSV for downloads that people open in Excel or WPS: RFC 4180 quoting, CRLF line ends and a
 * UTF-8 byte-order mark (without it Excel reads UTF-8 as the system code page and Chinese turns
 * into mojibake).
 *
 * A text cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, tab or
 * carriage return — OWASP "CSV injection") gets a leading apostrophe: enterprise, point and
 * reason texts come from users and devices, and must never become `=HYPERLINK(…)` on a duty
 * officer's machine. Numbers are written as numbers, so a negative reading stays `-5.2`.
 */

/** One cell: text, a number, a time (written as ISO 8601 with its offset, see `csvTime`), or empty. */
export type CsvCell = string | number | Date | null | undefined;

/** The byte-order mark that makes Excel read the file as UTF-8. Written once, first. */
export const CSV_BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * A time as ISO 8601 in a fixed offset (China time by default), e.g. `2026-12-06T08:00:00.000+08:00`:
 * a duty centre reads its own clock, and the offset keeps the value unambiguous.
 */
export function csvTime(at: Date, offsetMinutes = 480): string {
  const shifted = new Date(at.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${shifted.toISOString().slice(0, -1)}${sign}${hh}:${mm}`;
}

/** One cell as CSV text (quoted where needed, formula-looking text defused). */
export function csvCell(cell: CsvCell, offsetMinutes = 480): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  if (cell instanceof Date) return csvTime(cell, offsetMinutes);
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, CRLF-terminated. */
export function csvLine(cells: readonly CsvCell[], offsetMinutes = 480): string {
  return `${cells.map((c) => csvCell(c, offsetMinutes)).join(',')}\r\n`;
}

/**
 * The whole file as chunks — BOM and header first, then one chunk per row — for
 * `reply.send(Readable.from(csvChunks(...)))` so a large export streams instead of being built in
 * memory.
 */
export function* csvChunks(
  header: readonly string[],
  rows: Iterable<readonly CsvCell[]>,
  offsetMinutes = 480,
): Generator<string> {
  yield CSV_BOM + csvLine(header, offsetMinutes);
  for (const row of rows) yield csvLine(row, offsetMinutes);
}

/** The whole file as one string (small exports). */
export function toCsv(
  header: readonly string[],
  rows: Iterable<readonly CsvCell[]>,
  offsetMinutes = 480,
): string {
  let out = '';
  for (const chunk of csvChunks(header, rows, offsetMinutes)) out += chunk;
  return out;
}
