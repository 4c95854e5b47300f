/**
 * The operator actions the alarm panel offers for an alarm's state: exactly those the engine
 * accepts (services/core alarm-lifecycle.ts applyOperator) through the API's verbs
 * (services/api alarm-routes.ts). Comments are allowed in every open state and are not listed.
 */
import type { AlarmState } from '@hazardwatch/contracts';

export type PanelAction = 'ack' | 'shelve' | 'unshelve' | 'return';

const BY_STATE: Readonly<Record<AlarmState, readonly PanelAction[]>> = {
  // ISA-18.2: acknowledge what is unacknowledged; shelve anything not hidden by a stronger state.
  UNACK: ['ack', 'shelve'],
  RTNUN: ['ack', 'shelve'],
  ACKED: ['shelve'],
  SHLVD: ['unshelve'],
  // Designed suppression ends by its rule (the API has no unsuppress verb); shelving is refused.
  DSUPR: [],
  OOSRV: ['return'],
  NORM: [],
};

export function panelActions(state: AlarmState): readonly PanelAction[] {
  return BY_STATE[state];
}
