#!/usr/bin/env node
import { pino } from 'pino';
import { runCommand } from './commands.js';
import { parseEntryArgs } from './entry-args.js';

/**
 * Process entry: owns argv, the environment, signals and the root logger; everything else is
 * built from validated configuration (STYLE.md rule 7).
 */
const entry = parseEntryArgs(process.argv.slice(2), process.env);
if (!entry.ok) {
  process.stderr.write(`hazardwatch: ${entry.problem}\n`);
  process.exit(2);
}
const { positionals, level } = entry;
const logger = pino({ level });

const command = positionals[0] ?? 'help';
/** From the first SIGINT/SIGTERM to the end of the process, at most (issue #16: Ctrl-C ends within 15 s). */
const SHUTDOWN_LIMIT_MS = 15_000;
/** A shell's exit status for a process ended by the signal. */
const SIGNAL_STATUS = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * The first SIGINT (Ctrl-C) or SIGTERM asks the command to stop: a service drains what it has
 * received, stores it, then stops its servers. A second one, or a shutdown still running after
 * SHUTDOWN_LIMIT_MS, ends the process at once with a non-zero status and says so. Child servers
 * (embedded PostgreSQL) are in their own process group, so Ctrl-C reaches this process only; they
 * stop when it has drained, or when it ends (their keeper watches a pipe from it).
 */
let stopping: string | undefined;
const stopSignal = new Promise<string>((resolve) => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      if (stopping === undefined) {
        stopping = signal;
        process.stderr.write(`hazardwatch: ${signal}: stopping (${signal} again forces the exit)\n`);
        setTimeout(() => {
          process.stderr.write(
            `hazardwatch: the shutdown did not finish within ${SHUTDOWN_LIMIT_MS / 1000} s: exiting without finishing it\n`,
          );
          process.exit(1);
        }, SHUTDOWN_LIMIT_MS).unref();
        resolve(signal);
        return;
      }
      process.stderr.write(
        `hazardwatch: second ${signal}: exiting without finishing the shutdown (what was not yet stored may be lost)\n`,
      );
      process.exit(SIGNAL_STATUS[signal]);
    });
});

runCommand(positionals, process.argv.slice(2), {
  env: process.env,
  logger,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  stopSignal,
}).then(
  (code) => {
    process.exitCode = code;
    // Open handles (embedded servers' children are already stopped) must not keep a finished command alive.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (error: unknown) => {
    logger.fatal({ err: error }, 'command failed');
    process.stderr.write(`hazardwatch: ${command} failed: ${describeFailure(error)}\n`);
    // What the command started it stopped on the way out; a handle a library left open (a timer,
    // a socket) must not keep a failed command running.
    process.exit(1);
  },
);

/** One line a user can act on: what failed, with its code. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const e = error as Error & { code?: unknown; port?: unknown };
  if (e.code === 'EADDRINUSE' && typeof e.port === 'number')
    return `port ${e.port} is already in use (${e.message})`;
  return typeof e.code === 'string' ? `${e.message} [${e.code}]` : e.message;
}
