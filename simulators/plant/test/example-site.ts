import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

const ORIGINAL_CHLOR_ALKALI = '91320623MA1W000001';
const ORIGINAL_FINE_CHEM = '91320623MA1W000002';
const run = randomBytes(3).toString('hex').toUpperCase();

/**
 * The platform's example site file, read as text (a file, not an import of another package),
 * with enterprise codes unique to this test run: tests on a shared broker (the scenario
 * verification plays the same site) must never receive each other's telemetry.
 */
export const CHLOR_ALKALI = `91320623T${run}01`.slice(0, 18);
export const FINE_CHEM = `91320623T${run}02`.slice(0, 18);
export const EXAMPLE_SITE_YAML = readFileSync(
  new URL('../../../services/core/examples/site.example.yaml', import.meta.url),
  'utf8',
)
  .replaceAll(ORIGINAL_CHLOR_ALKALI, CHLOR_ALKALI)
  .replaceAll(ORIGINAL_FINE_CHEM, FINE_CHEM);
