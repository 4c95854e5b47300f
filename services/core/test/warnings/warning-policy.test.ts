import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DOWNGRADE_STEP_MS,
  WarningDesk,
  compileWarningPolicy,
  warningErrors,
} from '@hazardwatch/core';
import type { HazardWatchError } from '@hazardwatch/kit';
import { HOUR, MIN, warningSite } from './warning-site.js';

describe('warning policy (provisional defaults, REFERENCE §9)', () => {
  it('defaults: red 5 min / 30 min; orange 15 min / 2 h; yellow 60 min / 24 h; blue none / 72 h without escalation', () => {
    const p = compileWarningPolicy();
    expect(p.timeouts).toEqual({
      red: { signWithinMs: 5 * MIN, feedbackWithinMs: 30 * MIN, escalate: true },
      orange: { signWithinMs: 15 * MIN, feedbackWithinMs: 2 * HOUR, escalate: true },
      yellow: { signWithinMs: 60 * MIN, feedbackWithinMs: 24 * HOUR, escalate: true },
      blue: { signWithinMs: null, feedbackWithinMs: 72 * HOUR, escalate: false },
    });
    expect(p.initialTiers.red).toEqual(['county']);
    expect(p.downgradeStepMs).toBe(DEFAULT_DOWNGRADE_STEP_MS);
    expect(Object.isFrozen(p.timeouts.red)).toBe(true);
  });

  it('merges per-colour overrides over the defaults', () => {
    const p = compileWarningPolicy({
      timeouts: { red: { signWithinMs: 2 * MIN }, blue: { escalate: true } },
    });
    expect(p.timeouts.red).toEqual({ signWithinMs: 2 * MIN, feedbackWithinMs: 30 * MIN, escalate: true });
    expect(p.timeouts.blue.escalate).toBe(true);
  });

  it.each([
    [{ timeout: {} }, 'timeout'],
    [{ timeouts: { green: {} } }, 'timeouts.green'],
    [{ timeouts: { red: { signWithin: 1 } } }, 'timeouts.red.signWithin'],
    [{ timeouts: { red: { signWithinMs: 0 } } }, 'timeouts.red.signWithinMs'],
    [{ timeouts: { red: { feedbackWithinMs: Number.POSITIVE_INFINITY } } }, 'timeouts.red.feedbackWithinMs'],
    [{ timeouts: { red: { escalate: 'yes' } } }, 'timeouts.red.escalate'],
    [{ initialTiers: { red: ['town'] } }, 'initialTiers.red'],
    [{ downgradeStepMs: -1 }, 'downgradeStepMs'],
  ])('rejects %j naming %s', (options, key) => {
    try {
      compileWarningPolicy(options as never);
      expect.fail('should throw');
    } catch (err) {
      expect(warningErrors.is(err, 'HW_CORE_WARNING_INVALID_POLICY')).toBe(true);
      expect((err as HazardWatchError).data.key).toBe(key);
    }
  });

  it('the desk runs the compiled policy it is given, without compiling it again', () => {
    const policy = compileWarningPolicy({ downgradeStepMs: 5 * MIN });
    expect(new WarningDesk(warningSite(), { policy }).policy).toBe(policy);
    expect(new WarningDesk(warningSite()).policy).toEqual(compileWarningPolicy());
  });
});

const placeholders = (template: string): string[] =>
  [...template.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!);

describe('warning error registry', () => {
  it('codes follow HW_CORE_WARNING_* and are unique', () => {
    expect(new Set(warningErrors.codes).size).toBe(warningErrors.codes.length);
    for (const code of warningErrors.codes) expect(code).toMatch(/^HW_CORE_WARNING_[A-Z0-9_]+$/);
  });

  it.each(warningErrors.codes.map((c) => [c]))('%s renders every placeholder', (code) => {
    const spec = warningErrors.specs[code];
    const data = Object.fromEntries(placeholders(spec.template).map((p) => [p, `<${p}>`]));
    const err = warningErrors.create(code, data as never);
    expect(err.code).toBe(code);
    expect(err.message).not.toMatch(/\{[A-Za-z0-9_]+\}/);
    for (const p of placeholders(spec.template)) expect(err.message).toContain(`<${p}>`);
    expect(err.retryable).toBe(spec.retryable);
    expect(warningErrors.is(err)).toBe(true);
  });
});
