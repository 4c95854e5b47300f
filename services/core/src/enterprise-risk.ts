/**
 * Enterprise risk colour per 《危险化学品生产储存企业安全风险评估诊断分级指南（试行）》 (MEM 2018),
 * REFERENCE §1 and §8 item 21.
 *
 * This colour grades a whole enterprise from its assessment score. It is deliberately a separate
 * type from the 预警 (warning message) colour, the dual-prevention risk-unit colour and the
 * emergency-warning colour (REFERENCE §5, §8 item 3), and from a major hazard's level (一级–四级):
 * the snapshot carries `scale: 'enterprise-risk-2018'` so values from different scales never mix
 * even though the colour words are the same.
 */
import { coreErrors } from './errors.js';

export type EnterpriseRiskColour = 'blue' | 'yellow' | 'orange' | 'red';

export const ENTERPRISE_RISK_COLOUR_ZH: Readonly<Record<EnterpriseRiskColour, string>> = Object.freeze({
  blue: '蓝',
  yellow: '黄',
  orange: '橙',
  red: '红',
});

export interface EnterpriseRiskGrade {
  readonly scale: 'enterprise-risk-2018';
  readonly score: number;
  readonly vetoes: readonly string[];
  readonly colour: EnterpriseRiskColour;
}

/**
 * Score bands: ≥ 90 蓝; 75–<90 黄; 60–<75 橙; < 60 红. Any veto condition (一票否决) ⇒ 红
 * regardless of the score. Lower bounds are inclusive: 75 is yellow.
 */
export function enterpriseRiskColour(score: number, vetoes: readonly string[] = []): EnterpriseRiskColour {
  if (!Number.isFinite(score))
    throw coreErrors.create('HW_CORE_INVALID_NUMBER', { name: 'score', value: String(score) });
  if (vetoes.length > 0) return 'red';
  if (score >= 90) return 'blue';
  if (score >= 75) return 'yellow';
  if (score >= 60) return 'orange';
  return 'red';
}

export function enterpriseRiskGrade(score: number, vetoes: readonly string[] = []): EnterpriseRiskGrade {
  return Object.freeze({
    scale: 'enterprise-risk-2018',
    score,
    vetoes: Object.freeze([...vetoes]),
    colour: enterpriseRiskColour(score, vetoes),
  });
}
