/**
 * Deadlines per handling step, computed from a warning's events and the policy — the same rules
 * the desk's timers run on (warning-timers.ts), so the record a person reads and the escalation
 * they get agree. Works for closed warnings too (their events are all that is left).
 */
import type { WarningColour, WarningDeadline, WarningEventType } from '@hazardwatch/contracts';
import type { WarningPolicy } from './warning-policy.js';

/** The part of an event the deadlines depend on. */
export interface DeadlineEvent {
  readonly type: WarningEventType;
  /** ms UTC. */
  readonly ts: number;
  /** `urged`: the 督办 deadline. */
  readonly deadline?: number | null;
}

const firstAfter = (events: readonly DeadlineEvent[], type: WarningEventType, from: number): number | null =>
  events.find((e) => e.type === type && e.ts >= from)?.ts ?? null;

function deadline(
  step: WarningDeadline['step'],
  dueAt: number,
  metAt: number | null,
  endMs: number,
): WarningDeadline {
  return { step, dueAt, metAt, overdue: metAt === null ? endMs >= dueAt : metAt > dueAt };
}

/**
 * Sign and feedback run from the timer start (the last open, upgrade or escalation) with the
 * colour's timeouts; an upgrade asks for a new signature and feedback, so only events since the
 * last open/upgrade meet them. The 督办 deadline is met by feedback given after the 督办.
 * `endMs`: now for an open warning, its close time for a closed one. Events in time order.
 */
export function warningDeadlines(
  events: readonly DeadlineEvent[],
  colour: WarningColour,
  policy: WarningPolicy,
  endMs: number,
): WarningDeadline[] {
  let cycleStart: number | null = null;
  let urge: DeadlineEvent | null = null;
  for (const e of events) {
    if (e.type === 'opened' || e.type === 'upgraded') cycleStart = e.ts;
    else if (e.type === 'urged') urge = e;
  }
  const out: WarningDeadline[] = [];
  if (cycleStart === null) return out;
  const t = policy.timeouts[colour];
  const signedAt = firstAfter(events, 'signed', cycleStart);
  const fedBackAt = firstAfter(events, 'feedback', cycleStart);
  if (t.signWithinMs !== null)
    out.push(deadline('sign', timerStart(events, cycleStart, signedAt) + t.signWithinMs, signedAt, endMs));
  if (t.feedbackWithinMs !== null)
    out.push(
      deadline('feedback', timerStart(events, cycleStart, fedBackAt) + t.feedbackWithinMs, fedBackAt, endMs),
    );
  if (urge !== null && typeof urge.deadline === 'number')
    out.push(deadline('urge', urge.deadline, firstAfter(events, 'feedback', urge.ts), endMs));
  return out;
}

/**
 * The timer start a step ran on: the last open, upgrade or escalation since `cycleStart` and not
 * after the step was met (an escalation restarts the timers of the steps still outstanding).
 */
function timerStart(events: readonly DeadlineEvent[], cycleStart: number, metAt: number | null): number {
  let at = cycleStart;
  for (const e of events)
    if (
      (e.type === 'escalated' || e.type === 'opened' || e.type === 'upgraded') &&
      e.ts >= cycleStart &&
      (metAt === null || e.ts <= metAt)
    )
      at = e.ts;
  return at;
}
