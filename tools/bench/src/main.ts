#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { runBench } from './commands.js';

/**
 * Process entry of the benchmarks (`npm run bench -- <benchmark> …`): owns argv, the environment
 * and the root logger, as services/cli's main.ts does for `hazardwatch`. Ctrl-C ends a benchmark at
 * once: it has nothing to drain, and embedded servers stop with the process (their keeper watches
 * a pipe from it).
 */
const argv = process.argv.slice(2);
const { positionals, values } = parseArgs({
  args: argv,
  allowPositionals: true,
  strict: false,
  // Declared, so `--log-level debug` takes its value (not a positional); runBench checks the rest.
  options: { 'log-level': { type: 'string' } },
});
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const level =
  typeof values['log-level'] === 'string' ? values['log-level'] : (process.env['LOG_LEVEL'] ?? 'info');
if (!LOG_LEVELS.includes(level)) {
  process.stderr.write(
    `bench: log level (--log-level or LOG_LEVEL) must be one of ${LOG_LEVELS.join(', ')}, not '${level}'\n`,
  );
  process.exit(2);
}
const logger = pino({ level });

runBench(positionals[0], argv, {
  env: process.env,
  logger,
  stdout: process.stdout,
  stderr: process.stderr,
}).then(
  (code) => {
    process.exitCode = code;
    // Open handles (load generators' sockets, embedded servers' children) must not keep a
    // finished benchmark alive.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (error: unknown) => {
    logger.fatal({ err: error }, 'benchmark failed');
    const e = error as Error & { code?: unknown };
    const what = error instanceof Error ? e.message : String(error);
    process.stderr.write(
      `bench: ${positionals[0] ?? ''} failed: ${typeof e.code === 'string' ? `${what} [${e.code}]` : what}\n`,
    );
    process.exit(1);
  },
);
