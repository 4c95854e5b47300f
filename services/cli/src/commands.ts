import type { Logger } from 'pino';
import { ConfigError } from './config.js';
import { InputError, UsageError } from './errors.js';
import { apiCommand } from './api-command.js';
import {
  alarmKpiCommand,
  demoCommand,
  ingestCommand,
  migrateCommand,
  serveCommand,
} from './commands-service.js';
import { checkSiteFile, formatIssue, siteSchemaText } from './commands-site.js';
import { simCommand } from './commands-sim.js';
import { tlsCommand } from './commands-tls.js';
import { userCommand } from './commands-user.js';
import type { SecretSource } from './secret-input.js';
import { hostOption, numberOption, parseCommandArgs } from './command-args.js';
import { loadCommandInput } from './command-input.js';

export interface CommandContext {
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly stdout: NodeJS.WritableStream;
  /** Where a usage problem is reported. @default stdout */
  readonly stderr?: NodeJS.WritableStream;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  readonly stopSignal: Promise<string>;
  /** Standard input (`user create` reads the password from it). */
  readonly stdin?: SecretSource;
}

const USAGE = `usage: hazardwatch <command> [options]

commands:
  demo [--port N] [--host ADDRESS] [--reset]
                          embedded database and broker, example site, simulated fleet, ingest;
                          on 127.0.0.1 unless --host (0.0.0.0: every interface, logins public)
  migrate                 create or upgrade the database schema (idempotent)
  ingest                  run the MQTT ingestion service (with the alarm engine): a leased worker
                          sharing the 64 partitions with every other (failover), or one worker
                          with HW_INGEST_PARTITIONS=single or HW_INGEST_ENTERPRISES
  serve                   ingestion, alarm engine and the REST API in one process (HW_API_PORT)
  api                     the REST API and live push alone (HW_API_PORT), beside ingest workers;
                          alarm and 预警 actions are forwarded to the worker owning the enterprise
  edge --config FILE      edge collector on a plant gateway: OPC-UA / Modbus TCP / MQTT sources →
                          disk spool → MQTT uplink (docs/edge-collector.md)
  edge trust-server --config FILE [--source NAME] [--fingerprint HEX]
                          trust the plant OPC-UA server certificate the source refused (moved from
                          its PKI's rejected/ to trusted/; --fingerprint picks one of several)
  user create --role admin|regulator|viewer|operator|safety_manager --username NAME
              [--scope CODE | --region CODE | --enterprise CODE]
                          create a user (the first admin): the password is read from stdin, or
                          prompted without echo on a terminal; a regulator's or viewer's region
                          code, an operator's or safety manager's enterprise code
  alarms kpi [--hours H] [--enterprise CODE]
                          ISA-18.2 alarm KPIs (rates, floods, chattering, stale, priority mix);
                          exit code 3 when a KPI alert fires
  sim generate-site [--cities N] [--enterprises N] [--points N] [--seed S] [--out FILE]
                          write a realistic site file (regions, enterprises, hazards, points)
  sim run SCENARIO [--fast]
                          play a scenario over MQTT against a running system (MQTT_URL)
  sim verify (SCENARIO… | --all) [--fast]
                          play scenarios against a system started for each and check their
                          expected and forbidden alarms; exit 1 on any failure
  tls dev-ca --out DIR [--name HOST]… [--client NAME] [--force]
                          a development CA and a broker TLS certificate (localhost, 127.0.0.1
                          and each --name), optionally a client certificate (docs/broker.md)
  site check FILE         validate a site file (YAML/JSON): errors name the point and rule
  site schema             print the site file's JSON Schema

environment: DATABASE_URL, MQTT_URL, LOG_LEVEL, HW_CONFIG_FILE, HW_DATA_DIR, HW_SITE_FILE, ...
(with no DATABASE_URL / MQTT_URL, embedded PostgreSQL and an in-process broker are started where
installed: a source checkout after npm ci, not the production image)`;

