/** How a data-loss report reads to the operator (trend tooltip, data-quality list). */
import type { DataLossReport } from '@hazardwatch/contracts';

/** A translator over the dashboard's messages (vue-i18n's `t`). */
export type Translate = (key: string, named?: Record<string, unknown>) => string;

/**
 * Reasons the edge collector reports (edge/collector spool.ts SpoolDrop, forwarder.ts) and the
 * fleet simulator's. Another collector may say anything else: shown as it said it.
 */
const KNOWN_REASONS: ReadonlySet<string> = new Set([
  'max_bytes',
  'max_age',
  'max_entries',
  'corrupt',
  'spool_rejected',
]);

/** `缓存超出容量上限 (max_bytes)`; an unknown reason as reported. */
export function lossReasonText(reason: string, t: Translate): string {
  return KNOWN_REASONS.has(reason) ? `${t(`quality.reasons.${reason}`)} (${reason})` : reason;
}

/** The key a report's gateway is grouped and matched by. */
export const lossGatewayKey = (l: Pick<DataLossReport, 'enterprise' | 'gateway'>): string =>
  `${l.enterprise}/${l.gateway}`;
