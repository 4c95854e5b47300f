#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { runCommand } from './commands.js';

/**
 * Process entry: owns argv, the environment, signals and the root logger; everything else is
 * built from validated configuration (STYLE.md rule 7).
 */
const { positionals, values } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  strict: false,
  // Declared, so `--log-level debug` takes its value (not a positional); the commands check the rest.
  options: { 'log-level': { type: 'string' } },
});
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const level =
  typeof values['log-level'] === 'string' ? values['log-level'] : (process.env['LOG_LEVEL'] ?? 'info');
if (!LOG_LEVELS.includes(level)) {
  process.stderr.write(
    `hazardwatch: log level (--log-level or LOG_LEVEL) must be one of ${LOG_LEVELS.join(', ')}, not '${level}'\n`,
  );
  process.exit(2);
}
const logger = pino({ level });

const stopSignal = new Promise<string>((resolve) => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal));
});

runCommand(positionals, process.argv.slice(2), {
  env: process.env,
  logger,
  stdout: process.stdout,
  stderr: process.stderr,
  stopSignal,
}).then(
  (code) => {
    process.exitCode = code;
    // Open handles (embedded servers' children are already stopped) must not keep a finished command alive.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (error: unknown) => {
    logger.fatal({ err: error }, 'command failed');
    process.exitCode = 1;
  },
);
