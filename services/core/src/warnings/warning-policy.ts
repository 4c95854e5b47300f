/**
 * Timeouts, initial push and downgrade policy of the 预警 loop, compiled to a frozen normal form
 * (STYLE rule 6).
 *
 * PROVISIONAL DEFAULTS. The national handling timeouts (enterprise sign/feedback minutes, regulator
 * verification hours) were not found (REFERENCE §1 and §9); provincial rules (辽应急发〔2021〕10号,
 * Changzhou 2020, Jilin 2020) set them and must be read before these numbers are trusted. They are
 * ours, chosen so that a more serious colour is answered faster, and every one is configurable.
 */
import {
  isWarningColour,
  WARNING_CLOSE_AFTER,
  WARNING_CLOSERS,
  WARNING_COLOURS,
  type WarningClosing,
  type WarningColour,
} from '@hazardwatch/contracts';
import { warningErrors } from './warning-errors.js';
import {
  RESPONSIBLE_ROLES,
  WARNING_NOTIFICATION_KINDS,
  type RegulatorTier,
  type ResponsibleRole,
  type WarningNotificationKind,
} from './warning-types.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

export interface WarningColourTimeouts {
  /** Sign (签收) within this long of the timer start; null = no sign deadline. */
  readonly signWithinMs: number | null;
  /** Handling feedback (处置反馈) within this long of the timer start; null = no deadline. */
  readonly feedbackWithinMs: number | null;
  /** A missed deadline escalates to the next administrative level; false = reminder only. */
  readonly escalate: boolean;
}

/** Provisional defaults (see the file comment): red 5 min / 30 min; orange 15 min / 2 h; yellow 60 min / 24 h; blue no escalation, feedback 72 h. */
export const DEFAULT_WARNING_TIMEOUTS: Readonly<Record<WarningColour, WarningColourTimeouts>> = Object.freeze(
  {
    red: Object.freeze({ signWithinMs: 5 * MIN, feedbackWithinMs: 30 * MIN, escalate: true }),
    orange: Object.freeze({ signWithinMs: 15 * MIN, feedbackWithinMs: 2 * HOUR, escalate: true }),
    yellow: Object.freeze({ signWithinMs: 60 * MIN, feedbackWithinMs: 24 * HOUR, escalate: true }),
    blue: Object.freeze({ signWithinMs: null, feedbackWithinMs: 72 * HOUR, escalate: false }),
  },
);

/**
 * Regulator tiers pushed when a warning opens, besides the three responsible persons. Default:
 * the grassroots regulator (county/park) for every colour, as the national system does
 * (REFERENCE §1, S1); higher tiers hear of it through escalation.
 */
export const DEFAULT_INITIAL_TIERS: Readonly<Record<WarningColour, readonly RegulatorTier[]>> = Object.freeze(
  {
    red: Object.freeze(['county'] as const),
    orange: Object.freeze(['county'] as const),
    yellow: Object.freeze(['county'] as const),
    blue: Object.freeze(['county'] as const),
  },
);

/** Provisional: a lower rolled-up colour must hold 30 min before the warning steps down one colour. */
export const DEFAULT_DOWNGRADE_STEP_MS = 30 * MIN;

/**
 * Who closes (消警) a colour and after which state. Default: red and orange are closed by a
 * regulator after its verification (核查) of the enterprise's feedback; yellow and blue by the
 * enterprise after its feedback (issue #19; the 包保责任制 gives the regulators the higher colours).
 */
export const DEFAULT_WARNING_CLOSING: Readonly<Record<WarningColour, WarningClosing>> = Object.freeze({
  red: Object.freeze({ closedBy: 'regulator', after: 'verified' } as const),
  orange: Object.freeze({ closedBy: 'regulator', after: 'verified' } as const),
  yellow: Object.freeze({ closedBy: 'enterprise', after: 'feedback' } as const),
  blue: Object.freeze({ closedBy: 'enterprise', after: 'feedback' } as const),
});

/** Which of the three responsible persons a notification of each kind (step) goes to. */
export type WarningRecipientSteps = Readonly<Record<WarningNotificationKind, readonly ResponsibleRole[]>>;

const ALL_THREE: readonly ResponsibleRole[] = Object.freeze(['principal', 'technical', 'operational']);
const steps = (routine: readonly ResponsibleRole[]): WarningRecipientSteps =>
  Object.freeze({
    opened: Object.freeze([...routine]),
    upgraded: Object.freeze([...routine]),
    // An escalation or a 督办 means the enterprise's answer is late: the 主要负责人 hears of it too.
    escalated: ALL_THREE,
    reminder: Object.freeze([...routine]),
    urged: ALL_THREE,
    closed: Object.freeze([...routine]),
  });

