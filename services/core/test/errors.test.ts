import { describe, expect, it } from 'vitest';
import { HazardWatchError, coreErrors, defineErrors, renderTemplate } from '@hazardwatch/core';

const placeholders = (template: string): string[] =>
  [...template.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!);

describe('core error registry', () => {
  it('codes follow HW_CORE_* and are unique', () => {
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

describe('defineErrors', () => {
  const reg = defineErrors({
    HW_TEST_DOWN: { template: 'broker {url} unreachable', retryable: true, status: 503 },
    HW_TEST_BAD: { template: 'bad payload on {topic}', retryable: false, status: 400 },
  });

  it('builds coded errors carrying data, retryability, status and cause', () => {
    const cause = new Error('ECONNREFUSED');
    const err = reg.create('HW_TEST_DOWN', { url: 'mqtt://x', attempt: 3 }, { cause });
    expect(err.message).toBe('broker mqtt://x unreachable');
    expect(err.data).toEqual({ url: 'mqtt://x', attempt: 3 });
    expect(err.retryable).toBe(true);
    expect(err.status).toBe(503);
    expect(err.cause).toBe(cause);
  });

  it('is() matches by code, never by message', () => {
    const err = reg.create('HW_TEST_BAD', { topic: 't' });
    expect(reg.is(err)).toBe(true);
    expect(reg.is(err, 'HW_TEST_BAD')).toBe(true);
    expect(reg.is(err, 'HW_TEST_DOWN')).toBe(false);
    expect(coreErrors.is(err)).toBe(false);
    expect(reg.is(new Error('HW_TEST_BAD'))).toBe(false);
  });

  it('renderTemplate leaves a missing placeholder visible and serialises objects', () => {
    expect(renderTemplate('{a} {b} {c}', { a: 1, c: { x: 1 } })).toBe('1 {b} {"x":1}');
  });
});
