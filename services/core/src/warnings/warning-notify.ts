/** Builds the notifications the desk hands to a channel layer. Internal. */
import { regulatorRecipients, responsiblePersons, type WarningSiteView } from './warning-recipients.js';
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
  return Object.freeze({
    warningId: w.id,
    enterprise: w.enterprise,
    hazard: w.hazard,
    kind,
    colour: w.colour,
    level: w.level,
    ts,
    recipients: Object.freeze(recipients.map((r) => Object.freeze(r))),
  });
}

/** Union of tiers, keeping first-seen order. */
export function unionTiers(...lists: Iterable<RegulatorTier>[]): RegulatorTier[] {
  const out = new Set<RegulatorTier>();
  for (const list of lists) for (const t of list) out.add(t);
  return [...out];
}
