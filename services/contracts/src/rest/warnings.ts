import { Type, type Static } from '@sinclair/typebox';
import {
  AlarmConditionSchema,
  AnyJson,
  closed,
  Ms,
  Nullable,
  OneOf,
  PageSchema,
  WarningColourSchema,
} from './shapes.js';
import { NotificationDeliverySchema } from './notifications.js';

/**
 * 预警 handling loop (docs/warnings.md): pushed → signed (签收) → feedback (处置反馈) → verified
 * (核查, by a regulator) → closed (消警). Which states a close needs, and which side closes, is
 * the colour's closing rule (WarningClosingSchema).
 */
export const WARNING_STATES = ['pushed', 'signed', 'feedback', 'verified', 'closed'] as const;
export type WarningState = (typeof WARNING_STATES)[number];

/** Administrative level answerable for a 预警: the enterprise, then the regulators up the chain. */
export const WARNING_LEVELS = ['enterprise', 'county', 'city', 'province'] as const;
export type WarningLevel = (typeof WARNING_LEVELS)[number];

/**
 * The side an action on a 预警 is taken by: the enterprise (operator, safety manager), a regulator
 * by the tier of its region (park and town count as county), or the administrator (break-glass).
 */
export const WARNING_PARTIES = ['enterprise', 'county', 'city', 'province', 'admin'] as const;
export type WarningParty = (typeof WARNING_PARTIES)[number];

/** Append-only event types of a 预警. */
export const WARNING_EVENT_TYPES = [
  'opened',
  'upgraded',
  'downgraded',
  'signed',
  'feedback',
  'urged',
  'verified',
  'escalated',
  'overdue',
  'closed',
] as const;
export type WarningEventType = (typeof WARNING_EVENT_TYPES)[number];

/** Handling steps with a deadline: 签收, 处置反馈, and the deadline of the last 督办. */
export const WARNING_STEPS = ['sign', 'feedback', 'urge'] as const;
export type WarningStep = (typeof WARNING_STEPS)[number];

/**
 * The actions a person takes on a 预警, in the loop's order: 签收, 处置反馈, 督办, 核查, 消警
 * (POST /warnings/:id/<action>). Which of them a caller may take now is the server's answer
 * (WarningDetailSchema.steps).
 */
export const WARNING_ACTIONS = ['sign', 'feedback', 'urge', 'verify', 'close'] as const;
export type WarningAction = (typeof WARNING_ACTIONS)[number];

/** GET /warnings: one 预警 row. */
export const WarningRowSchema = Type.Object({
  id: Type.String(),
  enterprise: Type.String(),
  hazard: Nullable(Type.String()),
  colour: WarningColourSchema,
  state: OneOf(WARNING_STATES),
  /** Administrative level answerable now; for a closed 预警 the level it was closed at. */
  level: Nullable(OneOf(WARNING_LEVELS)),
  openedAt: Ms(),
  updatedAt: Ms(),
  closedAt: Nullable(Ms()),
});
export type WarningRow = Static<typeof WarningRowSchema>;
export const WarningPageSchema = PageSchema(WarningRowSchema);
export type WarningPage = Static<typeof WarningPageSchema>;

/** One append-only event of a 预警, with who did it, when, and what they wrote. */
export const WarningEventSchema = Type.Object({
  type: OneOf(WARNING_EVENT_TYPES),
  from: Nullable(OneOf(WARNING_STATES)),
  to: OneOf(WARNING_STATES),
  ts: Ms(),
  /** `system` (timers, the engine) or a username. */
  actor: Type.String(),
  /** The actor's side; null for system events. */
  party: Nullable(OneOf(WARNING_PARTIES)),
  /** Level after the event. */
  level: OneOf(WARNING_LEVELS),
  /** Colour after the event. */
  colour: WarningColourSchema,
  /** Colour before, for upgraded / downgraded. */
  previousColour: Nullable(WarningColourSchema),
  /** Feedback text, 督办 note, verification text, or close reason/remark. */
  text: Nullable(Type.String()),
  /** 督办 deadline (urged), ms UTC. */
  deadline: Nullable(Ms()),
  /** The step whose deadline passed (escalated, overdue). */
  step: Nullable(OneOf(WARNING_STEPS)),
  /** closed: true when closed while the cause was active, or by the administrator (break-glass). */
  forced: Nullable(Type.Boolean()),
  /** opened / upgraded: the alarms that caused it. */
  causeAlarmIds: Type.Array(Type.String()),
});
export type WarningEvent = Static<typeof WarningEventSchema>;

