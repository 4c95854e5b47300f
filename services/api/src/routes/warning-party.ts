import type { AuthorityRole, WarningParty } from '@hazardwatch/contracts';
import type { Access } from '../access/access.js';
import { apiErrors } from '../errors.js';

/**
 * The caller's side in the 预警 loop (docs/warnings.md), from its role in the authority table:
 * operator and safety manager → the enterprise; a regulator → the tier of its region (park and
 * town count as county); the administrator → admin. Viewers take no side (403). The desk decides
 * with the side who may sign, feed back, urge, verify and close — beside the authority table,
 * which refuses a role outright.
 */
export function warningPartyOf(access: Access): WarningParty {
  const party = partyOfRole(access.authorityRole);
  if (party === null)
    throw apiErrors.create('HW_API_FORBIDDEN', { reason: 'a viewer takes no step of the 预警 loop' });
  return party;
}

/** The side an authority role acts for; null for a viewer (no side). */
export function partyOfRole(role: AuthorityRole): WarningParty | null {
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
