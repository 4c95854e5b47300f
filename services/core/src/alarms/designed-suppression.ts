/**
 * ISA-18.2 designed (state-based) suppression of a limit ladder (REFERENCE §7 state DSUPR, §8
 * item 15; IEC 62682 = GB/T 41261-2022; issue #19 item 8): while the HH condition of a point
 * holds, the H alarm of the same point is suppressed by design — DSUPR, not RTNUN with the value
 * still above H — and LL suppresses L alike. The operator is shown the one alarm that matters;
 * the lower one is neither counted as standing or unacknowledged, nor rolled up twice, nor
 * annunciated again as new.
 *
 * The two halves:
 * - The threshold evaluator (evaluation/threshold-evaluator.ts) keeps H inactive while HH holds:
 *   a jump straight to HH never opens an H alarm, and H is raised again when HH clears with the
 *   value still past H. Its H clear at the HH hand-over is therefore not a return to normal.
 * - This module decides, per point, whether an open H (L) alarm is suppressed: while the same
 *   lane's HH (LL) alarm has its condition active, whatever that alarm's own state. Following the
 *   condition, not the HH alarm's presentation, matches the evaluator: a shelved HH still holds
 *   H inactive there, so H stays DSUPR until HH clears.
 *
 * Decisions (ISA-18.2: suppression hides the annunciation; it does not acknowledge anything):
 * - Suppression takes an annunciated alarm (UNACK, ACKED, RTNUN), or one being raised while HH
 *   holds (NORM → DSUPR, never a flash of UNACK). A shelved, out-of-service or otherwise
 *   suppressed alarm is left as it is (precedence OOSRV > DSUPR > SHLVD, alarm-record.ts; an
 *   operator's suppression or a chattering suppression is not the design's to end).
 * - H already UNACK (or RTNUN) when HH came: the acknowledgement requirement is kept and comes
 *   back on unsuppression if the condition still holds — UNACK.
 * - H already ACKED when HH came: the operator acknowledged this occurrence, and its condition
 *   held throughout (the ladder reports it inactive only because HH holds); it comes back ACKED
 *   (DSUPR → C), without a second acknowledgement for the same occurrence.
 * - The condition no longer holds when HH clears (the value fell below H with HH): back to NORM
 *   and closed, as ISA-18.2 returns from DSUPR to A on a normal condition — also when H was
 *   unacknowledged. The HH alarm carries the unacknowledged return (RTNUN) of the excursion.
 * - A late alarm (replayed readings) is suppressed only by a late HH, a live one by a live HH:
 *   the two lanes tell different times.
 * - An operator cannot unsuppress a designed suppression: it ends by its rule.
 * Every change is an append-only event by `system` with its reason ("suppressed by HH").
 */
import type { AlarmCondition } from '@hazardwatch/contracts';
import { SYSTEM_ACTOR, Stepper, type Step } from './alarm-lifecycle.js';
import type { AlarmRecord } from './alarm-record.js';

/** Lower condition → the higher one of its side that suppresses it by design. */
const SUPPRESSED_BY: Readonly<Partial<Record<AlarmCondition, AlarmCondition>>> = { H: 'HH', L: 'LL' };
/** Higher condition → the lower one it suppresses. */
const SUPPRESSES: Readonly<Partial<Record<AlarmCondition, AlarmCondition>>> = { HH: 'H', LL: 'L' };

/** The condition that suppresses `condition` by design (H → HH, L → LL), if any. */
export const suppressorOf = (condition: AlarmCondition): AlarmCondition | undefined =>
  SUPPRESSED_BY[condition];

/** The condition that `condition` suppresses by design (HH → H, LL → L), if any. */
export const suppressedBy = (condition: AlarmCondition): AlarmCondition | undefined => SUPPRESSES[condition];

/** The alarm is DSUPR by design (not by an operator or the chattering rule). */
export const isDesignSuppressed = (alarm: AlarmRecord): boolean =>
  alarm.state === 'DSUPR' && alarm.designSuppression !== undefined;

/** `suppressor` (the point's HH or LL alarm, if open) holds `alarm` (its H or L) suppressed. */
export function holdsSuppressed(suppressor: AlarmRecord | undefined, alarm: AlarmRecord): boolean {
  return (
    suppressor !== undefined &&
    suppressor.active &&
    suppressor.source.kind === 'point' &&
    suppressor.sourceKey === alarm.sourceKey &&
    suppressorOf(alarm.condition) === suppressor.condition &&
    (suppressor.late === true) === (alarm.late === true)
  );
}

/** States that designed suppression takes over (see the file comment). */
const SUPPRESSIBLE: ReadonlySet<AlarmRecord['state']> = new Set(['NORM', 'UNACK', 'ACKED', 'RTNUN']);

/** Suppress `alarm` by design while `by` holds; no step for a state it leaves alone. */
export function applyDesignSuppression(
  alarm: AlarmRecord,
  by: AlarmCondition,
  ts: number,
  value: number | null = alarm.value,
): Step | null {
  if (!SUPPRESSIBLE.has(alarm.state)) return null;
  const s = new Stepper(alarm, alarm.late === true);
  const reason = `suppressed by ${by}`;
  s.go('DSUPR', ts, SYSTEM_ACTOR, reason, value, {
    suppressReason: reason,
    suppressedBy: SYSTEM_ACTOR,
    designSuppression: { by, acked: alarm.state === 'ACKED' },
  });
  return s.done();
}

/**
 * The suppressing condition cleared: the alarm returns to its real state — NORM if its condition
 * no longer holds, ACKED if it was acknowledged before, else UNACK (see the file comment).
 */
export function applyDesignRelease(alarm: AlarmRecord, ts: number): Step | null {
  const design = alarm.designSuppression;
  if (alarm.state !== 'DSUPR' || design === undefined) return null;
  const s = new Stepper(alarm, alarm.late === true);
  const to = !alarm.active ? 'NORM' : design.acked ? 'ACKED' : 'UNACK';
  s.go(to, ts, SYSTEM_ACTOR, `${design.by} no longer in alarm`, alarm.value);
  return s.done();
}