/** One cause of a 预警: an alarm, with the value that raised it and the limit it crossed. */
export const WarningCauseSchema = Type.Object({
  alarmId: Type.String(),
  pointId: Nullable(Type.Integer()),
  /** 位号 */
  tag: Nullable(Type.String()),
  name: Nullable(Type.String()),
  unit: Nullable(Type.String()),
  condition: AlarmConditionSchema,
  /** The process value when the alarm was raised. */
  value: Nullable(Type.Number()),
  /** The limit (or slope) it was compared with. */
  limit: Nullable(Type.Number()),
  raisedAt: Ms(),
  /** ISA-18.2 state now. */
  state: Type.String(),
  closedAt: Nullable(Ms()),
});
export type WarningCause = Static<typeof WarningCauseSchema>;

/**
 * One step's deadline, computed from the policy and the timer start (open, upgrade or last
 * escalation), or the 督办 deadline. `overdue`: met late, or not met and past due.
 */
export const WarningDeadlineSchema = Type.Object({
  step: OneOf(WARNING_STEPS),
  dueAt: Ms(),
  /** When the step was done (signed, feedback given); null = not yet. */
  metAt: Nullable(Ms()),
  overdue: Type.Boolean(),
});
export type WarningDeadline = Static<typeof WarningDeadlineSchema>;

/** Who may close a colour and after which state (policy data, docs/warnings.md). */
export const WARNING_CLOSERS = ['enterprise', 'regulator'] as const;
export type WarningCloser = (typeof WARNING_CLOSERS)[number];
export const WARNING_CLOSE_AFTER = ['signed', 'feedback', 'verified'] as const;
export type WarningCloseAfter = (typeof WARNING_CLOSE_AFTER)[number];
export const WarningClosingSchema = Type.Object({
  closedBy: OneOf(WARNING_CLOSERS),
  /** The least state a close needs (签收 at the very least). */
  after: OneOf(WARNING_CLOSE_AFTER),
});
export type WarningClosing = Static<typeof WarningClosingSchema>;

/** GET /warnings/:id: the whole record, the same for both sides. */
export const WarningDetailSchema = Type.Object({
  ...WarningRowSchema.properties,
  /** The closing rule of the current colour. */
  closing: WarningClosingSchema,
  /**
   * The actions THIS caller may take now, in the loop's order: the desk's rule for the caller's
   * side (core warningStepsFor: state, colour closing rule, level) and the authority table's
   * verdict `allow` on warning.<action>. A viewer, and every caller on a closed 预警, gets [].
   * The dashboard offers exactly these; the server still decides each action.
   */
  steps: Type.Array(OneOf(WARNING_ACTIONS), { maxItems: WARNING_ACTIONS.length }),
  causes: Type.Array(WarningCauseSchema),
  deadlines: Type.Array(WarningDeadlineSchema),
  /** Every delivery (recipient × channel) of this 预警's notifications, oldest first. */
  deliveries: Type.Array(NotificationDeliverySchema),
  events: Type.Array(WarningEventSchema),
});
export type WarningDetail = Static<typeof WarningDetailSchema>;

/**
 * GET /warnings/records: the whole records of a list of 预警 in one answer (the phone page shows
 * each open one's cause, step and deadline, which the rows lack), in the caller's scope, each
 * with the steps THIS caller may take — as GET /warnings/:id answers them one by one.
 */
export const WarningRecordPageSchema = PageSchema(WarningDetailSchema);
export type WarningRecordPage = Static<typeof WarningRecordPageSchema>;

/** POST /warnings/:id/{sign,feedback,urge,verify,close}: the engine's new 预警 record. */
export const WarningActionResultSchema = Type.Object({
  id: Type.String(),
  warning: AnyJson("the 预警 engine's record after the action"),
});
export type WarningActionResult = Static<typeof WarningActionResultSchema>;

const Text = Type.String({ minLength: 1, maxLength: 4000 });

/**
 * Bodies of POST /warnings/:id/<verb>: 签收, 处置反馈 (text), 督办 (note and deadline, ms UTC in
 * the future), 核查 (text), 消警 (a reason is required when the cause is still active).
 */
export const WarningActionBodySchemas = {
  sign: Type.Object({}, closed),
  feedback: Type.Object({ text: Text }, closed),
  urge: Type.Object({ text: Text, deadline: Type.Number({ minimum: 0, maximum: 8.64e15 }) }, closed),
  verify: Type.Object({ text: Text }, closed),
  close: Type.Object({ reason: Type.Optional(Text) }, closed),
};
export type WarningActionBodies = {
  [V in keyof typeof WarningActionBodySchemas]: Static<(typeof WarningActionBodySchemas)[V]>;
};
