/**
 * Who may do what, as data (issue #19 item 1; ARCHITECTURE "Authority as data").
 *
 * Duties follow the national monitoring system's rules and the 包保责任制 (危险化学品企业重大危险源
 * 安全包保责任制办法, 2021; REFERENCE §1, §8 items 2 and 20): the enterprise's duty room watches,
 * acknowledges its alarms, signs for (签收) and handles its 预警 and reports back (处置反馈); the
 * enterprise's safety manager owns the monitoring configuration (limits, points, hazards) under
 * the regulator's oversight; regulators (park/county, city, province) supervise — urge (督办),
 * verify (核查), approve changes that weaken monitoring, confirm the closing of the higher colours —
 * and never operate the plant's alarms; identity fields (an enterprise's region, its code), users
 * and the site import are the administrator's.
 *
 * Every route and socket action names one action of this table; the table gives, per role, one
 * verdict: `allow`, `refuse`, or `approval` (the change is recorded and waits for a regulator).
 * Monitoring-change kinds (`monitoring.*`) are actions too: a write that contains such a change is
 * decided by the verdict of each kind it contains (the most restrictive wins), so "which change
 * needs approval" is the same table, overridable in configuration.
 */
import {
  AUTHORITY_ROLES,
  VERDICTS,
  type AuthorityRole,
  type Role,
  type Verdict,
} from '@hazardwatch/contracts';
import type { RegulatorTier } from '@hazardwatch/core';

// Roles as the table sees them (a regulator's duties depend on the level of its region) and the
// verdicts: the wire's vocabulary (GET /auth/me answers them), defined once in the contracts.
export { AUTHORITY_ROLES, VERDICTS, type AuthorityRole, type Verdict } from '@hazardwatch/contracts';

/** One row of the table: the verdict per role and what the action is (for docs and the UI). */
export interface AuthorityEntry {
  readonly summary: string;
  readonly verdicts: Readonly<Record<AuthorityRole, Verdict>>;
}

type Row = readonly [
  operator: Verdict,
  safetyManager: Verdict,
  county: Verdict,
  city: Verdict,
  province: Verdict,
  viewer: Verdict,
  admin: Verdict,
];

const A: Verdict = 'allow';
const R: Verdict = 'refuse';
const P: Verdict = 'approval';

/** Everyone in scope may read. */
const READ: Row = [A, A, A, A, A, A, A];
/** The enterprise's duty room (operator and safety manager), and the administrator. */
const ENTERPRISE_DUTY: Row = [A, A, R, R, R, R, A];
/** The enterprise's safety manager and the administrator. */
const ENTERPRISE_CONFIG: Row = [R, A, R, R, R, R, A];
/** Regulators of every level, and the administrator. */
const REGULATOR: Row = [R, R, A, A, A, R, A];
/**
 * The people on duty at a desk (交接班): an enterprise's operators in its duty room (值班室), a
 * regulator's 24-hour duty centre. The safety manager, viewers and the administrator keep no
 * shift; they read the records.
 */
const DUTY_DESK: Row = [A, R, A, A, A, R, R];
/** The administrator only. */
const ADMIN: Row = [R, R, R, R, R, R, A];
/** Regulators and the administrator read it; the enterprise does not (the audit log). */
const SUPERVISOR_READ: Row = [R, R, A, A, A, R, A];

/**
 * The default table. Keys are stable: they appear in route configs, the audit log (refusals),
 * configuration overrides and the dashboard.
 */
