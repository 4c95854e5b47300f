import { describe, expect, it } from 'vitest';
import { HazardWatchError } from '@hazardwatch/kit';
import { EdgeError, edgeErrors, isEdgeError } from '@hazardwatch/edge';

const codes = edgeErrors.codes;
const placeholders = (template: string): string[] =>
  [...template.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!);

describe('edge error registry', () => {
  it('codes follow HW_EDGE_*, in the one registry scheme every package uses', () => {
    expect(edgeErrors.prefix).toBe('HW_EDGE');
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) expect(code).toMatch(/^HW_EDGE_[A-Z0-9_]+$/);
  });

  it.each(codes.map((c) => [c]))('%s renders every placeholder and carries data and retryability', (code) => {
    const spec = edgeErrors.specs[code];
    const data = Object.fromEntries(placeholders(spec.template).map((p) => [p, `<${p}>`]));
    const cause = new Error('root');
    const err = new EdgeError(code, data, { cause });
    expect(err).toBeInstanceOf(HazardWatchError);
    expect(err.name).toBe('EdgeError');
    expect(err.code).toBe(code);
    expect(err.message).not.toMatch(/\{[A-Za-z0-9_]+\}/);
    for (const p of placeholders(spec.template)) expect(err.message).toContain(`<${p}>`);
    expect(err.retryable).toBe(spec.retryable);
    expect(err.cause).toBe(cause);
    expect(Object.isFrozen(err.data)).toBe(true);
    expect(isEdgeError(err, code)).toBe(true);
  });

  it('renders lists readably and matches by code only', () => {
    const err = new EdgeError('HW_EDGE_CONFIG_INVALID', { issues: ['a: bad', 'b: worse'] });
    expect(err.message).toContain('a: bad; b: worse');
    expect(isEdgeError(err, 'HW_EDGE_CONFIG_PARSE')).toBe(false);
    expect(isEdgeError(new Error(err.message))).toBe(false);
  });
});
