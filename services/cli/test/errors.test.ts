import { describe, expect, it } from 'vitest';
import { ConfigError, cliErrors } from 'hazardwatch';

describe('cli error registry', () => {
  it('has unique HW_CLI_ codes whose templates render every placeholder', () => {
    for (const code of cliErrors.codes) {
      expect(code).toMatch(/^HW_CLI_[A-Z_]+$/);
      const placeholders = [...cliErrors.specs[code].template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const data = Object.fromEntries(placeholders.map((p) => [p, `<${p}>`]));
      expect(cliErrors.create(code, data as never).message).not.toMatch(/\{\w+\}/);
    }
  });

  it('ConfigError carries its problems and is matched by code, not text', () => {
    const error = new ConfigError(['unknown key database.pool', 'healthPort: Expected integer']);
    expect(cliErrors.is(error, 'HW_CLI_CONFIG_INVALID')).toBe(true);
    expect(error.retryable).toBe(false);
    expect(error.problems).toHaveLength(2);
    expect(error.message).toContain('unknown key database.pool');
  });
});
