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
});
const logger = pino({ level: typeof values['log-level'] === 'string' ? values['log-level'] : (process.env['LOG_LEVEL'] ?? 'info') });

runCommand(positionals, process.argv.slice(2), { env: process.env, logger, stdout: process.stdout }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    logger.fatal({ err: error }, 'command failed');
    process.exitCode = 1;
  },
);