const DEFAULTS = {
  // ── reading (scope decides what is visible) ─────────────────────────────────────────
  'site.read': ['Read the site model, plans, values, history, KPIs', READ],
  'alarm.read': ['Read alarms and their journal', READ],
  'warning.read': ['Read 预警 with their whole record', READ],
  'change.read': ['Read monitoring-change records', READ],
  'device.read': ['Read device credentials (never their secrets)', [A, A, A, A, A, R, A]],
  'audit.read': ['Read the audit log', SUPERVISOR_READ],
  'user.read': ['Read users', ADMIN],
  'site.export': ['Export the whole site document', ADMIN],
  'history.export': ['Export trend data (CSV, Excel) of points in scope', READ],
  'session.self': ['Own session (me, logout)', READ],

  // ── alarms (ISA-18.2 operator actions): the plant's duty room only ─────────────────
  'alarm.ack': ['Acknowledge an alarm', ENTERPRISE_DUTY],
  'alarm.shelve': ['Shelve an alarm (reason and expiry)', ENTERPRISE_DUTY],
  'alarm.unshelve': ['Unshelve an alarm', ENTERPRISE_DUTY],
  'alarm.oos': ['Take an alarm out of service (reason)', [R, A, R, R, R, R, A]],
  'alarm.return': ['Return an alarm to service', ENTERPRISE_DUTY],
  'alarm.comment': ['Comment in the alarm journal', [A, A, A, A, A, R, A]],
  // Every console that hears the horn may silence it; a silence acknowledges nothing (issue #21).
  'alarm.horn.silence': ['Silence the console horn over the alarms sounding (audited)', READ],

  // ── 预警 loop: 签收 → 处置反馈 → 核查 → 消警; who closes depends on the colour (policy) ──
  'warning.sign': ['签收: sign for a 预警', ENTERPRISE_DUTY],
  'warning.feedback': ['处置反馈: report handling', ENTERPRISE_DUTY],
  'warning.urge': ['督办: urge with a note and a deadline', REGULATOR],
  'warning.verify': ['核查: verify the handling', REGULATOR],
  'warning.close': ['消警: close (the colour policy says which side closes)', [A, A, A, A, A, R, A]],

  // ── monitoring changes under oversight ───────────────────────────────────────────────
  'change.decide': ['Approve or deny a pending monitoring change', REGULATOR],
  'change.withdraw': ['Withdraw an own pending monitoring change', [A, A, R, R, R, R, A]],

  // ── shift handover (交接班, issue #21): the duty desks hand over; everyone in scope reads ──
  'handover.read': ['Read shift handover records (交接班记录)', READ],
  'handover.create': ['交班: hand the own duty desk over (notes; what is open is recorded)', DUTY_DESK],
  'handover.accept': ['接班: take over a pending handover of the own duty desk', DUTY_DESK],
  // Duty reports (日报/周报/月报, issue #21): everyone in scope reads them; the scope decides what.
  'report.read': ['Read and download duty reports (日报/周报/月报) of the own scope', READ],

  // ── site model writes ────────────────────────────────────────────────────────────────
  'site.import': ['Replace the whole site document', ADMIN],
  'site.region.write': ['Create, edit or delete a region', ADMIN],
  'site.enterprise.create': ['Create an enterprise', ADMIN],
  'site.enterprise.delete': ['Delete an enterprise', ADMIN],
  'site.enterprise.edit': ['Edit an enterprise (name, location)', ENTERPRISE_CONFIG],
  'site.enterprise.identity': ["Change an enterprise's region or code", ADMIN],
  'site.enterprise.risk': ["Set an enterprise's risk grade (企业安全风险分级)", REGULATOR],
  'site.hazard.write': ['Create or edit a major hazard', ENTERPRISE_CONFIG],
  'site.gateway.write': ['Create, edit or delete a gateway', ENTERPRISE_CONFIG],
  'site.point.write': ['Create or edit a monitoring point', ENTERPRISE_CONFIG],
  'site.check': ['Check a site edit against the site-file rules without storing it', ENTERPRISE_CONFIG],
  'plan.write': ['Upload or delete a floor plan', ENTERPRISE_CONFIG],
  'device.write': ['Issue or revoke device credentials', ENTERPRISE_CONFIG],
  'user.write': ['Create, edit or delete users', ADMIN],

  // ── kinds of change that weaken monitoring (decided per kind a write contains) ───────
  'monitoring.point.disable': ['停用: take a monitoring point out of use', [R, A, R, R, R, R, A]],
  'monitoring.gas-detector.disable': ['停用 a combustible/toxic gas detector', [R, P, R, R, R, R, A]],
  'monitoring.point.delete': ['Delete a monitoring point', [R, A, R, R, R, R, A]],
  'monitoring.limit.weaken': ['Raise an H/HH or lower an L/LL limit, or remove one', [R, A, R, R, R, R, A]],
  'monitoring.deadband.widen': ['Widen a deadband', [R, A, R, R, R, R, A]],
  'monitoring.delay.lengthen': ['Lengthen an on/off delay or the staleness timeout', [R, A, R, R, R, R, A]],
  'monitoring.hazard.level.lower': ["Lower a hazard's level (一级 → 四级)", [R, P, R, R, R, R, A]],
  'monitoring.hazard.delete': ['Delete a major hazard', [R, P, R, R, R, R, A]],
  'monitoring.shelve.long': [
    'Shelve an alarm for longer than the policy allows without notice',
    ENTERPRISE_DUTY,
  ],
  'monitoring.alarm.oos': ['Take an alarm out of service', [R, A, R, R, R, R, A]],
} as const satisfies Record<string, readonly [string, Row]>;

export type AuthorityAction = keyof typeof DEFAULTS;
export const AUTHORITY_ACTIONS = Object.freeze(Object.keys(DEFAULTS) as AuthorityAction[]);

export function isAuthorityAction(value: string): value is AuthorityAction {
  return Object.prototype.hasOwnProperty.call(DEFAULTS, value);
}

