/**
 * What the caller may do, from GET /auth/me's `permissions` (the API's authority table,
 * docs/authority.md): the dashboard offers a button only when the verdict is `allow` (or
 * `approval` for a monitoring change, offered as "submit for approval"). The server decides
 * anyway; this only keeps a regulator from seeing Ack. The 预警 steps are not decided here: the
 * record answers them (WarningDetail.steps).
 */
import type { Me, Verdict } from '@hazardwatch/contracts';

/** The caller's verdict on an action; `refuse` when unknown or not yet loaded. */
export function verdict(me: Pick<Me, 'permissions'> | null | undefined, action: string): Verdict {
  return me?.permissions[action] ?? 'refuse';
}

export function allowed(me: Pick<Me, 'permissions'> | null | undefined, action: string): boolean {
  return verdict(me, action) === 'allow';
}
