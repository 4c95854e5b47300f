/**
 * Flood grouping of warning notifications. While a site (enterprise) is in an alarm flood —
 * more than 10 new alarms in 10 minutes (REFERENCE §7, ISA-18.2 / EEMUA 191) — its
 * notifications are collected into one summary per interval instead of reaching phones one by
 * one. Grouping changes delivery only: the desk records every warning and event regardless.
 *
 * Pure: the host feeds alarm annunciations (`recordAlarm`), passes notifications through `push`,
 * and calls `flush` on its own timer.
 */
import { colourRank, isWarningColour, type WarningColour } from '@hazardwatch/contracts';
import { warningErrors } from './warning-errors.js';
import type { WarningNotification, WarningNotificationKind, WarningRecipient } from './warning-types.js';

export interface NotificationGrouperOptions {
  /** One summary per enterprise per interval during a flood. @default 60000 */
  readonly intervalMs?: number;
  /** Flood: more than this many new alarms within `floodWindowMs`. @default 10 (REFERENCE §7) */
  readonly floodThreshold?: number;
  /** @default 600000 (10 min, REFERENCE §7) */
  readonly floodWindowMs?: number;
  /** Colours delivered at once even during a flood. @default [] (everything is grouped) */
  readonly passThroughColours?: readonly WarningColour[];
}

export interface WarningNotificationSummary {
  readonly kind: 'summary';
  readonly enterprise: string;
  /** Highest colour among the grouped notifications. */
  readonly colour: WarningColour;
  /** How many notifications were grouped. */
  readonly count: number;
  /** Distinct warnings, in first-seen order. */
  readonly warningIds: readonly string[];
  readonly kinds: Readonly<Partial<Record<WarningNotificationKind, number>>>;
  /** Everyone any grouped notification was for, each once. */
  readonly recipients: readonly WarningRecipient[];
  /** ts of the first and last grouped notification (ms). */
  readonly fromMs: number;
  readonly toMs: number;
  /** When the summary was released (ms). */
  readonly ts: number;
}

export type OutboundWarningNotification = WarningNotification | WarningNotificationSummary;

interface Group {
  readonly startedAt: number;
  readonly items: WarningNotification[];
}

const recipientKey = (r: WarningRecipient): string =>
  [r.role, r.regionCode, r.name, r.contact, r.userId].map((v) => v ?? '').join('\u0000');

function positive(key: string, value: number, integer: boolean): number {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value)))
    throw warningErrors.create('HW_CORE_WARNING_INVALID_GROUPING', {
      key,
      problem: `must be a positive ${integer ? 'integer' : 'number'}, got ${String(value)}`,
    });
  return value;
}

function summarise(
  enterprise: string,
  items: readonly WarningNotification[],
  ts: number,
): WarningNotificationSummary {
  const ids = new Set<string>();
  const kinds: Partial<Record<WarningNotificationKind, number>> = {};
  const recipients = new Map<string, WarningRecipient>();
  let colour: WarningColour = 'blue';
  let fromMs = Infinity;
  let toMs = -Infinity;
  for (const n of items) {
    ids.add(n.warningId);
    kinds[n.kind] = (kinds[n.kind] ?? 0) + 1;
    for (const r of n.recipients) if (!recipients.has(recipientKey(r))) recipients.set(recipientKey(r), r);
    if (colourRank(n.colour) > colourRank(colour)) colour = n.colour;
    fromMs = Math.min(fromMs, n.ts);
    toMs = Math.max(toMs, n.ts);
  }
  return Object.freeze({
    kind: 'summary',
    enterprise,
    colour,
    count: items.length,
    warningIds: Object.freeze([...ids]),
    kinds: Object.freeze(kinds),
    recipients: Object.freeze([...recipients.values()]),
    fromMs,
    toMs,
    ts,
  });
}

