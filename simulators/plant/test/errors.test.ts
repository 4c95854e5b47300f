import { describe, expect, it } from 'vitest';
import {
  SIMULATOR_ERRORS,
  SimulatorError,
  isSimulatorError,
  type SimulatorErrorCode,
} from '@hazardwatch/simulators';

const codes = Object.keys(SIMULATOR_ERRORS) as SimulatorErrorCode[];
const placeholders = (template: string): string[] =>
  [...template.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!);

describe('simulator error registry', () => {
  it('codes follow HW_SIM_*', () => {
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) expect(code).toMatch(/^HW_SIM_[A-Z0-9_]+$/);
  });

  it.each(codes.map((c) => [c]))('%s renders every placeholder and carries data and retryability', (code) => {
    const spec = SIMULATOR_ERRORS[code];
    const data = Object.fromEntries(placeholders(spec.template).map((p) => [p, `<${p}>`]));
    const cause = new Error('root');
    const err = new SimulatorError(code, data, { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe(code);
    expect(err.message).not.toMatch(/\{[A-Za-z0-9_]+\}/);
    for (const p of placeholders(spec.template)) expect(err.message).toContain(`<${p}>`);
    expect(err.retryable).toBe(spec.retryable);
    expect(err.cause).toBe(cause);
    expect(Object.isFrozen(err.data)).toBe(true);
    expect(isSimulatorError(err, code)).toBe(true);
  });

  it('only a broker that cannot be reached is worth retrying', () => {
    expect(codes.filter((c) => SIMULATOR_ERRORS[c].retryable)).toEqual(['HW_SIM_FLEET_CONNECT']);
  });

  it('renders lists readably and leaves a missing placeholder visible', () => {
    const err = new SimulatorError('HW_SIM_OPTIONS_INVALID', { issues: ['a: bad', 'b: worse'] });
    expect(err.message).toBe('invalid simulator options: a: bad; b: worse');
    expect(new SimulatorError('HW_SIM_SITE_PARSE', {}).message).toContain('{reason}');
    expect(isSimulatorError(new Error('x'))).toBe(false);
    expect(isSimulatorError(err, 'HW_SIM_SITE_PARSE')).toBe(false);
  });
});
