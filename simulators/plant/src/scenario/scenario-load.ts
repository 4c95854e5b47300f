/**
 * Loads a scenario file with its site: a site file path is resolved relative to the scenario
 * file; `generate:` builds one with the site generator (seeded by the scenario seed unless it
 * gives its own). The site document is returned too, so a caller can import the very same site
 * into the system under test before running.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSite } from '../site-gen/generate-site.js';
import { simulatedSiteFrom, loadSimulatedSite, type SimulatedSite } from '../site-points.js';
import { parse as parseYaml } from 'yaml';
import { parseScenario } from './scenario-parse.js';
import type { Scenario } from './scenario-schema.js';

/** The scenario library shipped with this package (`simulators/plant/scenarios/`). */
export const SHIPPED_SCENARIOS_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** Absolute paths of the shipped scenarios, in name order (for `sim verify --all`). */
export async function listShippedScenarios(): Promise<string[]> {
  const names = (await readdir(SHIPPED_SCENARIOS_DIR)).filter((f) => f.endsWith('.yaml')).sort();
  return names.map((f) => join(SHIPPED_SCENARIOS_DIR, f));
}

export interface LoadedScenario {
  readonly file: string;
  readonly scenario: Scenario;
  readonly site: SimulatedSite;
  /** The site document (parsed file or generated object), YAML-serialisable. */
  readonly siteDocument: unknown;
  /** Absolute path of the site file, when the scenario names one. */
  readonly siteFile: string | undefined;
}

/** @throws SimulatorError HW_SIM_SCENARIO_PARSE / HW_SIM_SCENARIO_INVALID / HW_SIM_SITE_* */
export async function loadScenarioFile(file: string): Promise<LoadedScenario> {
  const path = resolve(file);
  const scenario = parseScenario(await readFile(path, 'utf8'), path);
  if (typeof scenario.site === 'string') {
    const siteFile = resolve(dirname(path), scenario.site);
    const text = await readFile(siteFile, 'utf8');
    return {
      file: path,
      scenario,
      site: loadSimulatedSite(text),
      siteDocument: parseYaml(text) as unknown,
      siteFile,
    };
  }
  return { file: path, ...withGeneratedSite(scenario), siteFile: undefined };
}

/** A scenario whose site is generated (no file system). */
export function withGeneratedSite(scenario: Scenario): Omit<LoadedScenario, 'file' | 'siteFile'> {
  if (typeof scenario.site === 'string') throw new TypeError('scenario names a site file');
  const g = scenario.site.generate;
  const siteDocument = generateSite({ ...g, seed: g.seed ?? scenario.seed });
  return { scenario, site: simulatedSiteFrom(siteDocument), siteDocument };
}
