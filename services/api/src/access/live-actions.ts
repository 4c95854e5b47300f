import type { ClientToServerEvents, LiveError } from '@hazardwatch/contracts';
import type { Access } from './access.js';
import { verdictOf, type AuthorityAction, type AuthorityTable } from './authority.js';

/**
 * The authority actions of each client → server socket event (issue #19: "a route or socket
 * action without an entry refuses to register"). The type asks for every event of the contract:
 * a new event without an entry does not compile. Joining rooms streams the scope's values,
 * alarms and 预警, so `subscribe` needs all three reads; the rest manage the caller's own session.
 */
export const LIVE_ACTIONS: { readonly [E in keyof ClientToServerEvents]-?: readonly AuthorityAction[] } =
  Object.freeze({
    subscribe: Object.freeze(['site.read', 'alarm.read', 'warning.read'] as const),
    unsubscribe: Object.freeze(['session.self'] as const),
    'values:interval': Object.freeze(['session.self'] as const),
    reauth: Object.freeze(['session.self'] as const),
  });

/** The socket's answer when the table refuses the caller one of the event's actions, else undefined. */
export function liveRefusal(
  table: AuthorityTable,
  event: keyof ClientToServerEvents,
  access: Access,
): LiveError | undefined {
  const role = access.authorityRole;
  const refused = LIVE_ACTIONS[event].find((action) => verdictOf(table, action, role) === 'refuse');
  return refused === undefined
    ? undefined
    : { code: 'HW_API_FORBIDDEN', message: `forbidden: ${role} may not ${refused}` };
}