/**
 * Whether an action may have the verdict `approval`: only the kinds of change that weaken
 * monitoring (`monitoring.*`) can wait for a regulator; anything else is allowed or refused now.
 */
export function isApprovable(action: AuthorityAction): boolean {
  return action.startsWith('monitoring.');
}

function rowToVerdicts(row: Row): Record<AuthorityRole, Verdict> {
  const out = {} as Record<AuthorityRole, Verdict>;
  AUTHORITY_ROLES.forEach((role, i) => (out[role] = row[i]!));
  return out;
}

export const DEFAULT_AUTHORITY_TABLE: Readonly<Record<AuthorityAction, AuthorityEntry>> = Object.freeze(
  Object.fromEntries(
    Object.entries(DEFAULTS).map(([action, [summary, row]]) => [
      action,
      Object.freeze({ summary, verdicts: Object.freeze(rowToVerdicts(row)) }),
    ]),
  ) as Record<AuthorityAction, AuthorityEntry>,
);

/** The table role of a user: a regulator's by the tier of its region (a town counts as county). */
export function authorityRole(role: Role, regulatorTier: RegulatorTier | null): AuthorityRole {
  if (role !== 'regulator') return role;
  return `regulator_${regulatorTier ?? 'county'}`;
}

/** A compiled table: the defaults with the configured overrides applied (frozen). */
export type AuthorityTable = Readonly<Record<AuthorityAction, AuthorityEntry>>;

/** The verdict of one action for one table role. */
export function verdictOf(table: AuthorityTable, action: AuthorityAction, role: AuthorityRole): Verdict {
  return table[action].verdicts[role];
}

const STRICTNESS: Readonly<Record<Verdict, number>> = { allow: 0, approval: 1, refuse: 2 };

/** The most restrictive of several verdicts (refuse > approval > allow); `allow` for none. */
export function strictest(verdicts: Iterable<Verdict>): Verdict {
  let out: Verdict = 'allow';
  for (const v of verdicts) if (STRICTNESS[v] > STRICTNESS[out]) out = v;
  return out;
}

/**
 * Configuration overrides as written: `{ "<action>": { "<role>": "allow" | "refuse" | "approval" } }`
 * (docs/authority.md). Only the roles named change; the rest keep the defaults.
 */
export type AuthorityOverrides = Readonly<Record<string, Readonly<Record<string, string>>>>;

/**
 * The defaults with the overrides applied, frozen; or every problem, each naming its key
 * (`authority.alarm.ack.operator: …`): an unknown action or role, a verdict that is none of
 * allow/refuse/approval, and `approval` for an action that cannot wait for one.
 */
export function compileAuthorityTable(
  overrides: AuthorityOverrides | undefined,
  path = 'authority',
): { ok: true; table: AuthorityTable } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const out = {} as Record<AuthorityAction, AuthorityEntry>;
  for (const action of AUTHORITY_ACTIONS) out[action] = DEFAULT_AUTHORITY_TABLE[action];
  for (const [action, byRole] of Object.entries(overrides ?? {})) {
    if (!isAuthorityAction(action)) {
      errors.push(`${path}.${action}: unknown action (one of ${AUTHORITY_ACTIONS.join(', ')})`);
      continue;
    }
    if (typeof byRole !== 'object' || byRole === null || Array.isArray(byRole)) {
      errors.push(`${path}.${action}: must be an object of role → verdict`);
      continue;
    }
    const verdicts: Record<AuthorityRole, Verdict> = { ...DEFAULT_AUTHORITY_TABLE[action].verdicts };
    for (const [role, verdict] of Object.entries(byRole)) {
      const key = `${path}.${action}.${role}`;
      if (!(AUTHORITY_ROLES as readonly string[]).includes(role))
        errors.push(`${key}: unknown role (one of ${AUTHORITY_ROLES.join(', ')})`);
      else if (!(VERDICTS as readonly string[]).includes(verdict))
        errors.push(`${key}: '${String(verdict)}' is not one of ${VERDICTS.join(', ')}`);
      else if (verdict === 'approval' && !isApprovable(action))
        errors.push(`${key}: approval is only for monitoring.* changes`);
      else verdicts[role as AuthorityRole] = verdict as Verdict;
    }
    out[action] = Object.freeze({
      summary: DEFAULT_AUTHORITY_TABLE[action].summary,
      verdicts: Object.freeze(verdicts),
    });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, table: Object.freeze(out) };
}

/** Every action's verdict for one table role (GET /auth/me). */
export function permissionsOf(table: AuthorityTable, role: AuthorityRole): Record<AuthorityAction, Verdict> {
  const out = {} as Record<AuthorityAction, Verdict>;
  for (const action of AUTHORITY_ACTIONS) out[action] = verdictOf(table, action, role);
  return out;
}
