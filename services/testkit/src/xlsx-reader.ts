import { inflateRawSync } from 'node:zlib';

/**
 * Reads what tests need from an .xlsx download: sheet names and each sheet's cells as text or
 * numbers. It follows the ZIP central directory (APPNOTE 6.3) and the workbook's relationships as
 * Excel does, so it reads any ordinary workbook (shared or inline strings, stored or deflated
 * parts) and not only the ones HazardWatch writes. Dates come back as their serial numbers.
 */
export interface XlsxReadSheet {
  readonly name: string;
  /** Rows in order; each row's cells by column index (missing cells are `null`). */
  readonly rows: readonly (readonly (string | number | boolean | null)[])[];
  /** Style index of each cell, parallel to `rows` (0 where none). */
  readonly styles: readonly (readonly number[])[];
}

export function unzipEntries(buf: Buffer): Map<string, Buffer> {
  let end = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('not a ZIP file: no end-of-central-directory record');
  const count = buf.readUInt16LE(end + 10);
  let p = buf.readUInt32LE(end + 16);
  const out = new Map<string, Buffer>();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory entry at ${p}`);
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(dataStart, dataStart + csize);
    if (method === 0) out.set(name, Buffer.from(raw));
    else if (method === 8) out.set(name, inflateRawSync(raw));
    else throw new Error(`${name}: compression method ${method} not supported`);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, '&');
}

function textOf(xml: string): string {
  return [...xml.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((m) => unescapeXml(m[1] ?? '')).join('');
}

function columnIndex(ref: string): number {
  const letters = /^[A-Z]+/.exec(ref)?.[0] ?? 'A';
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

export function readXlsx(buf: Buffer): XlsxReadSheet[] {
  const files = unzipEntries(buf);
  const get = (name: string): string => {
    const f = files.get(name);
    if (f === undefined) throw new Error(`workbook part ${name} is missing`);
    return f.toString('utf8');
  };
  const shared = files.has('xl/sharedStrings.xml')
    ? [...get('xl/sharedStrings.xml').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => textOf(m[1] ?? ''))
    : [];
  const rels = new Map<string, string>();
  for (const m of get('xl/_rels/workbook.xml.rels').matchAll(/<Relationship\b([^>]*)\/?>/g)) {
    const attrs = m[1] ?? '';
    const id = /\bId="([^"]+)"/.exec(attrs)?.[1];
    const target = /\bTarget="([^"]+)"/.exec(attrs)?.[1];
    if (id !== undefined && target !== undefined)
      rels.set(id, target.replace(/^\/?xl\//, '').replace(/^\//, ''));
  }
  const sheets: XlsxReadSheet[] = [];
  for (const m of get('xl/workbook.xml').matchAll(/<sheet\b([^>]*)\/>/g)) {
    const attrs = m[1] ?? '';
    const name = unescapeXml(/\bname="([^"]*)"/.exec(attrs)?.[1] ?? '');
    const rid = /\br:id="([^"]+)"/.exec(attrs)?.[1] ?? '';
    const target = rels.get(rid);
    if (target === undefined) throw new Error(`sheet ${name}: relationship ${rid} missing`);
    const xml = get(`xl/${target}`);
    const rows: (string | number | boolean | null)[][] = [];
    const styles: number[][] = [];
    for (const rm of xml.matchAll(/<row\b[^>]*?(?:\/>|>([\s\S]*?)<\/row>)/g)) {
      const row: (string | number | boolean | null)[] = [];
      const rowStyles: number[] = [];
      for (const cm of (rm[1] ?? '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
        const cattrs = cm[1] ?? '';
        const body = cm[2] ?? '';
        const ref = /\br="([A-Z]+\d+)"/.exec(cattrs)?.[1];
        const col = ref === undefined ? row.length : columnIndex(ref);
        const type = /\bt="([^"]+)"/.exec(cattrs)?.[1];
        const style = Number(/\bs="(\d+)"/.exec(cattrs)?.[1] ?? 0);
        const v = /<v>([\s\S]*?)<\/v>/.exec(body)?.[1];
        let value: string | number | boolean | null;
        if (type === 'inlineStr') value = textOf(body);
        else if (type === 's') value = shared[Number(v)] ?? null;
        else if (type === 'str') value = v === undefined ? null : unescapeXml(v);
        else if (type === 'b') value = v === '1';
        else value = v === undefined ? null : Number(v);
        while (row.length < col) {
          row.push(null);
          rowStyles.push(0);
        }
        row[col] = value;
        rowStyles[col] = style;
      }
      rows.push(row);
      styles.push(rowStyles);
    }
    sheets.push({ name, rows, styles });
  }
  return sheets;
}

/** An Excel date-time serial (1900 system) as the instant it means in the given offset. */
export function excelSerialToDate(serial: number, offsetMinutes = 480): Date {
  return new Date(Math.round((serial - 25_569) * 86_400_000 - offsetMinutes * 60_000));
}
