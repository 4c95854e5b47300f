/**
 * What the 预警 record view derives from GET /warnings/:id: deliveries grouped by recipient (one
 * person or group reached over several channels reads as one line), and a deadline's status now.
 */
import type { DeliveryRecipient, NotificationDelivery, WarningDeadline } from '@hazardwatch/contracts';

export interface RecipientGroup {
  readonly key: string;
  readonly recipient: DeliveryRecipient | null;
  readonly deliveries: readonly NotificationDelivery[];
}

export function groupByRecipient(deliveries: readonly NotificationDelivery[]): RecipientGroup[] {
  const groups = new Map<
    string,
    { recipient: DeliveryRecipient | null; deliveries: NotificationDelivery[] }
  >();
  for (const d of deliveries) {
    const r = d.recipient;
    const key = r ? `${r.role}|${r.name ?? ''}|${r.regionCode ?? ''}` : `-|${d.channel}`;
    const g = groups.get(key) ?? { recipient: r, deliveries: [] };
    g.deliveries.push(d);
    groups.set(key, g);
  }
  return [...groups].map(([key, g]) => ({ key, ...g }));
}

export type DeadlineStatus =
  | { readonly kind: 'met'; readonly late: boolean; readonly at: number }
  | { readonly kind: 'open'; readonly overdue: boolean; readonly ms: number };

/** Met (on time or late), or open with the time left (or how long overdue) at `now`. */
export function deadlineStatus(d: WarningDeadline, now: number): DeadlineStatus {
  if (d.metAt !== null) return { kind: 'met', late: d.overdue, at: d.metAt };
  const overdue = d.overdue || now > d.dueAt;
  return { kind: 'open', overdue, ms: Math.abs(d.dueAt - now) };
}

/** Met late, or open past its due time. */
export const isLate = (s: DeadlineStatus): boolean => (s.kind === 'met' ? s.late : s.overdue);
