/**
 * Configuration read once (STYLE rule 5): validated against a TypeBox schema that gives type and
 * check together, defaults applied, unknown keys refused by name, the result deeply frozen and
 * passed down.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType } from '@sinclair/typebox/value';

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
  /** Dotted key ('mqtt.url', 'sources.0.kind'), the `path` option's prefix included; '(root)' for the value itself. */
  readonly key: string;
  /** The same place as a JSON pointer ('/mqtt/url'; '' for the value itself), after `pointerPrefix`. */
  readonly pointer: string;
  /** A key a closed object does not have, a required key that is missing, or a value that is invalid. */
  readonly kind: 'unknown' | 'missing' | 'invalid';
  /** TypeBox's own words ('Expected string', 'Unexpected property'). */
  readonly detail: string;
  /** 'unknown key mqtt.foo' or 'mqtt.url: Expected string'. */
  readonly message: string;
}

export interface SchemaProblemOptions extends ConfigOptions {
  /** Put before every `pointer` ('/scenario'), for a document checked in parts. */
  readonly pointerPrefix?: string;
  /**
   * When no branch of a union matches an object, report the problems of the branch that came
   * closest (fewest problems) at their own keys, instead of one "expected union value". @default false
   */
  readonly closestUnionBranch?: boolean;
}

/**
 * Every problem `value` has against `schema`, in TypeBox's order, each once — without applying
 * defaults or freezing, for callers that validate documents rather than configuration and word
 * their findings themselves (`kind`, `pointer`, `detail`).
 */
export function schemaProblems(
  schema: TSchema,
  value: unknown,
  options: SchemaProblemOptions = {},
): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  collect(schema, value, options.path ?? '', options.pointerPrefix ?? '', options, problems, new Set());
  return problems;
}

function collect(
  schema: TSchema,
  value: unknown,
  keyPrefix: string,
  pointerPrefix: string,
  options: SchemaProblemOptions,
  out: SchemaProblem[],
  seen: Set<string>,
): void {
  for (const error of Value.Errors(schema, value)) {
    const dotted = error.path.replace(/^\//, '').replaceAll('/', '.');
    const pointer = `${pointerPrefix}${error.path}`;
    const variants = (error.schema as { anyOf?: TSchema[] }).anyOf;
    if (
      options.closestUnionBranch === true &&
      variants !== undefined &&
      variants.length > 0 &&
      typeof error.value === 'object' &&
      error.value !== null
    ) {
      const closest = variants
        .map((v) => ({ v, n: [...Value.Errors(v, error.value)].length }))
        .sort((a, b) => a.n - b.n)[0]!.v;
      collect(closest, error.value, joinPath(keyPrefix, dotted), pointer, options, out, seen);
      continue;
    }
    const key = joinPath(keyPrefix, dotted) || '(root)';
    const kind =
      error.type === ValueErrorType.ObjectAdditionalProperties
        ? 'unknown'
        : error.type === ValueErrorType.ObjectRequiredProperty
          ? 'missing'
          : 'invalid';
    const message = kind === 'unknown' ? `unknown key ${key}` : `${key}: ${error.message}`;
    const identity = `${kind} ${pointer} ${error.message}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    out.push({ key, pointer, kind, detail: error.message, message });
  }
}

/** Validate, default and freeze a configuration object. */
export function parseConfig<S extends TSchema>(
  schema: S,
  input: unknown,
  options: ConfigOptions = {},
): ConfigResult<Static<S>> {
  const candidate: unknown = Value.Default(schema, Value.Clone(input ?? {}));
  if (Value.Check(schema, candidate)) return { ok: true, value: deepFreeze(candidate) };
  const messages = schemaProblems(schema, candidate, options).map((p) => p.message);
  return { ok: false, errors: [...new Set(messages)] };
}

/** Freeze `value` and everything reachable from it; returns `value`. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function joinPath(prefix: string, key: string): string {
  return prefix === '' ? key : key === '' ? prefix : `${prefix}.${key}`;
}
