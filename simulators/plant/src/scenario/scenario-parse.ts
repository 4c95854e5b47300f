/**
 * Parses and checks a scenario document (scenario-schema.ts) on its own: structure, unknown keys
 * named, unique incident and expectation ids, expectations that refer to known incidents.
 * Checks against the site (tags, gateways) are scenario-bind.ts's job, once the site is loaded.
 */
import type { TSchema } from '@sinclair/typebox';
import { parse as parseYaml } from 'yaml';
import { SimulatorError } from '../errors.js';
import {
  EXPECTATION_SCHEMAS,
  INCIDENT_SCHEMAS,
  ScenarioHeadSchema,
  type Expectation,
  type Incident,
  type Scenario,
} from './scenario-schema.js';
import { schemaIssues } from './schema-issues.js';

/**
 * @param file shown in messages
 * @throws SimulatorError HW_SIM_SCENARIO_PARSE or HW_SIM_SCENARIO_INVALID (every problem listed)
 */
export function parseScenario(text: string, file = '<scenario>'): Scenario {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new SimulatorError(
      'HW_SIM_SCENARIO_PARSE',
      { file, reason: err instanceof Error ? err.message : String(err) },
      { cause: err },
    );
  }
  return checkScenario(doc, file);
}

/** Checks an already parsed document. @throws SimulatorError HW_SIM_SCENARIO_INVALID */
export function checkScenario(doc: unknown, file = '<scenario>'): Scenario {
  const issues = schemaIssues(ScenarioHeadSchema, doc);
  if (issues.length > 0) throw invalid(file, issues);
  const head = doc as { timeline: unknown[]; expectations: unknown[] } & Omit<
    Scenario,
    'timeline' | 'expectations'
  >;

  const timeline = head.timeline.map((item, i) =>
    byType<Incident>(INCIDENT_SCHEMAS, item, `/timeline/${i}`, issues),
  );
  const expectations = head.expectations.map((item, i) =>
    byType<Expectation>(EXPECTATION_SCHEMAS, item, `/expectations/${i}`, issues),
  );
  if (issues.length > 0) throw invalid(file, issues);

  const incidents = new Set<string>();
  (timeline as Incident[]).forEach((inc, i) => {
    if (incidents.has(inc.id)) issues.push(`/timeline/${i}/id: duplicate incident id "${inc.id}"`);
    incidents.add(inc.id);
    if (inc.atSec >= head.durationSec) issues.push(`/timeline/${i}/atSec: starts after the scenario ends`);
  });
  const ids = new Set<string>();
  (expectations as Expectation[]).forEach((exp, i) => {
    if (ids.has(exp.id)) issues.push(`/expectations/${i}/id: duplicate expectation id "${exp.id}"`);
    ids.add(exp.id);
    if (exp.after !== undefined && !incidents.has(exp.after)) {
      issues.push(`/expectations/${i}/after: no incident "${exp.after}" in the timeline`);
    }
    if (exp.type === 'alarm') {
      for (const key of ['enterprise', 'tag', 'condition'] as const) {
        if (exp.alarm[key] === undefined)
          issues.push(`/expectations/${i}/alarm/${key}: required for an alarm expectation`);
      }
    }
  });
  if (issues.length > 0) throw invalid(file, issues);

  return Object.freeze({
    ...head,
    tickSec: head.tickSec ?? 1,
    startHour: head.startHour ?? 10,
    sampleJitterMs: head.sampleJitterMs ?? 150,
    heartbeatEverySec: head.heartbeatEverySec ?? 30,
    graceSec: head.graceSec ?? 30,
    plant: head.plant ?? [],
    timeline: timeline as Incident[],
    expectations: expectations as Expectation[],
  });
}

function byType<T>(
  schemas: Readonly<Record<string, TSchema>>,
  item: unknown,
  at: string,
  issues: string[],
): T | undefined {
  const type = (item as { type?: unknown } | null)?.type;
  const schema = typeof type === 'string' ? schemas[type] : undefined;
  if (schema === undefined) {
    issues.push(`${at}/type: must be one of ${Object.keys(schemas).join(', ')}`);
    return undefined;
  }
  issues.push(...schemaIssues(schema, item, at));
  return item as T;
}

function invalid(file: string, issues: string[]): SimulatorError<'HW_SIM_SCENARIO_INVALID'> {
  return new SimulatorError('HW_SIM_SCENARIO_INVALID', { file, count: issues.length, issues });
}