/**
 * PROVISIONAL DEFAULTS (like the timeouts): red and orange go to all three responsible persons
 * (主要 / 技术 / 操作负责人) at every step; yellow to the technical and operational ones, blue to the
 * operational one — except escalations and 督办, which every colour sends to all three.
 */
export const DEFAULT_WARNING_RECIPIENTS: Readonly<Record<WarningColour, WarningRecipientSteps>> =
  Object.freeze({
    red: steps(ALL_THREE),
    orange: steps(ALL_THREE),
    yellow: steps(['technical', 'operational']),
    blue: steps(['operational']),
  });

export interface WarningPolicyOptions {
  /** Per-colour overrides, merged over the defaults. @default DEFAULT_WARNING_TIMEOUTS */
  readonly timeouts?: Partial<Record<WarningColour, Partial<WarningColourTimeouts>>>;
  /** Per-colour regulator tiers pushed at open. @default DEFAULT_INITIAL_TIERS */
  readonly initialTiers?: Partial<Record<WarningColour, readonly RegulatorTier[]>>;
  /**
   * How long a lower observed colour must hold before the warning steps down one colour; each
   * step restarts the wait. null disables downgrading. @default DEFAULT_DOWNGRADE_STEP_MS
   */
  readonly downgradeStepMs?: number | null;
  /** Per-colour closing rules, merged over the defaults. @default DEFAULT_WARNING_CLOSING */
  readonly closing?: Partial<Record<WarningColour, Partial<WarningClosing>>>;
  /**
   * Per colour and step, the responsible persons notified, merged over the defaults (a step given
   * replaces that step's list; [] = none of the three). @default DEFAULT_WARNING_RECIPIENTS
   */
  readonly recipients?: Partial<
    Record<WarningColour, Partial<Record<WarningNotificationKind, readonly ResponsibleRole[]>>>
  >;
}

export interface WarningPolicy {
  readonly timeouts: Readonly<Record<WarningColour, WarningColourTimeouts>>;
  readonly initialTiers: Readonly<Record<WarningColour, readonly RegulatorTier[]>>;
  readonly downgradeStepMs: number | null;
  readonly closing: Readonly<Record<WarningColour, WarningClosing>>;
  readonly recipients: Readonly<Record<WarningColour, WarningRecipientSteps>>;
}

const POLICY_KEYS = new Set(['timeouts', 'initialTiers', 'downgradeStepMs', 'closing', 'recipients']);
const CLOSING_KEYS = new Set(['closedBy', 'after']);
const STEPS: readonly string[] = WARNING_NOTIFICATION_KINDS;
const ROLES: readonly string[] = RESPONSIBLE_ROLES;
const TIMEOUT_KEYS = new Set(['signWithinMs', 'feedbackWithinMs', 'escalate']);
const TIERS: readonly string[] = ['county', 'city', 'province'];

function fail(key: string, problem: string): never {
  throw warningErrors.create('HW_CORE_WARNING_INVALID_POLICY', { key, problem });
}

function checkDuration(key: string, value: unknown): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    fail(key, `must be a positive number of ms or null, got ${JSON.stringify(value) ?? typeof value}`);
  return value;
}

function checkColourKeys(key: string, value: object): void {
  for (const k of Object.keys(value)) if (!isWarningColour(k)) fail(`${key}.${k}`, 'is not a 预警 colour');
}

function compileTimeouts(
  overrides: WarningPolicyOptions['timeouts'],
): Record<WarningColour, WarningColourTimeouts> {
  if (overrides !== undefined) checkColourKeys('timeouts', overrides);
  const out = {} as Record<WarningColour, WarningColourTimeouts>;
  for (const colour of WARNING_COLOURS) {
    const o = overrides?.[colour] ?? {};
    for (const k of Object.keys(o))
      if (!TIMEOUT_KEYS.has(k)) fail(`timeouts.${colour}.${k}`, 'is not a known key');
    const d = DEFAULT_WARNING_TIMEOUTS[colour];
    const escalate = o.escalate ?? d.escalate;
    if (typeof escalate !== 'boolean') fail(`timeouts.${colour}.escalate`, 'must be a boolean');
    out[colour] = Object.freeze({
      signWithinMs: checkDuration(
        `timeouts.${colour}.signWithinMs`,
        o.signWithinMs === undefined ? d.signWithinMs : o.signWithinMs,
      ),
      feedbackWithinMs: checkDuration(
        `timeouts.${colour}.feedbackWithinMs`,
        o.feedbackWithinMs === undefined ? d.feedbackWithinMs : o.feedbackWithinMs,
      ),
      escalate,
    });
  }
  return out;
}

