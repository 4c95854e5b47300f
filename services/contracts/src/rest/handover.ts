/**
 * The shift handover log, 交接班记录 (issue #21; docs/handover.md): at the end of a shift the
 * outgoing person on duty (交班人) writes notes and hands the duty desk over; the server records
 * what was open at that moment (alarms and 预警 of the desk's scope); the incoming person (接班人),
 * another user of the same desk, accepts with an optional note. Once accepted the record never
 * changes; records are kept and searchable.
 *
 * A duty desk is an enterprise's duty room (值班室: its operators) or a regulator's duty centre
 * (24 小时值班: the regulators of one region).
 */
import { Type, type Static } from '@sinclair/typebox';
import { AuthorityRoleSchema } from './auth.js';
import { WARNING_LEVELS, WARNING_STATES } from './warnings.js';
import {
  AlarmConditionSchema,
  AlarmStateSchema,
  Ms,
  Nullable,
  OneOf,
  PageSchema,
  WarningColourSchema,
  closed,
} from './shapes.js';

/** `pending`: handed over, waiting for the incoming person; `accepted`: taken over (final). */
export const HANDOVER_STATUSES = ['pending', 'accepted'] as const;
export type HandoverStatus = (typeof HANDOVER_STATUSES)[number];

/** An enterprise's duty room, or a regulator's duty centre for one region. */
export const HANDOVER_DESK_KINDS = ['enterprise', 'region'] as const;
export type HandoverDeskKind = (typeof HANDOVER_DESK_KINDS)[number];

export const HandoverDeskSchema = Type.Object({
  kind: OneOf(HANDOVER_DESK_KINDS),
  /** The enterprise's code (统一社会信用代码) or the region's code. */
  code: Type.String(),
});
export type HandoverDesk = Static<typeof HandoverDeskSchema>;

/** One alarm open at handover, as it stood then. */
export const HandoverAlarmSchema = Type.Object({
  id: Type.String(),
  condition: AlarmConditionSchema,
  state: AlarmStateSchema,
  colour: Nullable(WarningColourSchema),
  enterprise: Nullable(Type.String()),
  pointId: Nullable(Type.Integer()),
  tag: Nullable(Type.String()),
  hazard: Nullable(Type.String()),
  /** Raised at (ms UTC). */
  since: Ms(),
});
export type HandoverAlarm = Static<typeof HandoverAlarmSchema>;

/** One 预警 open (not 消警) at handover, as it stood then. */
export const HandoverWarningSchema = Type.Object({
  id: Type.String(),
  colour: WarningColourSchema,
  state: OneOf(WARNING_STATES),
  level: Nullable(OneOf(WARNING_LEVELS)),
  enterprise: Type.String(),
  hazard: Nullable(Type.String()),
  /** Opened at (ms UTC). */
  since: Ms(),
});
export type HandoverWarning = Static<typeof HandoverWarningSchema>;

/**
 * What was open in the desk's scope when it was handed over, read by the server from its own
 * records (never taken from the client). The lists hold at most HANDOVER_SNAPSHOT_LIMIT items
 * each, newest first; the totals count them all.
 */
export const HandoverSnapshotSchema = Type.Object({
  takenAt: Ms(),
  alarms: Type.Array(HandoverAlarmSchema),
  alarmTotal: Type.Integer(),
  warnings: Type.Array(HandoverWarningSchema),
  warningTotal: Type.Integer(),
});
export type HandoverSnapshot = Static<typeof HandoverSnapshotSchema>;

/** Items kept per list in a snapshot (a region's duty centre may see hundreds of open alarms). */
export const HANDOVER_SNAPSHOT_LIMIT = 200;

/** One handover record (GET /handovers, GET /handovers/:id, the answers of the writes). */
export const HandoverSchema = Type.Object({
  /** Decimal id (bigserial). */
  id: Type.String(),
  desk: HandoverDeskSchema,
  /** The desk's region at handover (an enterprise's region, or the region itself). */
  region: Nullable(Type.String()),
  /** 交班人: username and role in the authority table. */
  outgoingUser: Type.String(),
  outgoingRole: AuthorityRoleSchema,
  notes: Type.String(),
  createdAt: Ms(),
  snapshot: HandoverSnapshotSchema,
  status: OneOf(HANDOVER_STATUSES),
  /** 接班人, when accepted. */
  incomingUser: Nullable(Type.String()),
  incomingRole: Nullable(AuthorityRoleSchema),
  acceptedAt: Nullable(Ms()),
  acceptNote: Nullable(Type.String()),
});
export type Handover = Static<typeof HandoverSchema>;

export const HandoverPageSchema = PageSchema(HandoverSchema);
export type HandoverPage = Static<typeof HandoverPageSchema>;

/** POST /handovers: the outgoing person's notes (交班记事). */
export const HandoverCreateBodySchema = Type.Object(
  { notes: Type.String({ minLength: 1, maxLength: 4000 }) },
  closed,
);
export type HandoverCreateBody = Static<typeof HandoverCreateBodySchema>;

/** POST /handovers/:id/accept: the incoming person's note, optional. */
export const HandoverAcceptBodySchema = Type.Object(
  { note: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })) },
  closed,
);
export type HandoverAcceptBody = Static<typeof HandoverAcceptBodySchema>;

/** GET /handovers/snapshot: the caller's desk and what a handover now would record. */
export const HandoverPreviewSchema = Type.Object({
  desk: HandoverDeskSchema,
  snapshot: HandoverSnapshotSchema,
});
export type HandoverPreview = Static<typeof HandoverPreviewSchema>;
