/**
 * The reasons the alarm engine writes on the events it makes itself (issue #21), read back from
 * the stored English text into a closed set of codes with parameters, so the journal view and its
 * exports can show them in the reader's language. What a person typed (an acknowledgement comment,
 * a shelve reason, any operator text) is never parsed: only events by `system`, and the one
 * engine text an operator's acknowledgement carries (the latched reset, ACKED → NORM), are read.
 *
 * The texts are the engine's (services/core/src/alarms/alarm-lifecycle.ts and
 * designed-suppression.ts); services/core/test/alarms/system-reasons.test.ts drives the engine
 * through every transition it makes and fails when it writes a reason this table does not know.
 * A text that matches nothing is shown as stored.
 */
import {
  ALARM_CONDITIONS,
  WARNING_COLOURS,
  type AlarmCondition,
  type AlarmState,
  type WarningColour,
} from './alarms.js';

/** The actor of every event the engine makes itself. */
export const SYSTEM_EVENT_ACTOR = 'system';

/** Causes of a severity re-alarm the engine is given (services/ingest alarm-engine.ts `recolour`). */
export const SEVERITY_CAUSES = { 'site model changed': 'SITE_MODEL_CHANGED' } as const;
export type SeverityCause = (typeof SEVERITY_CAUSES)[keyof typeof SEVERITY_CAUSES];

/**
 * Why a platform alarm's condition holds, named on the event that raises it (issue #20): a
 * TimescaleDB job is JOB_STALE because it has not succeeded on time, or because it runs but
 * leaves chunks it should have compressed / dropped; JOB_FAILED for those chunks too, or for its
 * failed run when nothing more is known. Code → the engine's English text.
 */
export const PLATFORM_CAUSE_TEXT = {
  NO_SUCCESS_ON_TIME: 'no successful run on time',
  NOT_COMPRESSED: 'chunks not compressed on time',
  NOT_DROPPED: 'expired data not dropped',
  EFFECT_NOT_MET: 'policy not carried out on time',
  RUN_FAILED: 'last run failed',
} as const;
export type PlatformCause = keyof typeof PLATFORM_CAUSE_TEXT;
export const PLATFORM_CAUSES = Object.freeze(Object.keys(PLATFORM_CAUSE_TEXT)) as readonly PlatformCause[];

export type SystemReason =
  /** NORM → UNACK. */
  | { readonly code: 'CONDITION_ACTIVE' }
  /** NORM → UNACK of a platform alarm, with why its condition holds. */
  | { readonly code: 'CONDITION_ACTIVE_CAUSE'; readonly cause: PlatformCause }
  /** UNACK → RTNUN. */
  | { readonly code: 'RETURNED_UNACKED' }
  /** ACKED → NORM. */
  | { readonly code: 'RETURNED_NORMAL' }
  /** RTNUN → UNACK. */
  | { readonly code: 'REALARM_ACTIVE_AGAIN' }
  /** RTNUN → UNACK of a platform alarm, with why its condition holds again. */
  | { readonly code: 'REALARM_ACTIVE_AGAIN_CAUSE'; readonly cause: PlatformCause }
  /** A late comment: replayed readings show the condition while the live lane holds the alarm. */
  | { readonly code: 'LATE_ALSO_ACTIVE' }
  /** A comment: live readings take over an alarm raised from replayed ones. */
  | { readonly code: 'LIVE_ACTIVE' }
  /** ACKED → UNACK on a rise of severity. */
  | {
      readonly code: 'REALARM_SEVERITY';
      readonly from: WarningColour;
      readonly to: WarningColour;
      readonly cause: SeverityCause;
    }
  /** Chattering suppression: `count` activations within `windowS` seconds. */
  | { readonly code: 'CHATTERING'; readonly count: number; readonly windowS: number }
  /** SHLVD → UNACK/NORM at the shelve's expiry. */
  | { readonly code: 'SHELVE_EXPIRED' }
  /** ACKED → UNACK: still active `ms` after the acknowledgement (re-alarm time). */
  | { readonly code: 'REALARM_AFTER_ACK'; readonly ms: number }
  /** DSUPR → UNACK/NORM: the chattering suppression ends after `ms` without an activation. */
  | { readonly code: 'CHATTERING_ENDED'; readonly ms: number }
  /** Designed suppression by the higher condition of the ladder (H by HH, L by LL). */
  | { readonly code: 'SUPPRESSED_BY'; readonly by: AlarmCondition }
  /** The suppressing condition cleared. */
  | { readonly code: 'SUPPRESSOR_CLEARED'; readonly by: AlarmCondition }
  /** ACKED → NORM by the operator's acknowledgement of a latched alarm whose condition cleared. */
  | { readonly code: 'LATCHED_RESET' };

export type SystemReasonCode = SystemReason['code'];

export const SYSTEM_REASON_CODES: readonly SystemReasonCode[] = Object.freeze([
  'CONDITION_ACTIVE',
  'CONDITION_ACTIVE_CAUSE',
  'RETURNED_UNACKED',
  'RETURNED_NORMAL',
  'REALARM_ACTIVE_AGAIN',
  'REALARM_ACTIVE_AGAIN_CAUSE',
  'LATE_ALSO_ACTIVE',
  'LIVE_ACTIVE',
  'REALARM_SEVERITY',
  'CHATTERING',
  'SHELVE_EXPIRED',
  'REALARM_AFTER_ACK',
  'CHATTERING_ENDED',
  'SUPPRESSED_BY',
  'SUPPRESSOR_CLEARED',
  'LATCHED_RESET',
] satisfies SystemReasonCode[]);

