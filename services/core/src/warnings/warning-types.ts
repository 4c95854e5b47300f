/**
 * The 预警 (early warning) handling loop: vocabulary. REFERENCE §1 (预警 vs 报警, 闭环 closed loop,
 * 包保责任制) and §8 items 2 and 20.
 *
 * A 预警 is what the system pushes to people when a hazard's (or an enterprise's) rolled-up
 * colour rises; it is not an alarm (报警). Its handling runs push → sign (签收) → handling
 * feedback (处置反馈) → verification (核查) → close (消警), with timeouts that escalate up the
 * administrative chain and 督办 (urging) by the regulators. docs/warnings.md.
 */
import type {
  WarningColour,
  WarningEventType,
  WarningParty,
  WarningState,
  WarningStep,
} from '@hazardwatch/contracts';

/** Handling states, in loop order (`closed` is final): the wire vocabulary of GET /warnings. */
export {
  WARNING_STATES,
  WARNING_PARTIES,
  WARNING_STEPS,
  type WarningParty,
  type WarningState,
  type WarningStep,
} from '@hazardwatch/contracts';
export type OpenWarningState = Exclude<WarningState, 'closed'>;

/**
 * Administrative levels a warning is handled at, innermost first. `county` covers both county
 * (县/区) and chemical-park (化工园区) administrations: both are the grassroots regulator
 * (REFERENCE §1, S1: "pushes 预警 to grassroots regulators"). Towns (乡镇/街道) are not regulators.
 */
export const ESCALATION_LEVELS = ['enterprise', 'county', 'city', 'province'] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];
export type RegulatorTier = Exclude<EscalationLevel, 'enterprise'>;

/** 包保责任制 roles (主要 / 技术 / 操作负责人), REFERENCE §1 and §8 item 2. */
export const RESPONSIBLE_ROLES = ['principal', 'technical', 'operational'] as const;
export type ResponsibleRole = (typeof RESPONSIBLE_ROLES)[number];

/** What a warning is about: one major hazard, or a whole enterprise (`hazard` null). */
export interface WarningSubject {
  readonly enterprise: string;
  readonly hazard: string | null;
}

/**
 * Who acts on a warning: a user id (username) and its side (enterprise, a regulator tier, admin),
 * which the host derives from the user's role and region; the desk decides with the side.
 */
export interface WarningActor {
  readonly id: string;
  readonly party: WarningParty;
}

/** The 督办 in force: its deadline, until handling feedback answers it or it is reported overdue. */
export interface WarningUrge {
  /** ms UTC. */
  readonly urgedAt: number;
  /** ms UTC. */
  readonly deadlineMs: number;
  /** The urging regulator's tier (told when the deadline passes); null for the administrator. */
  readonly tier: RegulatorTier | null;
}

/**
 * The state of one open warning, as kept by the desk and persisted by the host (`load` restores
 * it after a restart). Plain data; the desk never mutates a record, it replaces it.
 */
export interface WarningRecord {
  readonly id: string;
  readonly enterprise: string;
  readonly hazard: string | null;
  readonly colour: WarningColour;
  readonly state: OpenWarningState;
  /** Level currently answerable for the warning; starts at `enterprise`. */
  readonly level: EscalationLevel;
  /** Regulator tiers told about this warning so far (initial push and escalations). */
  readonly notifiedTiers: readonly RegulatorTier[];
  readonly causeAlarmIds: readonly string[];
  /** ms UTC. */
  readonly openedAt: number;
  /** Start of the sign/feedback timers (ms UTC): the open, the last upgrade or the last escalation. */
  readonly timerStartMs: number;
  /** Steps already reported overdue without escalation since `timerStartMs`. */
  readonly overdue: readonly WarningStep[];
  /** The unanswered 督办, if any (absent in records stored before issue #19 = none). */
  readonly urge: WarningUrge | null;
  /** Rolled-up colour the host last reported; null = back to normal. */
  readonly observedColour: WarningColour | null;
  /** Since when (ms) the observed colour has been below the warning's colour; null = not improving. */
  readonly improvingSinceMs: number | null;
  /** ts of the last event of this warning (ms); actions earlier than this are refused. */
  readonly updatedAt: number;
}

export { WARNING_EVENT_TYPES, type WarningEventType } from '@hazardwatch/contracts';

/** One append-only change of a warning (REFERENCE §8 item 15 applies to 预警 as to alarms). */
export interface WarningEvent {
  readonly warningId: string;
  readonly enterprise: string;
  readonly hazard: string | null;
  readonly type: WarningEventType;
  /** null only for `opened`. */
  readonly from: WarningState | null;
  readonly to: WarningState;
  /** ms UTC. For timer events, the instant the deadline passed (not when `tick` noticed it). */
  readonly ts: number;
  /** `system` or a user id. */
  readonly actor: string;
  /** The actor's side; absent for system events. */
  readonly party?: WarningParty;
  /** Colour after the event. */
  readonly colour: WarningColour;
  /** Colour before, for `upgraded` / `downgraded`. */
  readonly previousColour?: WarningColour;
  /** Level after the event. */
  readonly level: EscalationLevel;
  /** Feedback text, 督办 note, verification text, forced-close reason or close remark. */
  readonly text?: string;
  /** For `urged`: the 督办 deadline, ms UTC. */
  readonly deadline?: number;
  /** For `opened` and `upgraded`: the alarms that caused it. */
  readonly causeAlarmIds?: readonly string[];
  /** For `escalated` / `overdue`: the step whose deadline passed. */
  readonly step?: WarningStep;
  /** For `closed`: true when closed by reason while the cause was active or before feedback. */
  readonly forced?: boolean;
}

export interface WarningRecipient {
  readonly role: ResponsibleRole | 'regulator';
  /** For regulators: the region (administration) code. */
  readonly regionCode?: string;
  /** For regulators: the tier the region belongs to. */
  readonly tier?: RegulatorTier;
  /** Person or region name. */
  readonly name?: string;
  /** Phone number of a responsible person. */
  readonly contact?: string;
  /** HazardWatch user id of a responsible person, for in-app routing. */
  readonly userId?: string;
}

/** Notification kinds, which are also the steps the recipients policy is written per. */
export const WARNING_NOTIFICATION_KINDS = [
  'opened',
  'upgraded',
  'escalated',
  'reminder',
  'urged',
  'closed',
] as const;
export type WarningNotificationKind = (typeof WARNING_NOTIFICATION_KINDS)[number];

/** What a channel layer (SMS, app push, socket.io) delivers. The core never sends anything. */
export interface WarningNotification {
  readonly warningId: string;
  readonly enterprise: string;
  readonly hazard: string | null;
  readonly kind: WarningNotificationKind;
  readonly colour: WarningColour;
  readonly level: EscalationLevel;
  /** ms UTC. */
  readonly ts: number;
  /** The step deadline announced (sign or feedback, or the 督办's), ms UTC; absent when none. */
  readonly deadlineMs?: number;
  readonly recipients: readonly WarningRecipient[];
}
