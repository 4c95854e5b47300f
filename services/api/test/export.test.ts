import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { excelSerialToDate, readXlsx, unzipEntries } from '@hazardwatch/testkit';
import { CSV_BOM, csvCell, csvTime, toCsv } from '../src/export/csv.js';
import { attachment, columnName, escapeXml, xlsxWorkbook, XLSX_MAX_CELL_CHARS } from '../src/export/xlsx.js';

describe('CSV export', () => {
  it('starts with a BOM, ends records with CRLF and quotes what needs quoting', () => {
    const csv = toCsv(
      ['位号', 'text'],
      [
        ['PT-101', 'a,b'],
        ['TT-2', 'say "hi"\nbye'],
      ],
    );
    expect(csv.startsWith(CSV_BOM)).toBe(true);
    expect(csv.slice(1)).toBe('位号,text\r\nPT-101,"a,b"\r\nTT-2,"say ""hi""\nbye"\r\n');
  });

  it('defuses text a spreadsheet would run as a formula, but keeps negative numbers numbers', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell(-5.2)).toBe('-5.2');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(null)).toBe('');
  });

  it('writes times in China time with the offset', () => {
    expect(csvTime(new Date('2026-12-06T16:00:00Z'))).toBe('2026-12-07T00:00:00.000+08:00');
    expect(csvTime(new Date('2026-12-06T16:00:00Z'), 0)).toBe('2026-12-06T16:00:00.000+00:00');
    expect(csvTime(new Date('2026-12-06T16:00:00Z'), -90)).toBe('2026-12-06T14:30:00.000-01:30');
  });
});

describe('xlsx export', () => {
  it('writes a workbook any reader of the format opens: names, header, text, numbers, times', () => {
    const at = new Date('2026-12-06T01:02:03Z');
    const buf = xlsxWorkbook([
      {
        name: '报警',
        header: ['时间', '位号', '值', '确认'],
        rows: [
          [at, 'PT-101 <&>', -1.25, true],
          [null, ' x ', 3],
        ],
      },
      { name: 'second', header: ['a'], rows: [] },
    ]);
    const files = unzipEntries(buf);
    expect([...files.keys()]).toContain('[Content_Types].xml');
    const [first, second] = readXlsx(buf);
    expect(first?.name).toBe('报警');
    expect(first?.rows[0]).toEqual(['时间', '位号', '值', '确认']);
    expect(first?.styles[0]).toEqual([2, 2, 2, 2]); // bold header
    expect(first?.rows[1]?.slice(1)).toEqual(['PT-101 <&>', -1.25, true]);
    expect(first?.styles[1]?.[0]).toBe(1); // date-time format
    expect(excelSerialToDate(first?.rows[1]?.[0] as number).toISOString()).toBe(at.toISOString());
    expect(first?.rows[2]).toEqual([null, ' x ', 3]);
    expect(second).toMatchObject({ name: 'second', rows: [['a']] });
  });

  it('round-trips any text, including characters XML cannot carry (written as U+FFFD)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const [sheet] = readXlsx(xlsxWorkbook([{ name: 's', header: ['h'], rows: [[text]] }]));
        const expected = text === '' ? text : escapeXmlRoundTrip(text);
        expect(sheet?.rows[1]?.[0] ?? '').toBe(expected);
      }),
      { numRuns: 60 },
    );
  }, 30_000);

  it('refuses what Excel would refuse, naming the limit', () => {
    expect(() => xlsxWorkbook([])).toThrow(/at least one sheet/);
    expect(() => xlsxWorkbook([{ name: 'a/b', header: [], rows: [] }])).toThrow(/sheet name/);
    expect(() => xlsxWorkbook([{ name: 'x'.repeat(32), header: [], rows: [] }])).toThrow(/1–31/);
    expect(() =>
      xlsxWorkbook([
        { name: 'A', header: [], rows: [] },
        { name: 'a', header: [], rows: [] },
      ]),
    ).toThrow(/used twice/);
    expect(() =>
      xlsxWorkbook([{ name: 's', header: ['h'], rows: [['x'.repeat(XLSX_MAX_CELL_CHARS + 1)]] }]),
    ).toThrow(/32767/);
  });

  it('names columns as Excel does', () => {
    expect([0, 25, 26, 27, 51, 52, 701, 702, 16_383].map(columnName)).toEqual([
      'A',
      'Z',
      'AA',
      'AB',
      'AZ',
      'BA',
      'ZZ',
      'AAA',
      'XFD',
    ]);
  });

  it('gives a download name that survives any browser, Chinese included', () => {
    expect(attachment('报警日志 2026-12-06.xlsx')).toBe(
      `attachment; filename="____ 2026-12-06.xlsx"; filename*=UTF-8''%E6%8A%A5%E8%AD%A6%E6%97%A5%E5%BF%97%202026-12-06.xlsx`,
    );
  });
});

/** What a string reads back as: XML-illegal characters become U+FFFD, everything else unchanged. */
function escapeXmlRoundTrip(text: string): string {
  return escapeXml(text)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}
