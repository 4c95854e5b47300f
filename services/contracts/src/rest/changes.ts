/**
 * Monitoring changes under oversight (issue #19 item 2): a change that weakens monitoring — a
 * point taken out of use (停用), a raised H/HH or lowered L/LL limit, a wider deadband or longer
 * delay, a lowered hazard level, a deleted point or hazard, a long shelve or an alarm out of
 * service — and a change of an enterprise's identity (region, code) or risk grade, kept as a record
 * in the shape provincial platforms ask for (who, when, what, before/after, reason; compare the
 * Jiangsu push's STOP_PSN / STOP_TIME / STOP_REMARK, REFERENCE §1) and, when the authority table
 * says so, waiting for the regulator's decision. docs/monitoring-changes.md.
 */
import { Type, type Static } from '@sinclair/typebox';
import { AuthorityRoleSchema } from './auth.js';
import { AnyJson, Ms, Nullable, OneOf, PageSchema, closed } from './shapes.js';

/**
 * The kinds of change a record carries. Each is an action of the API's authority table, whose
 * verdict per role says whether the change is refused, applied (the regulator is told) or waits for
 * approval.
 */
export const MONITORING_CHANGE_KINDS = [
  'monitoring.point.disable',
  'monitoring.gas-detector.disable',
  'monitoring.point.delete',
  'monitoring.limit.weaken',
  'monitoring.deadband.widen',
  'monitoring.delay.lengthen',
  'monitoring.hazard.level.lower',
  'monitoring.hazard.delete',
  'monitoring.shelve.long',
  'monitoring.alarm.oos',
  'site.enterprise.identity',
  'site.enterprise.risk',
] as const;
export type MonitoringChangeKind = (typeof MONITORING_CHANGE_KINDS)[number];

/**
 * - `applied`: took effect at once (the regulator is told);
 * - `pending`: waits for a regulator (nothing changed yet);
 * - `approved`: a regulator approved it and it took effect;
 * - `denied`: a regulator refused it (nothing changed);
 * - `withdrawn`: the enterprise withdrew it while pending;
 * - `failed`: approved, but it no longer applied to the site in force (a conflicting later edit,
 *   or the result was invalid); the reason is in `decisionNote`.
 */
export const MONITORING_CHANGE_STATUSES = [
  'applied',
  'pending',
  'approved',
  'denied',
  'withdrawn',
  'failed',
] as const;
export type MonitoringChangeStatus = (typeof MONITORING_CHANGE_STATUSES)[number];

export const MONITORING_CHANGE_TARGETS = ['point', 'hazard', 'enterprise', 'gateway', 'alarm'] as const;
export type MonitoringChangeTarget = (typeof MONITORING_CHANGE_TARGETS)[number];

/** One weakened field: `{ kind: 'monitoring.limit.weaken', field: 'limits.hh', before: 85, after: 99 }`. */
export const MonitoringChangeLineSchema = Type.Object({
  kind: OneOf(MONITORING_CHANGE_KINDS),
  /** Dotted path in the normal-form entity (`enabled`, `limits.hh`, `deadband.h`, `declaredLevel`, `region`). */
  field: Type.String(),
  before: AnyJson('the field before the change (normal form); null when absent'),
  after: AnyJson('the field after the change (normal form); null when removed'),
});
export type MonitoringChangeLine = Static<typeof MonitoringChangeLineSchema>;

/** One change record (GET /changes, GET /changes/:id, the 202 of a write that waits, live `change`). */
export const MonitoringChangeSchema = Type.Object({
  /** Decimal id (bigserial). */
  id: Type.String(),
  enterprise: Type.String(),
  /** The enterprise's region when the change was asked for (its regulators keep seeing it). */
  region: Nullable(Type.String()),
  targetType: OneOf(MONITORING_CHANGE_TARGETS),
  /** `enterprise/tag` of a point, `enterprise/code` of a hazard or gateway, the enterprise code, an alarm id. */
  targetId: Type.String(),
  /** The point's id when the target is a point known to the site model. */
  pointId: Nullable(Type.Integer()),
  kinds: Type.Array(OneOf(MONITORING_CHANGE_KINDS)),
  lines: Type.Array(MonitoringChangeLineSchema),
  before: AnyJson('the entity before, as written in the site document (or the alarm record); null on create'),
  after: AnyJson('the entity after (or as it would be, while pending); null on delete'),
  reason: Type.String(),
  /** Who asked (username), as which role of the authority table, when (ms UTC). */
  requestedBy: Type.String(),
  requestedRole: AuthorityRoleSchema,
  requestedAt: Ms(),
  status: OneOf(MONITORING_CHANGE_STATUSES),
  decidedBy: Nullable(Type.String()),
  decidedAt: Nullable(Ms()),
  decisionNote: Nullable(Type.String()),
  /** The site version the change took effect in (applied, approved). */
  siteVersion: Nullable(Type.Integer()),
});
export type MonitoringChange = Static<typeof MonitoringChangeSchema>;

export const MonitoringChangePageSchema = PageSchema(MonitoringChangeSchema);
export type MonitoringChangePage = Static<typeof MonitoringChangePageSchema>;

/**
 * Why a write weakens monitoring: the `reason` query parameter of the site-edit routes
 * (`PATCH /points/:id?reason=…`), required when the write contains a monitoring change.
 */
export const ChangeReasonSchema = Type.String({ minLength: 1, maxLength: 500 });

/** POST /changes/:id/approve and /withdraw: an optional note. */
export const ChangeNoteBodySchema = Type.Object(
  { note: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) },
  closed,
);
export type ChangeNoteBody = Static<typeof ChangeNoteBodySchema>;
/** POST /changes/:id/deny: why (required). */
export const ChangeDenyBodySchema = Type.Object(
  { note: Type.String({ minLength: 1, maxLength: 500 }) },
  closed,
);
export type ChangeDenyBody = Static<typeof ChangeDenyBodySchema>;

/**
 * A site-edit write that took effect (200/201): the site version and entity as before, plus the
 * change record when the write contained a monitoring change.
 */
export const SiteEditChangeResultSchema = Type.Object({
  siteVersion: Type.Integer(),
  value: AnyJson('the entity as written in the site document; null after a delete'),
  change: Type.Optional(MonitoringChangeSchema),
});
export type SiteEditChangeResult = Static<typeof SiteEditChangeResultSchema>;

/** 202 of a site-edit write that waits for a regulator: nothing changed yet. */
export const SiteEditPendingSchema = Type.Object({ change: MonitoringChangeSchema });
export type SiteEditPending = Static<typeof SiteEditPendingSchema>;
