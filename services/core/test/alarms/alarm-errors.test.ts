import { describe, expect, it } from 'vitest';
import { alarmErrors, coreErrors } from '@hazardwatch/core';
import { HazardWatchError, type ErrorSpec } from '@hazardwatch/kit';

const placeholders = (template: string): string[] =>
  [...template.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!);

describe('alarm error registry', () => {
  it('codes follow HW_CORE_ALARM_*, are unique and never collide with the core registry', () => {
    expect(new Set(alarmErrors.codes).size).toBe(alarmErrors.codes.length);
    for (const code of alarmErrors.codes) {
      expect(code).toMatch(/^HW_CORE_ALARM_[A-Z0-9_]+$/);
      expect(coreErrors.codes as readonly string[]).not.toContain(code);
    }
  });

  it.each(alarmErrors.codes.map((c) => [c]))(
    '%s renders every placeholder and is bad input (not retryable)',
    (code) => {
      const spec = alarmErrors.specs[code];
      const data = Object.fromEntries(placeholders(spec.template).map((p) => [p, `<${p}>`]));
      const err = alarmErrors.create(code, data as never);
      expect(err).toBeInstanceOf(HazardWatchError);
      expect(err.code).toBe(code);
      expect(err.message).not.toMatch(/\{[A-Za-z0-9_]+\}/);
      for (const p of placeholders(spec.template)) expect(err.message).toContain(`<${p}>`);
      expect(err.retryable).toBe(false);
      expect(alarmErrors.is(err, code)).toBe(true);
    },
  );

  it('operator-facing codes carry a 4xx status', () => {
    for (const code of alarmErrors.codes) {
      const spec: ErrorSpec = alarmErrors.specs[code];
      const status = spec.status;
      if (status !== undefined) expect(status).toBeGreaterThanOrEqual(400);
      if (status !== undefined) expect(status).toBeLessThan(500);
    }
  });
});