const FIXED: Readonly<Record<string, SystemReason>> = {
  'condition active': { code: 'CONDITION_ACTIVE' },
  'returned to normal unacknowledged': { code: 'RETURNED_UNACKED' },
  'returned to normal': { code: 'RETURNED_NORMAL' },
  're-alarm: condition active again': { code: 'REALARM_ACTIVE_AGAIN' },
  'late: condition also active in replayed readings': { code: 'LATE_ALSO_ACTIVE' },
  'live: condition active in live readings': { code: 'LIVE_ACTIVE' },
  'shelve expired': { code: 'SHELVE_EXPIRED' },
  'latched alarm reset by acknowledgement': { code: 'LATCHED_RESET' },
};

const oneOf = (words: readonly string[]): string => words.join('|');
const COLOUR = oneOf(WARNING_COLOURS);
const CONDITION = oneOf(ALARM_CONDITIONS);
const NUMBER = '(\\d+(?:\\.\\d+)?)';

const SEVERITY = new RegExp(`^re-alarm: severity (${COLOUR}) → (${COLOUR}) \\((.+)\\)$`);
const CHATTERING = new RegExp(`^chattering: ≥(\\d+) in ${NUMBER}s$`);
const AFTER_ACK = /^re-alarm: still active (\d+) ms after acknowledgement$/;
const CHATTER_END = /^chattering ended: quiet for (\d+) ms$/;
const SUPPRESSED = new RegExp(`^suppressed by (${CONDITION})$`);
const CLEARED = new RegExp(`^(${CONDITION}) no longer in alarm$`);

const isCause = (text: string): text is keyof typeof SEVERITY_CAUSES => Object.hasOwn(SEVERITY_CAUSES, text);

/** The text a raise (or re-alarm) of a platform alarm carries after its fixed reason: `: <cause>`, or ''. */
export const platformCauseSuffix = (cause: PlatformCause | undefined): string =>
  cause === undefined ? '' : `: ${PLATFORM_CAUSE_TEXT[cause]}`;
const PLATFORM_CAUSE_OF: ReadonlyMap<string, PlatformCause> = new Map(
  PLATFORM_CAUSES.map((c) => [PLATFORM_CAUSE_TEXT[c], c]),
);
const ACTIVE_CAUSE = /^condition active: (.+)$/;
const AGAIN_CAUSE = /^re-alarm: condition active again: (.+)$/;

/** The engine reason `text` stands for, or null for any other text (shown as stored). */
export function parseSystemReason(text: string): SystemReason | null {
  const fixed = Object.hasOwn(FIXED, text) ? FIXED[text] : undefined;
  if (fixed !== undefined) return fixed;
  let m = SEVERITY.exec(text);
  if (m !== null) {
    const cause = m[3] ?? '';
    if (!isCause(cause)) return null;
    return {
      code: 'REALARM_SEVERITY',
      from: m[1] as WarningColour,
      to: m[2] as WarningColour,
      cause: SEVERITY_CAUSES[cause],
    };
  }
  if ((m = ACTIVE_CAUSE.exec(text)) !== null) {
    const cause = PLATFORM_CAUSE_OF.get(m[1] ?? '');
    return cause === undefined ? null : { code: 'CONDITION_ACTIVE_CAUSE', cause };
  }
  if ((m = AGAIN_CAUSE.exec(text)) !== null) {
    const cause = PLATFORM_CAUSE_OF.get(m[1] ?? '');
    return cause === undefined ? null : { code: 'REALARM_ACTIVE_AGAIN_CAUSE', cause };
  }
  if ((m = CHATTERING.exec(text)) !== null)
    return { code: 'CHATTERING', count: Number(m[1]), windowS: Number(m[2]) };
  if ((m = AFTER_ACK.exec(text)) !== null) return { code: 'REALARM_AFTER_ACK', ms: Number(m[1]) };
  if ((m = CHATTER_END.exec(text)) !== null) return { code: 'CHATTERING_ENDED', ms: Number(m[1]) };
  if ((m = SUPPRESSED.exec(text)) !== null) return { code: 'SUPPRESSED_BY', by: m[1] as AlarmCondition };
  if ((m = CLEARED.exec(text)) !== null) return { code: 'SUPPRESSOR_CLEARED', by: m[1] as AlarmCondition };
  return null;
}

/** The fields of a stored alarm event this decision reads. */
export interface ReasonedEvent {
  readonly actor: string;
  readonly from: AlarmState;
  readonly to: AlarmState;
  readonly reason: string | null;
}

/**
 * The engine reason of an event, or null when its reason is a person's text or unknown. Only an
 * event by `system` is read, and the latched reset: the one engine text on an operator's event,
 * its ACKED → NORM (an operator makes no other ACKED → NORM transition, so a typed comment that
 * happens to read the same is never taken for it).
 */
export function eventSystemReason(e: ReasonedEvent): SystemReason | null {
  if (e.reason === null) return null;
  if (e.actor === SYSTEM_EVENT_ACTOR) return parseSystemReason(e.reason);
  if (e.from === 'ACKED' && e.to === 'NORM') {
    const r = parseSystemReason(e.reason);
    return r?.code === 'LATCHED_RESET' ? r : null;
  }
  return null;
}
