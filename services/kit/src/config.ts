/**
 * Configuration read once (STYLE rule 5): validated against a TypeBox schema that gives type and
 * check together, defaults applied, unknown keys refused by name, the result deeply frozen and
 * passed down.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export type ConfigResult<T> = { ok: true; value: T } | { ok: false; errors: string[] };

export interface ConfigOptions {
  /**
   * Where this object sits in a larger configuration ('ingest', 'alarms.colours'): every problem
   * names the full key, so callers never re-prefix messages by matching their text.
   */
  readonly path?: string;
}

/** One schema problem, keyed by its dotted path. */
export interface SchemaProblem {
  /** Dotted key ('mqtt.url', 'sources.0.kind'); the `path` option's prefix included; '(root)' for the value itself. */
  readonly key: string;
  /** 'unknown key mqtt.foo' or 'mqtt.url: Expected string'. */
  readonly message: string;
}

/**
 * Every problem `value` has against `schema`, deduplicated, in TypeBox's order — without applying
 * defaults or freezing, for callers that validate documents rather than configuration.
 */
export function schemaProblems(
  schema: TSchema,
  value: unknown,
  options: ConfigOptions = {},
): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, value)) {
    const key = joinKey(options.path, error.path.replace(/^\//, '').replaceAll('/', '.'));
    // TypeBox reports an unknown key at its own path ("Unexpected property").
    const message =
      error.message === 'Unexpected property' ? `unknown key ${key}` : `${key}: ${error.message}`;
    if (seen.has(message)) continue;
    seen.add(message);
    problems.push({ key, message });
  }
  return problems;
}

/** Validate, default and freeze a configuration object. */
export function parseConfig<S extends TSchema>(
  schema: S,
  input: unknown,
  options: ConfigOptions = {},
): ConfigResult<Static<S>> {
  const candidate: unknown = Value.Default(schema, Value.Clone(input ?? {}));
  if (Value.Check(schema, candidate)) return { ok: true, value: deepFreeze(candidate) };
  return { ok: false, errors: schemaProblems(schema, candidate, options).map((p) => p.message) };
}

/** Freeze `value` and everything reachable from it; returns `value`. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function joinKey(prefix: string | undefined, key: string): string {
  if (prefix === undefined || prefix === '') return key || '(root)';
  return key === '' ? prefix : `${prefix}.${key}`;
}
