/**
 * GET /auth/me answers for the admin screens' tests: the default authority table's verdicts
 * (services/api access/authority.ts) of the actions the admin area decides its sections by.
 */
import type { AuthorityRole, Me, Verdict } from '@hazardwatch/contracts';

type Row = Readonly<Partial<Record<AuthorityRole, Verdict>>>;
const CONFIG: Row = { safety_manager: 'allow', admin: 'allow' };
const TABLE: Readonly<Record<string, Row>> = {
  'user.read': { admin: 'allow' },
  'user.write': { admin: 'allow' },
  'site.check': CONFIG,
  'site.region.write': { admin: 'allow' },
  'site.enterprise.create': { admin: 'allow' },
  'site.hazard.write': CONFIG,
  'site.gateway.write': CONFIG,
  'site.point.write': CONFIG,
  'device.write': CONFIG,
  'audit.read': {
    regulator_county: 'allow',
    regulator_city: 'allow',
    regulator_province: 'allow',
    admin: 'allow',
  },
  'monitoring.point.disable': CONFIG,
  'monitoring.gas-detector.disable': { safety_manager: 'approval', admin: 'allow' },
};

export function adminMe(authorityRole: AuthorityRole): Me {
  const role = authorityRole.startsWith('regulator') ? 'regulator' : (authorityRole as Me['role']);
  return {
    userId: '1',
    username: authorityRole,
    role,
    regionCode: role === 'regulator' ? '320623' : null,
    enterpriseCode: role === 'operator' || role === 'safety_manager' ? 'E1' : null,
    authorityRole,
    permissions: Object.fromEntries(
      Object.entries(TABLE).map(([a, row]) => [a, row[authorityRole] ?? 'refuse']),
    ),
  };
}
