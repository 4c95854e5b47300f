import { writeFile } from 'node:fs/promises';
import {
  formatVerificationTable,
  generateSite,
  isSimulatorError,
  listShippedScenarios,
  loadScenarioFile,
  runScenario,
  siteToYaml,
} from '@hazardwatch/simulators';
import type { ServiceCommandContext } from './commands-service.js';
import { loadRuntimeConfig } from './config.js';
import { resolveInfrastructure } from './infrastructure.js';
import { verifyScenario } from './sim.js';
import { numberOption, parseCommandArgs } from './command-args.js';
import { loadCommandInput } from './command-input.js';
import { UsageError } from './errors.js';

/** `hazardwatch sim generate-site|run|verify …` — the hardware-in-the-loop tester's tools. */
export async function simCommand(
  sub: string | undefined,
  args: readonly string[],
  ctx: ServiceCommandContext,
): Promise<number> {
  switch (sub) {
    case 'generate-site':
      return generate(args, ctx);
    case 'run':
      return run(args, ctx);
    case 'verify':
      return verify(args, ctx);
    default:
      throw new UsageError(`sim needs generate-site, run or verify${sub ? `, not '${sub}'` : ''}`);
  }
}

async function generate(args: readonly string[], ctx: ServiceCommandContext): Promise<number> {
  const { values } = parseCommandArgs({
    args: [...args],
    options: {
      cities: { type: 'string', default: '3' },
      enterprises: { type: 'string', default: '40' },
      points: { type: 'string', default: '5000' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
      'log-level': { type: 'string' },
    },
    strict: true,
  });
  const shape = {
    cities: numberOption('cities', values.cities, { min: 1 }),
    enterprises: numberOption('enterprises', values.enterprises, { min: 1 }),
    points: numberOption('points', values.points, { min: 1 }),
    seed: numberOption('seed', values.seed, { min: 0 }),
  };
  let site;
  try {
    site = generateSite(shape);
  } catch (error) {
    // The generator's own limits (e.g. enough points for every enterprise) are usage problems too.
    if (isSimulatorError(error, 'HW_SIM_GENERATE_INVALID')) throw new UsageError(error.message);
    throw error;
  }
  const yaml = siteToYaml(site);
  if (values.out) await writeFile(values.out, yaml);
  else ctx.stdout.write(yaml);
  return 0;
}

/** Plays a scenario against a running system (MQTT_URL), real time unless --fast. */
async function run(args: readonly string[], ctx: ServiceCommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: [...args],
    options: { fast: { type: 'boolean', default: false }, 'log-level': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const file = positionals[0];
  const config = loadRuntimeConfig(ctx.env);
  if (!file || !config.mqtt.url) {
    ctx.stdout.write('usage: MQTT_URL=mqtt://… hazardwatch sim run <scenario.yaml> [--fast]\n');
    return 2;
  }
  const loaded = await loadCommandInput(file, loadScenarioFile);
  const abort = new AbortController();
  void ctx.stopSignal.then(() => abort.abort());
  const timeline = await runScenario(loaded, {
    mqttUrl: config.mqtt.url,
    mode: values.fast ? 'fast' : 'realtime',
    logger: ctx.logger,
    signal: abort.signal,
  });
  ctx.stdout.write(`${JSON.stringify(timeline)}\n`);
  return 0;
}

/**
 * Plays scenarios against a system started for each (a fresh database on the configured server,
 * or embedded PostgreSQL and broker when none is configured) and checks their expectations.
 * Prints a pass/fail table per scenario; exits 1 if any expectation failed.
 */
async function verify(args: readonly string[], ctx: ServiceCommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: [...args],
    options: {
      all: { type: 'boolean', default: false },
      fast: { type: 'boolean', default: false },
      'log-level': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const files = values.all ? await listShippedScenarios() : positionals;
  if (files.length === 0) {
    ctx.stdout.write('usage: hazardwatch sim verify (<scenario.yaml>… | --all) [--fast]\n');
    return 2;
  }
  // Every scenario is read and checked before any database or broker starts: a typo in the
  // third file's name is reported at once, not after the first two have played.
  const scenarios = [];
  for (const file of files) scenarios.push(await loadCommandInput(file, loadScenarioFile));
  const config = loadRuntimeConfig(ctx.env);
  const infra = await resolveInfrastructure(config, ctx.logger);
  let failed = 0;
  try {
    for (const loaded of scenarios) {
      const result = await verifyScenario(loaded, {
        adminDatabaseUrl: infra.databaseUrl,
        mqttUrl: infra.mqttUrl,
        mode: values.fast ? 'fast' : 'realtime',
        logger: ctx.logger,
        base: config,
      });
      ctx.stdout.write(`${formatVerificationTable(result.report)}\n\n`);
      if (!result.report.passed) failed++;
    }
  } finally {
    await infra.stop();
  }
  ctx.stdout.write(`${files.length - failed}/${files.length} scenarios passed\n`);
  return failed === 0 ? 0 : 1;
}
