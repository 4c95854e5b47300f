/** Builds the notifications the desk hands to a channel layer. Internal. */
import { regulatorRecipients, responsiblePersons, type WarningSiteView } from './warning-recipients.js';
import type {
  RegulatorTier,
  WarningNotification,
  WarningNotificationKind,
  WarningRecord,
} from './warning-types.js';

export interface NotifyTargets {
  /** Include the three responsible persons. */
  readonly persons: boolean;
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
    ...(targets.persons ? responsiblePersons(site, subject) : []),
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
