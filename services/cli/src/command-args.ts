import { isIP } from 'node:net';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

/**
 * `parseArgs` whose complaints — an unknown option, a missing value, a stray argument — become a
 * UsageError naming the offender, never a stack trace.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      throw new UsageError((error as Error).message);
    }
    throw error;
  }
}

/**
 * Longest `--duration` a benchmark accepts, seconds (a day): beyond 2^31 ms Node's timers fire at
 * once, so a typo of a few digits would end the run immediately instead of running for ages.
 */
export const MAX_DURATION_S = 86_400;

export interface NumberOptionRule {
  /** Smallest value accepted. @default 0 */
  readonly min?: number;
  /** Largest value accepted. @default Number.MAX_SAFE_INTEGER */
  readonly max?: number;
  /** Whole numbers only. @default true */
  readonly integer?: boolean;
}

/**
 * The number given as `--name`: a UsageError naming the option and the text when it is not a
 * number in range (`Number('')` is 0 and `Number('abc')` NaN — neither may reach a benchmark).
 */
export function numberOption(name: string, text: string, rule: NumberOptionRule = {}): number {
  const min = rule.min ?? 0;
  const max = rule.max ?? Number.MAX_SAFE_INTEGER;
  const integer = rule.integer ?? true;
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    const kind = integer ? 'a whole number' : 'a number';
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`--${name} must be ${kind} ${range}, not '${text}'`);
  }
  return value;
}

/**
 * A `--host` listen address: an IPv4 or IPv6 address, or `localhost`. Names other than localhost
 * are refused (a listen address must be this machine's; a typo must not reach `listen`).
 */
export function hostOption(text: string): string {
  if (text === 'localhost' || isIP(text) !== 0) return text;
  throw new UsageError(
    `--host must be an IP address of this machine (127.0.0.1, 0.0.0.0, ::), not '${text}'`,
  );
}
