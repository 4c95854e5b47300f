/** Builds the notifications the desk hands to a channel layer. Internal. */
import { regulatorRecipients, responsiblePersons, type WarningSiteView } from './warning-recipients.js';
import type { WarningPolicy } from './warning-policy.js';
import type {
  RegulatorTier,
  ResponsibleRole,
  WarningNotification,
  WarningNotificationKind,
  WarningRecord,
} from './warning-types.js';

export interface NotifyTargets {
  /** Which of the three responsible persons (the policy's recipients for the colour and step). */
  readonly persons: readonly ResponsibleRole[];
  readonly tiers: Iterable<RegulatorTier>;
  /** The compiled policy, for the deadline the notification announces. */
  readonly policy: WarningPolicy;
}

/**
 * The deadline a notification announces (ms UTC), or null: for a 督办, its deadline; otherwise
 * the next step still outstanding on the record's timers — 签收 while pushed, 处置反馈 until
 * feedback. A closed 预警 has none.
 */
export function announcedDeadline(
  policy: WarningPolicy,
  w: WarningRecord,
  kind: WarningNotificationKind,
): number | null {
  if (kind === 'closed') return null;
  if (kind === 'urged') return w.urge?.deadlineMs ?? null;
  const t = policy.timeouts[w.colour];
  if (w.state === 'pushed' && t.signWithinMs !== null) return w.timerStartMs + t.signWithinMs;
  if ((w.state === 'pushed' || w.state === 'signed') && t.feedbackWithinMs !== null)
    return w.timerStartMs + t.feedbackWithinMs;
  return null;
}

export function buildNotification(
  site: WarningSiteView,
  w: WarningRecord,
  kind: WarningNotificationKind,
  ts: number,
  targets: NotifyTargets,
): WarningNotification {
  const subject = { enterprise: w.enterprise, hazard: w.hazard };
  const recipients = [
    ...responsiblePersons(site, subject).filter((p) =>
      (targets.persons as readonly string[]).includes(p.role),
    ),
    ...regulatorRecipients(site, w.enterprise, targets.tiers),
  ];
  const deadlineMs = announcedDeadline(targets.policy, w, kind);
  return Object.freeze({
    warningId: w.id,
    enterprise: w.enterprise,
    hazard: w.hazard,
    kind,
    colour: w.colour,
    level: w.level,
    ts,
    ...(deadlineMs === null ? {} : { deadlineMs }),
    recipients: Object.freeze(recipients.map((r) => Object.freeze(r))),
  });
}

/** Union of tiers, keeping first-seen order. */
export function unionTiers(...lists: Iterable<RegulatorTier>[]): RegulatorTier[] {
  const out = new Set<RegulatorTier>();
  for (const list of lists) for (const t of list) out.add(t);
  return [...out];
}
