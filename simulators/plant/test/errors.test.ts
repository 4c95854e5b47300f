import { describe, expect, it } from 'vitest';
import { HazardWatchError } from '@hazardwatch/kit';
import { SimulatorError, isSimulatorError, simulatorErrors } from '@hazardwatch/simulators';

const codes = simulatorErrors.codes;
const placeholders = (template: string): string[] =>
  [...template.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!);

describe('simulator error registry', () => {
  it('codes follow HW_SIM_*, in the one registry scheme every package uses', () => {
    expect(simulatorErrors.prefix).toBe('HW_SIM');
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) expect(code).toMatch(/^HW_SIM_[A-Z0-9_]+$/);
  });

  it.each(codes.map((c) => [c]))('%s renders every placeholder and carries data and retryability', (code) => {
    const spec = simulatorErrors.specs[code];
    const data = Object.fromEntries(placeholders(spec.template).map((p) => [p, `<${p}>`]));
    const cause = new Error('root');
    const err = new SimulatorError(code, data, { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(HazardWatchError);
    expect(err.name).toBe('SimulatorError');
    expect(err.code).toBe(code);
    expect(err.message).not.toMatch(/\{[A-Za-z0-9_]+\}/);
    for (const p of placeholders(spec.template)) expect(err.message).toContain(`<${p}>`);
    expect(err.retryable).toBe(spec.retryable);
    expect(err.cause).toBe(cause);
    expect(Object.isFrozen(err.data)).toBe(true);
    expect(isSimulatorError(err, code)).toBe(true);
  });

  it('only a broker that cannot be reached is worth retrying', () => {
    expect(codes.filter((c) => simulatorErrors.specs[c].retryable)).toEqual(['HW_SIM_FLEET_CONNECT']);
  });

  it('renders lists readably and leaves a missing placeholder visible', () => {
    const err = new SimulatorError('HW_SIM_OPTIONS_INVALID', { issues: ['a: bad', 'b: worse'] });
    expect(err.message).toBe('invalid simulator options: a: bad; b: worse');
    expect(new SimulatorError('HW_SIM_SITE_PARSE', {}).message).toContain('{reason}');
    expect(isSimulatorError(new Error('x'))).toBe(false);
    expect(isSimulatorError(err, 'HW_SIM_SITE_PARSE')).toBe(false);
  });
});
