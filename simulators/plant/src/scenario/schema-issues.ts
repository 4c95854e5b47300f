/**
 * Readable findings from a TypeBox check: unknown keys are named (STYLE rule 5), a missing key
 * is said to be missing, and one problem is reported once (TypeBox also reports the value check
 * of a missing key, which adds nothing). The check itself is kit's schemaProblems; the wording
 * (JSON-pointer paths, as scenario files are addressed) is the scenario runner's.
 */
import type { TSchema } from '@sinclair/typebox';
import { schemaProblems } from '@hazardwatch/kit';

export function schemaIssues(schema: TSchema, value: unknown, at = ''): string[] {
  const issues: string[] = [];
  const missing = new Set<string>();
  for (const p of schemaProblems(schema, value, { pointerPrefix: at })) {
    const path = p.pointer || '/';
    if (p.kind === 'unknown') {
      issues.push(`${path}: unknown key "${p.pointer.slice(p.pointer.lastIndexOf('/') + 1)}"`);
    } else if (p.kind === 'missing') {
      missing.add(path);
      issues.push(`${path}: required key is missing`);
    } else if (!missing.has(path)) {
      issues.push(`${path}: ${p.detail}`);
    }
  }
  return [...new Set(issues)];
}
