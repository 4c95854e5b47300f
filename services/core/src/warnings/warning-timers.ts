/**
 * Time-driven changes of one open warning: missed sign/feedback deadlines (escalation or
 * reminder) and stepwise downgrade when the cause improves. Pure; the desk calls it from `tick`
 * and before every action, so timer events always precede a later user action in the log.
 *
 * Timer events carry the instant the deadline passed, not the instant `tick` ran: the result is
 * the same whether the host ticks every second or once an hour, and each escalation restarts the
 * timers at that instant (REFERENCE §8 item 20, provisional).
 */
import { colourRank } from '@hazardwatch/contracts';
import type { WarningPolicy } from './warning-policy.js';
import { colourBelow } from './warning-colour.js';
import { buildNotification, unionTiers } from './warning-notify.js';
import { nextEscalationLevel, type WarningSiteView } from './warning-recipients.js';
import type { WarningEvent, WarningNotification, WarningRecord, WarningStep } from './warning-types.js';

export interface WarningOutput {
  readonly events: WarningEvent[];
  readonly notifications: WarningNotification[];
}

/**
 * The earliest unreported deadline of a warning. Both deadlines run from `timerStartMs` (open,
 * upgrade or last escalation): "sign within 5 min, feedback within 30 min" of the push. Signing
 * does not restart the feedback timer.
 */
export function nextDeadline(
  w: WarningRecord,
  policy: WarningPolicy,
): { step: WarningStep; at: number } | null {
  const t = policy.timeouts[w.colour];
  let best: { step: WarningStep; at: number } | null = null;
  if (w.state === 'pushed' && t.signWithinMs !== null && !w.overdue.includes('sign'))
    best = { step: 'sign', at: w.timerStartMs + t.signWithinMs };
  const awaitingFeedback = w.state === 'pushed' || w.state === 'signed';
  if (awaitingFeedback && t.feedbackWithinMs !== null && !w.overdue.includes('feedback')) {
    const at = w.timerStartMs + t.feedbackWithinMs;
    if (best === null || at < best.at) best = { step: 'feedback', at };
  }
  // 督办: answered by handling feedback (which clears it); otherwise due at its own deadline.
  const urge = w.urge ?? null;
  if (urge !== null && (best === null || urge.deadlineMs < best.at))
    best = { step: 'urge', at: urge.deadlineMs };
  return best;
}

/** When the warning steps down one colour, if the observed colour stays below it. */
export function nextDowngradeAt(w: WarningRecord, policy: WarningPolicy): number | null {
  if (policy.downgradeStepMs === null || w.improvingSinceMs === null || w.colour === 'blue') return null;
  if (colourRank(w.observedColour) >= colourRank(w.colour)) return null;
  return w.improvingSinceMs + policy.downgradeStepMs;
}

function missDeadline(
  site: WarningSiteView,
  policy: WarningPolicy,
  w: WarningRecord,
  step: WarningStep,
  at: number,
  out: WarningOutput,
): WarningRecord {
  const base = { warningId: w.id, enterprise: w.enterprise, hazard: w.hazard, from: w.state, to: w.state };
  const persons = policy.recipients[w.colour];
  if (step === 'urge') {
    // A missed 督办 deadline is reported once and reminded (persons, the current level and the
    // urging regulator); it does not escalate: a regulator is already on it.
    const reminded: WarningRecord = { ...w, urge: null, updatedAt: at };
    out.events.push({
      ...base,
      type: 'overdue',
      ts: at,
      actor: 'system',
      colour: w.colour,
      level: w.level,
      step,
    });
    const tiers = unionTiers(w.level === 'enterprise' ? [] : [w.level], w.urge?.tier ? [w.urge.tier] : []);
    out.notifications.push(
      buildNotification(site, reminded, 'reminder', at, { policy, persons: persons.reminder, tiers }),
    );
    return reminded;
  }
  const next = policy.timeouts[w.colour].escalate ? nextEscalationLevel(site, w.enterprise, w.level) : null;
  if (next !== null) {
    const escalated: WarningRecord = {
      ...w,
      level: next,
      notifiedTiers: unionTiers(w.notifiedTiers, [next]),
      timerStartMs: at,
      overdue: [],
      updatedAt: at,
    };
    out.events.push({
      ...base,
      type: 'escalated',
      ts: at,
      actor: 'system',
      colour: w.colour,
      level: next,
      step,
    });
    out.notifications.push(
      // The next regulator level, and the responsible persons are kept informed (issue #19).
      buildNotification(site, escalated, 'escalated', at, {
        policy,
        persons: persons.escalated,
        tiers: [next],
      }),
    );
    return escalated;
  }
  // No escalation for this colour, or already at the top level: record it once and remind.
  const reminded: WarningRecord = { ...w, overdue: [...w.overdue, step], updatedAt: at };
  out.events.push({
    ...base,
    type: 'overdue',
    ts: at,
    actor: 'system',
    colour: w.colour,
    level: w.level,
    step,
  });
  out.notifications.push(
    buildNotification(site, reminded, 'reminder', at, {
      policy,
      persons: persons.reminder,
      tiers: w.level === 'enterprise' ? [] : [w.level],
    }),
  );
  return reminded;
}

function downgrade(w: WarningRecord, at: number, out: WarningOutput): WarningRecord {
  const colour = colourBelow(w.colour);
  const stillImproving = colourRank(w.observedColour) < colourRank(colour) && colour !== 'blue';
  out.events.push({
    warningId: w.id,
    enterprise: w.enterprise,
    hazard: w.hazard,
    type: 'downgraded',
    from: w.state,
    to: w.state,
    ts: at,
    actor: 'system',
    colour,
    previousColour: w.colour,
    level: w.level,
  });
  return { ...w, colour, improvingSinceMs: stillImproving ? at : null, updatedAt: at };
}

/**
 * Apply every deadline and downgrade due at or before `nowMs`, in time order. A deadline and a
 * downgrade at the same instant: the deadline first (an improvement does not excuse a miss).
 */
export function advanceWarning(
  site: WarningSiteView,
  policy: WarningPolicy,
  record: WarningRecord,
  nowMs: number,
  out: WarningOutput,
): WarningRecord {
  let w = record;
  // Each step raises the level, marks a step overdue or lowers the colour, so the loop is
  // bounded (3 levels × 2 steps + 3 colours, per timer restart); the guard is belt and braces.
  for (let guard = 0; guard < 100; guard++) {
    const deadline = nextDeadline(w, policy);
    const down = nextDowngradeAt(w, policy);
    if (deadline !== null && deadline.at <= nowMs && (down === null || deadline.at <= down)) {
      w = missDeadline(site, policy, w, deadline.step, deadline.at, out);
    } else if (down !== null && down <= nowMs) {
      w = downgrade(w, down, out);
    } else {
      break;
    }
  }
  return w;
}
