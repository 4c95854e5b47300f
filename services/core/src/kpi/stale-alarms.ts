/**
 * Stale alarms: alarms whose condition has been active (UNACK or ACKED) for more than 24 h at
 * the end of the range (REFERENCE §7: fewer than 5 on any day). The state of each alarm is
 * rebuilt from its events before `toMs`, including events before the range: an alarm raised last
 * month and still active is stale now.
 *
 * "Active since" is the time the alarm entered UNACK/ACKED from any other state; ACKED↔UNACK
 * re-alarms do not restart it. If an alarm's first known event is already inside the active
 * states (history cut), that event's time is used, which can only under-state the age.
 * Events of one alarm with equal timestamps are taken in input order.
 */
import type { AlarmCondition, AlarmEvent, AlarmState } from '@hazardwatch/contracts';
import { compareText } from './alarm-annunciation.js';

export interface KpiStaleAlarm {
  readonly alarmId: string;
  readonly sourceKey: string;
  /** null for a gateway alarm. */
  readonly pointId: number | null;
  readonly condition: AlarmCondition;
  readonly state: AlarmState;
  readonly activeSinceMs: number;
  readonly ageMs: number;
}

const ACTIVE: ReadonlySet<AlarmState> = new Set<AlarmState>(['UNACK', 'ACKED']);

interface Tracked {
  ts: number;
  event: AlarmEvent;
  activeSinceMs: number | null;
}

/** Ordered by age, oldest first, then alarm id. */
export function findStaleAlarms(
  events: readonly AlarmEvent[],
  include: (e: AlarmEvent) => boolean,
  toMs: number,
  staleAfterMs: number,
): KpiStaleAlarm[] {
  const latest = new Map<string, Tracked>();
  // Sort the indices of relevant events once, by time then input order: O(n log n).
  const idx: number[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e !== undefined && e.ts < toMs && include(e)) idx.push(i);
  }
  idx.sort((a, b) => (events[a]?.ts ?? 0) - (events[b]?.ts ?? 0) || a - b);
  for (const i of idx) {
    const e = events[i];
    if (e === undefined) continue;
    const prev = latest.get(e.alarmId);
    const wasActive = prev === undefined ? ACTIVE.has(e.from) : ACTIVE.has(prev.event.to);
    let since: number | null = null;
    if (ACTIVE.has(e.to)) since = wasActive ? (prev?.activeSinceMs ?? e.ts) : e.ts;
    latest.set(e.alarmId, { ts: e.ts, event: e, activeSinceMs: since });
  }
  const out: KpiStaleAlarm[] = [];
  for (const [alarmId, t] of latest) {
    if (t.activeSinceMs === null) continue;
    const ageMs = toMs - t.activeSinceMs;
    if (ageMs > staleAfterMs)
      out.push(
        Object.freeze({
          alarmId,
          sourceKey: t.event.sourceKey,
          pointId: t.event.pointId,
          condition: t.event.condition,
          state: t.event.to,
          activeSinceMs: t.activeSinceMs,
          ageMs,
        }),
      );
  }
  return out.sort((a, b) => a.activeSinceMs - b.activeSinceMs || compareText(a.alarmId, b.alarmId));
}