export class NotificationGrouper {
  readonly intervalMs: number;
  readonly floodThreshold: number;
  readonly floodWindowMs: number;
  readonly #passThrough: ReadonlySet<WarningColour>;
  /** Per enterprise, the newest `floodThreshold + 1` alarm times, ascending: enough to decide "> threshold in the window". */
  readonly #recent = new Map<string, number[]>();
  readonly #groups = new Map<string, Group>();

  /** Throws HW_CORE_WARNING_INVALID_GROUPING for bad options (configuration). */
  constructor(options: NotificationGrouperOptions = {}) {
    this.intervalMs = positive('intervalMs', options.intervalMs ?? 60_000, false);
    this.floodThreshold = positive('floodThreshold', options.floodThreshold ?? 10, true);
    this.floodWindowMs = positive('floodWindowMs', options.floodWindowMs ?? 600_000, false);
    const pass = options.passThroughColours ?? [];
    for (const c of pass)
      if (!isWarningColour(c))
        throw warningErrors.create('HW_CORE_WARNING_INVALID_GROUPING', {
          key: 'passThroughColours',
          problem: `has unknown colour "${String(c)}"`,
        });
    this.#passThrough = new Set(pass);
  }

  /** A new alarm annunciation at an enterprise (ms UTC); drives flood detection. */
  recordAlarm(enterprise: string, tsMs: number): void {
    if (!Number.isFinite(tsMs)) return;
    let recent = this.#recent.get(enterprise);
    if (recent === undefined) this.#recent.set(enterprise, (recent = []));
    // Insert in order (arrival order is not trusted, ARCHITECTURE "Time"), keep the newest n + 1.
    let i = recent.length;
    while (i > 0 && (recent[i - 1] ?? 0) > tsMs) i--;
    recent.splice(i, 0, tsMs);
    if (recent.length > this.floodThreshold + 1) recent.shift();
  }

  /** More than `floodThreshold` alarms in the window (nowMs − floodWindowMs, nowMs]. */
  inFlood(enterprise: string, nowMs: number): boolean {
    const recent = this.#recent.get(enterprise);
    if (recent === undefined || recent.length <= this.floodThreshold) return false;
    const oldest = recent[0] ?? -Infinity;
    const newest = recent[recent.length - 1] ?? Infinity;
    return oldest > nowMs - this.floodWindowMs && newest <= nowMs;
  }

  /**
   * Deliver now (returned) or hold for the enterprise's summary (empty answer). When a flood has
   * ended, a held group is released before the new notification, keeping order.
   */
  push(notification: WarningNotification, nowMs: number): readonly OutboundWarningNotification[] {
    const e = notification.enterprise;
    const flood = this.inFlood(e, nowMs);
    if (flood && !this.#passThrough.has(notification.colour)) {
      const group = this.#groups.get(e);
      if (group === undefined) this.#groups.set(e, { startedAt: nowMs, items: [notification] });
      else group.items.push(notification);
      return [];
    }
    const out: OutboundWarningNotification[] = [];
    if (!flood) this.#release(e, nowMs, out);
    out.push(notification);
    return out;
  }

  /** Release every group whose interval has elapsed, or whose enterprise is out of flood. */
  flush(nowMs: number): readonly OutboundWarningNotification[] {
    const out: OutboundWarningNotification[] = [];
    for (const [e, group] of [...this.#groups]) {
      if (nowMs >= group.startedAt + this.intervalMs || !this.inFlood(e, nowMs)) this.#release(e, nowMs, out);
    }
    return out;
  }

  /** Notifications held, per enterprise (for shutdown: flush them or hand them over). */
  pending(): ReadonlyMap<string, readonly WarningNotification[]> {
    return new Map([...this.#groups].map(([e, g]) => [e, Object.freeze([...g.items])]));
  }

  #release(enterprise: string, nowMs: number, out: OutboundWarningNotification[]): void {
    const group = this.#groups.get(enterprise);
    if (group === undefined) return;
    this.#groups.delete(enterprise);
    // A single held notification goes out as itself; a summary of one says less.
    const only = group.items.length === 1 ? group.items[0] : undefined;
    out.push(only ?? summarise(enterprise, group.items, nowMs));
  }
}
