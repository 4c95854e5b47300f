import { parseArgs } from 'node:util';

/** pino's levels, and `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export type EntryArgs =
  | { readonly ok: true; readonly positionals: string[]; readonly level: string }
  | { readonly ok: false; readonly problem: string };

/**
 * What a process entry (`hazardwatch`, the benchmarks) reads before anything else: the
 * positionals and the root logger's level (`--log-level`, else LOG_LEVEL, else `info`). The
 * entry owns argv and the environment and hands them in; a command checks its own options.
 */
export function parseEntryArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): EntryArgs {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: false,
    // Declared, so `--log-level debug` takes its value (not a positional); the commands check the rest.
    options: { 'log-level': { type: 'string' } },
  });
  const level = typeof values['log-level'] === 'string' ? values['log-level'] : (env['LOG_LEVEL'] ?? 'info');
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    return {
      ok: false,
      problem: `log level (--log-level or LOG_LEVEL) must be one of ${LOG_LEVELS.join(', ')}, not '${level}'`,
    };
  }
  return { ok: true, positionals, level };
}
