import { describe, expect, it } from 'vitest';
import type { AuthorityRole, WarningClosing, WarningLevel, WarningState } from '@hazardwatch/contracts';
import { warningSteps } from '../src/logic/warning-actions.js';
import { meOf } from './support/me.js';

const REGULATOR_AFTER_VERIFIED: WarningClosing = { closedBy: 'regulator', after: 'verified' };
const REGULATOR_AFTER_FEEDBACK: WarningClosing = { closedBy: 'regulator', after: 'feedback' };
const ENTERPRISE_AFTER_SIGNED: WarningClosing = { closedBy: 'enterprise', after: 'signed' };

/** The desk's rules (services/core warning-desk.ts) as the record view offers them. */
describe('预警 steps offered per role, state and closing rule', () => {
  it.each<[AuthorityRole, WarningState, WarningClosing, WarningLevel | null, string[]]>([
    // The enterprise: 签收, then 处置反馈 (again after a verification); closes only its colours.
    ['operator', 'pushed', ENTERPRISE_AFTER_SIGNED, 'enterprise', ['sign']],
    ['operator', 'signed', ENTERPRISE_AFTER_SIGNED, 'enterprise', ['feedback', 'close']],
    ['operator', 'signed', REGULATOR_AFTER_VERIFIED, 'enterprise', ['feedback']],
    ['safety_manager', 'verified', REGULATOR_AFTER_VERIFIED, 'county', ['feedback']],
    // Regulators: 督办 on any open 预警, 核查 after feedback, 消警 by the rule and their tier.
    ['regulator_county', 'pushed', REGULATOR_AFTER_VERIFIED, 'enterprise', ['urge']],
    ['regulator_county', 'feedback', REGULATOR_AFTER_VERIFIED, 'county', ['urge', 'verify']],
    ['regulator_county', 'feedback', REGULATOR_AFTER_FEEDBACK, 'county', ['urge', 'verify', 'close']],
    ['regulator_county', 'verified', REGULATOR_AFTER_VERIFIED, 'county', ['urge', 'close']],
    // Escalated above the county: the county may not close it, the province may.
    ['regulator_county', 'verified', REGULATOR_AFTER_VERIFIED, 'province', ['urge']],
    ['regulator_province', 'verified', REGULATOR_AFTER_VERIFIED, 'province', ['urge', 'close']],
    // A yellow/blue 预警 is the enterprise's to close.
    ['regulator_city', 'signed', ENTERPRISE_AFTER_SIGNED, 'enterprise', ['urge']],
    // The administrator: every step, closing as break-glass from any signed state.
    ['admin', 'signed', REGULATOR_AFTER_VERIFIED, 'province', ['feedback', 'urge', 'close']],
    ['viewer', 'signed', ENTERPRISE_AFTER_SIGNED, 'enterprise', []],
    ['regulator_county', 'closed', REGULATOR_AFTER_VERIFIED, 'county', []],
  ])('%s, %s, %o at level %s: %o', (role, state, closing, level, steps) => {
    expect(warningSteps({ state, closing, level }, meOf(role))).toEqual(steps);
  });

  it('offers nothing before GET /auth/me has answered', () => {
    expect(warningSteps({ state: 'pushed', closing: ENTERPRISE_AFTER_SIGNED, level: null }, null)).toEqual(
      [],
    );
  });
});
