import { describe, expect, it } from 'vitest';
import { enterpriseRiskColour, enterpriseRiskGrade } from '@hazardwatch/core';

describe('enterprise risk colour (2018 诊断分级指南, REFERENCE §8 item 21)', () => {
  it.each([
    [100, 'blue'],
    [90, 'blue'],
    [89.9, 'yellow'],
    [75, 'yellow'],
    [74.9, 'orange'],
    [60, 'orange'],
    [59.9, 'red'],
    [0, 'red'],
  ] as const)('score %s ⇒ %s', (score, colour) => {
    expect(enterpriseRiskColour(score, [])).toBe(colour);
  });

  it('a score of exactly 75 is yellow', () => {
    expect(enterpriseRiskColour(75, [])).toBe('yellow');
  });

  it('any veto condition makes the enterprise red whatever the score', () => {
    expect(enterpriseRiskColour(98, ['三年内发生过重大生产安全事故'])).toBe('red');
  });

  it('the grade is tagged with its own scale so it never mixes with warning colours', () => {
    const g = enterpriseRiskGrade(92);
    expect(g).toEqual({ scale: 'enterprise-risk-2018', score: 92, vetoes: [], colour: 'blue' });
    expect(Object.isFrozen(g)).toBe(true);
  });

  it('rejects a non-finite score with a coded error', () => {
    expect(() => enterpriseRiskColour(Number.NaN)).toThrow(
      expect.objectContaining({ code: 'HW_CORE_INVALID_NUMBER' }),
    );
  });
});
