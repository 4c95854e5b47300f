#!/usr/bin/env node
import { pino } from 'pino';
import { parseEntryArgs } from 'hazardwatch';
import { runBench } from './commands.js';

/**
 * Process entry of the benchmarks (`npm run bench -- <benchmark> …`): owns argv, the environment
 * and the root logger, as services/cli's main.ts does for `hazardwatch`. Ctrl-C ends a benchmark at
 * once: it has nothing to drain, and embedded servers stop with the process (their keeper watches
 * a pipe from it).
 */
const argv = process.argv.slice(2);
const entry = parseEntryArgs(argv, process.env);
if (!entry.ok) {
  process.stderr.write(`bench: ${entry.problem}\n`);
  process.exit(2);
}
const { positionals, level } = entry;
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
