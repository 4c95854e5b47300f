/**
 * Readable findings from a TypeBox check: unknown keys are named (STYLE rule 5), a missing key
 * is said to be missing, and one problem is reported once (TypeBox also reports the value check
 * of a missing key, which adds nothing).
 */
import type { TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType } from '@sinclair/typebox/value';

export function schemaIssues(schema: TSchema, value: unknown, at = ''): string[] {
  const issues: string[] = [];
  const missing = new Set<string>();
  for (const e of Value.Errors(schema, value)) {
    const path = `${at}${e.path}` || '/';
    if (e.type === ValueErrorType.ObjectAdditionalProperties) {
      const key = e.path.slice(e.path.lastIndexOf('/') + 1);
      issues.push(`${path}: unknown key "${key}"`);
    } else if (e.type === ValueErrorType.ObjectRequiredProperty) {
      missing.add(path);
      issues.push(`${path}: required key is missing`);
    } else if (!missing.has(path)) {
      issues.push(`${path}: ${e.message}`);
    }
  }
  return [...new Set(issues)];
}
