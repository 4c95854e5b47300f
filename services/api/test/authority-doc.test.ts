import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUTHORITY_ACTIONS, authorityTableMarkdown, DEFAULT_AUTHORITY_TABLE } from '@hazardwatch/api';

const DOC = new URL('../../../docs/authority.md', import.meta.url);
const BEGIN = '<!-- authority-table:begin -->\n';
const END = '<!-- authority-table:end -->';

// Issue #19 item 1: docs/authority.md shows the table the API enforces by default, row for row.
describe('docs/authority.md', () => {
  const doc = readFileSync(DOC, 'utf8');

  it('holds the default authority table, rendered from the data (paste the expected text when it changed)', () => {
    const start = doc.indexOf(BEGIN);
    const end = doc.indexOf(END);
    expect(start, 'begin marker').toBeGreaterThanOrEqual(0);
    expect(end, 'end marker').toBeGreaterThan(start);
    expect(doc.slice(start + BEGIN.length, end)).toBe(authorityTableMarkdown(DEFAULT_AUTHORITY_TABLE));
  });

  it('has one row per action, each with a verdict for all seven roles', () => {
    const rows = authorityTableMarkdown(DEFAULT_AUTHORITY_TABLE).trim().split('\n').slice(2);
    expect(rows.map((r) => /^\| `([^`]+)`/.exec(r)?.[1])).toEqual([...AUTHORITY_ACTIONS]);
    for (const row of rows) expect(row.match(/\| (allow|refuse|approval) (?=\|)/g), row).toHaveLength(7);
  });
});
