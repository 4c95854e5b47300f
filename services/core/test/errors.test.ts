import { describe, expect, it } from 'vitest';
import { coreErrors } from '@hazardwatch/core';
import { HazardWatchError } from '@hazardwatch/kit';

const placeholders = (template: string): string[] =>
  [...template.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!);

describe('core error registry', () => {
  it('codes follow HW_CORE_* and are unique', () => {
    expect(coreErrors.prefix).toBe('HW_CORE');
    expect(coreErrors.codes.length).toBeGreaterThan(0);
    expect(new Set(coreErrors.codes).size).toBe(coreErrors.codes.length);
    for (const code of coreErrors.codes) expect(code).toMatch(/^HW_CORE_[A-Z0-9_]+$/);
  });

  it.each(coreErrors.codes.map((c) => [c]))(
    '%s renders its template with every placeholder filled',
    (code) => {
      const spec = coreErrors.specs[code];
      const data = Object.fromEntries(placeholders(spec.template).map((p) => [p, `<${p}>`]));
      const err = coreErrors.create(code, data as never);
      expect(err).toBeInstanceOf(HazardWatchError);
      expect(err).toBeInstanceOf(Error);
      expect(err.code).toBe(code);
      expect(err.message).not.toMatch(/\{[A-Za-z0-9_]+\}/);
      for (const p of placeholders(spec.template)) expect(err.message).toContain(`<${p}>`);
      expect(typeof err.retryable).toBe('boolean');
      expect(err.retryable).toBe(spec.retryable);
      expect(Object.isFrozen(err.data)).toBe(true);
    },
  );
});
