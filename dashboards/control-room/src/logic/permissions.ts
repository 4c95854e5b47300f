/**
 * What the caller may do, from GET /auth/me's `permissions` (the API's authority table,
 * docs/authority.md): the dashboard offers a button only when the verdict is `allow` (or
 * `approval` for a monitoring change, offered as "submit for approval"). The server decides
 * anyway; this only keeps a regulator from seeing Ack and an operator from seeing 督办.
 */
import type { AuthorityRole, Me, Verdict } from '@hazardwatch/contracts';

/** The caller's verdict on an action; `refuse` when unknown or not yet loaded. */
export function verdict(me: Pick<Me, 'permissions'> | null | undefined, action: string): Verdict {
  return me?.permissions[action] ?? 'refuse';
}

export function allowed(me: Pick<Me, 'permissions'> | null | undefined, action: string): boolean {
  return verdict(me, action) === 'allow';
}

/** The side of the 预警 loop an authority role acts for (contracts WARNING_PARTIES); null: none. */
export function warningPartyOf(
  role: AuthorityRole,
): 'enterprise' | 'county' | 'city' | 'province' | 'admin' | null {
  switch (role) {
    case 'operator':
    case 'safety_manager':
      return 'enterprise';
    case 'regulator_county':
      return 'county';
    case 'regulator_city':
      return 'city';
    case 'regulator_province':
      return 'province';
    case 'admin':
      return 'admin';
    case 'viewer':
      return null;
  }
}