function compileTiers(
  overrides: WarningPolicyOptions['initialTiers'],
): Record<WarningColour, readonly RegulatorTier[]> {
  if (overrides !== undefined) checkColourKeys('initialTiers', overrides);
  const out = {} as Record<WarningColour, readonly RegulatorTier[]>;
  for (const colour of WARNING_COLOURS) {
    const tiers = overrides?.[colour] ?? DEFAULT_INITIAL_TIERS[colour];
    for (const t of tiers)
      if (!TIERS.includes(t)) fail(`initialTiers.${colour}`, `has unknown tier "${String(t)}"`);
    out[colour] = Object.freeze([...new Set(tiers)]);
  }
  return out;
}

function checkObject(key: string, value: unknown): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(key, 'must be an object');
}

function compileClosing(overrides: WarningPolicyOptions['closing']): Record<WarningColour, WarningClosing> {
  if (overrides !== undefined) {
    checkObject('closing', overrides);
    checkColourKeys('closing', overrides);
  }
  const out = {} as Record<WarningColour, WarningClosing>;
  for (const colour of WARNING_COLOURS) {
    const o: Partial<WarningClosing> = overrides?.[colour] ?? {};
    checkObject(`closing.${colour}`, o);
    for (const k of Object.keys(o))
      if (!CLOSING_KEYS.has(k)) fail(`closing.${colour}.${k}`, 'is not a known key');
    const d = DEFAULT_WARNING_CLOSING[colour];
    const closedBy = o.closedBy ?? d.closedBy;
    if (!WARNING_CLOSERS.includes(closedBy))
      fail(`closing.${colour}.closedBy`, `must be one of ${WARNING_CLOSERS.join(', ')}`);
    const after = o.after ?? d.after;
    if (!WARNING_CLOSE_AFTER.includes(after))
      fail(`closing.${colour}.after`, `must be one of ${WARNING_CLOSE_AFTER.join(', ')} (never before 签收)`);
    out[colour] = Object.freeze({ closedBy, after });
  }
  return out;
}

function compileRecipients(
  overrides: WarningPolicyOptions['recipients'],
): Record<WarningColour, WarningRecipientSteps> {
  if (overrides !== undefined) {
    checkObject('recipients', overrides);
    checkColourKeys('recipients', overrides);
  }
  const out = {} as Record<WarningColour, WarningRecipientSteps>;
  for (const colour of WARNING_COLOURS) {
    const o = overrides?.[colour] ?? {};
    checkObject(`recipients.${colour}`, o);
    for (const k of Object.keys(o))
      if (!STEPS.includes(k)) fail(`recipients.${colour}.${k}`, `is not a step (${STEPS.join(', ')})`);
    const d = DEFAULT_WARNING_RECIPIENTS[colour];
    const compiled = {} as Record<WarningNotificationKind, readonly ResponsibleRole[]>;
    for (const step of WARNING_NOTIFICATION_KINDS) {
      const roles: unknown = o[step] ?? d[step];
      if (!Array.isArray(roles)) fail(`recipients.${colour}.${step}`, 'must be a list of roles');
      for (const r of roles as unknown[])
        if (typeof r !== 'string' || !ROLES.includes(r))
          fail(`recipients.${colour}.${step}`, `has unknown role "${String(r)}" (${ROLES.join(', ')})`);
      compiled[step] = Object.freeze([...new Set(roles as ResponsibleRole[])]);
    }
    out[colour] = Object.freeze(compiled);
  }
  return out;
}

/** Validate and freeze a policy. Throws HW_CORE_WARNING_INVALID_POLICY naming the bad key. */
export function compileWarningPolicy(options: WarningPolicyOptions = {}): WarningPolicy {
  for (const k of Object.keys(options)) if (!POLICY_KEYS.has(k)) fail(k, 'is not a known key');
  return Object.freeze({
    timeouts: Object.freeze(compileTimeouts(options.timeouts)),
    initialTiers: Object.freeze(compileTiers(options.initialTiers)),
    downgradeStepMs:
      options.downgradeStepMs === undefined
        ? DEFAULT_DOWNGRADE_STEP_MS
        : checkDuration('downgradeStepMs', options.downgradeStepMs),
    closing: Object.freeze(compileClosing(options.closing)),
    recipients: Object.freeze(compileRecipients(options.recipients)),
  });
}
