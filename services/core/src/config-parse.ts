import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export type ConfigResult<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/**
 * Validates a configuration object once, at start-up (STYLE.md rule 5): defaults from the schema
 * are applied, unknown keys are refused by name, every problem is reported with its key path, and
 * the result is deeply frozen so nobody changes configuration behind the validator's back.
 */
export function parseConfig<S extends TSchema>(schema: S, input: unknown): ConfigResult<Static<S>> {
  const candidate: unknown = Value.Default(schema, Value.Clone(input ?? {}));
  if (Value.Check(schema, candidate)) return { ok: true, value: deepFreeze(candidate) };
  const errors: string[] = [];
  for (const error of Value.Errors(schema, candidate)) {
    const key = error.path.replace(/^\//, '').replaceAll('/', '.') || '(root)';
    // TypeBox reports an unknown key at its own path ("Unexpected property").
    const message =
      error.message === 'Unexpected property' ? `unknown key ${key}` : `${key}: ${error.message}`;
    if (!errors.includes(message)) errors.push(message);
  }
  return { ok: false, errors };
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
