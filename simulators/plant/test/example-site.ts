import { readFileSync } from 'node:fs';

/** The platform's example site file, read as text (a file, not an import of another package). */
export const EXAMPLE_SITE_YAML = readFileSync(
  new URL('../../../services/core/examples/site.example.yaml', import.meta.url),
  'utf8',
);

export const CHLOR_ALKALI = '91320623MA1W000001';
export const FINE_CHEM = '91320623MA1W000002';
