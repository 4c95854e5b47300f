/**
 * GET /auth/me answers for the dashboard's tests: the default authority table's verdicts
 * (services/api access/authority.ts) for the actions the dashboard offers buttons for.
 */
import type { AuthorityRole, Me, Verdict } from '@hazardwatch/contracts';

type Row = Readonly<Partial<Record<AuthorityRole, Verdict>>>;
const ENTERPRISE_DUTY: Row = { operator: 'allow', safety_manager: 'allow', admin: 'allow' };
const ENTERPRISE_CONFIG: Row = { safety_manager: 'allow', admin: 'allow' };
const REGULATOR: Row = {
  regulator_county: 'allow',
  regulator_city: 'allow',
  regulator_province: 'allow',
  admin: 'allow',
};
const ALL_BUT_VIEWER: Row = { ...ENTERPRISE_DUTY, ...REGULATOR };

const TABLE: Readonly<Record<string, Row>> = {
  'alarm.ack': ENTERPRISE_DUTY,
  'alarm.shelve': ENTERPRISE_DUTY,
  'alarm.unshelve': ENTERPRISE_DUTY,
  'alarm.return': ENTERPRISE_DUTY,
  'alarm.comment': ALL_BUT_VIEWER,
  'warning.sign': ENTERPRISE_DUTY,
  'warning.feedback': ENTERPRISE_DUTY,
  'warning.urge': REGULATOR,
  'warning.verify': REGULATOR,
  'warning.close': ALL_BUT_VIEWER,
  'change.decide': REGULATOR,
  'change.withdraw': ENTERPRISE_DUTY,
  'site.point.write': ENTERPRISE_CONFIG,
  'monitoring.point.disable': ENTERPRISE_CONFIG,
  'monitoring.gas-detector.disable': { safety_manager: 'approval', admin: 'allow' },
};

export function meOf(authorityRole: AuthorityRole, username: string = authorityRole): Me {
  const permissions = Object.fromEntries(
    Object.entries(TABLE).map(([action, row]) => [action, row[authorityRole] ?? 'refuse']),
  );
  const role = authorityRole.startsWith('regulator') ? 'regulator' : (authorityRole as Me['role']);
  return {
    userId: '1',
    username,
    role,
    regionCode: role === 'regulator' ? '320623' : null,
    enterpriseCode: role === 'operator' || role === 'safety_manager' ? 'E1' : null,
    authorityRole,
    permissions,
  };
}