export async function runCommand(
  positionals: readonly string[],
  argv: readonly string[],
  ctx: CommandContext,
): Promise<number> {
  const [command, sub] = positionals;
  if (argv.includes('--help') || argv.includes('-h')) {
    ctx.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    switch (command) {
      case 'demo': {
        const { values } = parseCommandArgs({
          args: argv.slice(argv.indexOf('demo') + 1),
          options: {
            port: { type: 'string', default: '8080' },
            host: { type: 'string', default: '127.0.0.1' },
            reset: { type: 'boolean', default: false },
            'log-level': { type: 'string' },
          },
          strict: true,
        });
        return await demoCommand(ctx, {
          port: numberOption('port', values.port, { min: 0, max: 65535 }),
          host: hostOption(values.host),
          reset: values.reset,
        });
      }
      case 'migrate':
        noOptions(argv, command);
        return await migrateCommand(ctx);
      case 'ingest':
        noOptions(argv, command);
        return await ingestCommand(ctx);
      case 'serve':
        noOptions(argv, command);
        return await serveCommand(ctx);
      case 'api':
        noOptions(argv, command);
        return await apiCommand(ctx);
      case 'edge':
        // node-opcua only where OPC-UA is used (see demoCommand).
        return await (
          await import('./commands-edge.js')
        ).edgeCommand(argv.slice(argv.indexOf('edge') + 1), ctx);
      case 'alarms':
        if (sub === 'kpi') {
          const { values } = parseCommandArgs({
            args: argv.slice(argv.indexOf('kpi') + 1),
            options: {
              hours: { type: 'string', default: '24' },
              enterprise: { type: 'string' },
              'log-level': { type: 'string' },
            },
            strict: true,
          });
          return await alarmKpiCommand(ctx, {
            hours: numberOption('hours', values.hours, { min: 1 }),
            ...(values.enterprise !== undefined ? { enterprise: values.enterprise } : {}),
          });
        }
        break;
      case 'user':
        return await userCommand(sub, argv.slice(argv.indexOf(sub ?? 'user') + 1), ctx);
      case 'tls':
        return tlsCommand(sub, argv.slice(argv.indexOf(sub ?? 'tls') + 1), ctx);
      case 'sim':
        return await simCommand(sub, argv.slice(argv.indexOf(sub ?? 'sim') + 1), ctx);
      case 'site':
        if (sub === 'schema') {
          ctx.stdout.write(siteSchemaText());
          return 0;
        }
        if (sub === 'check') {
          const { positionals: files } = parseCommandArgs({
            args: argv.slice(argv.indexOf('check') + 1),
            options: { 'log-level': { type: 'string' } },
            allowPositionals: true,
            strict: true,
          });
          if (files.length !== 1) throw new UsageError('site check takes one site file');
          const file = files[0]!;
          const report = await loadCommandInput(file, (f) => checkSiteFile(f, Date.now()));
          for (const e of report.errors) ctx.stdout.write(`${formatIssue('error', e)}\n`);
          for (const d of report.defects) ctx.stdout.write(`${formatIssue('defect', d)}\n`);
          ctx.stdout.write(
            `${report.ok ? 'valid' : 'invalid'}: ${report.points} points, ${report.errors.length} errors, ${report.defects.length} defects\n`,
          );
          return report.ok ? 0 : 1;
        }
        break;
      case 'bench':
        // The benchmarks are a private workspace (tools/bench), not shipped in the image.
        (ctx.stderr ?? ctx.stdout).write(
          'hazardwatch: benchmarks are not part of this command: from a source checkout, `npm run bench -- <benchmark> …` (README "Development")\n',
        );
        return 2;
      default:
        break;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      ctx.logger.fatal({ problems: error.problems }, 'invalid configuration');
      return 2;
    }
    if (error instanceof UsageError) {
      (ctx.stderr ?? ctx.stdout).write(`hazardwatch: ${error.problem}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof InputError) {
      (ctx.stderr ?? ctx.stdout).write(`hazardwatch: ${error.problem}\n`);
      return 2;
    }
    throw error;
  }
  ctx.stdout.write(`${USAGE}\n`);
  return command === undefined || command === 'help' ? 0 : 2;
}

/**
 * Commands configured by the environment alone (docs/operations.md): anything after them but
 * `--log-level` is a mistake to report, not to ignore while a service starts.
 */
function noOptions(argv: readonly string[], command: string): void {
  parseCommandArgs({
    args: argv.slice(argv.indexOf(command) + 1),
    options: { 'log-level': { type: 'string' } },
    strict: true,
  });
}
