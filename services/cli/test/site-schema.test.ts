import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkSiteFile, siteSchemaText } from 'hazardwatch';

const root = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

describe('site file tooling', () => {
  it('docs/site-file.schema.json is the schema the code validates with (regenerate: npm run docs:schema)', () => {
    expect(readFileSync(root('docs/site-file.schema.json'), 'utf8')).toBe(siteSchemaText());
  });

  it('the example site validates without errors or defects', async () => {
    const report = await checkSiteFile(
      root('services/core/examples/site.example.yaml'),
      Date.UTC(2026, 0, 1),
    );
    expect(report).toMatchObject({ ok: true, errors: [], defects: [] });
    expect(report.points).toBeGreaterThan(10);
  });
});
