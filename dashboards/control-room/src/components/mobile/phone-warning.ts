/**
 * What the phone page (issue #22) derives from a 预警 record: the loop's current step, the deadline
 * that presses now, the causes in words, and the order of the list. Pure: the views and their tests
 * share it.
 */
import {
  colourRank,
  type WarningAction,
  type WarningCause,
  type WarningClosing,
  type WarningDeadline,
  type WarningDetail,
  type WarningRow,
  type WarningState,
  type WarningStep,
} from '@hazardwatch/contracts';
import type { Locale } from '../../i18n/index.js';
import { formatLimit, formatValue } from '../../logic/format.js';

/**
 * The step the loop waits for in `state` under the colour's closing rule (docs/warnings.md §1, §3):
 * 签收, then 处置反馈, then 核查 where the colour needs a regulator's verification, then 消警; none
 * once closed. Whose step it is, is the server's answer (`steps`), not this.
 */
export function currentStep(state: WarningState, closing: WarningClosing): WarningAction | null {
  switch (state) {
    case 'pushed':
      return 'sign';
    case 'signed':
      return closing.after === 'signed' && closing.closedBy === 'enterprise' ? 'close' : 'feedback';
    case 'feedback':
      return closing.after === 'verified' ? 'verify' : 'close';
    case 'verified':
      return 'close';
    case 'closed':
      return null;
  }
}

/**
 * Whether the loop waits for the caller: the server offers the caller the current step. (An
 * enterprise may feed back again while a regulator's 核查 is awaited; that is not its turn.)
 */
export function callersTurn(w: Pick<WarningDetail, 'state' | 'closing' | 'steps'>): boolean {
  const step = currentStep(w.state, w.closing);
  return step !== null && w.steps.includes(step);
}

/** An open step's deadline as the phone shows it: due at, and the time left (negative = overdue). */
export interface PressingDeadline {
  readonly step: WarningStep;
  readonly dueAt: number;
  /** ms until due at `now`; negative when past due. */
  readonly leftMs: number;
  readonly overdue: boolean;
}

/** The open deadline due first (签收, 处置反馈 or the 督办's), or null when every step is met. */
export function pressingDeadline(
  deadlines: readonly WarningDeadline[],
  now: number,
): PressingDeadline | null {
  let best: WarningDeadline | null = null;
  for (const d of deadlines) if (d.metAt === null && (best === null || d.dueAt < best.dueAt)) best = d;
  if (best === null) return null;
  const leftMs = best.dueAt - now;
  return { step: best.step, dueAt: best.dueAt, leftMs, overdue: best.overdue || leftMs < 0 };
}

/** The parts of a cause sentence: point (位号 and name), the condition's key, value and limit with unit. */
export interface CauseWords {
  readonly point: string;
  readonly condition: string;
  readonly value: string;
  readonly limit: string;
}

export function causeWords(c: WarningCause, locale: Locale): CauseWords {
  // A no-break space: `90 %` never breaks between the number and its unit on a narrow screen.
  const unit = c.unit ? `\u00a0${c.unit}` : '';
  const point = [c.tag, c.name].filter((s): s is string => s !== null && s !== '').join(' ');
  const limit = formatLimit(c.condition, c.limit, locale);
  const timed = c.condition === 'STALE' || c.condition === 'GATEWAY_OFFLINE';
  return {
    point: point === '' ? '—' : point,
    condition: c.condition,
    value: c.value === null ? '—' : `${formatValue(c.value)}${unit}`,
    limit: c.limit === null ? '—' : timed ? limit : `${limit}${unit}`,
  };
}

/**
 * The list's order: the caller's turn first (what the phone is for), then the higher colour,
 * then the deadline due first, then the newest.
 */
export function phoneOrder(
  a: { row: WarningRow; detail: WarningDetail | null },
  b: { row: WarningRow; detail: WarningDetail | null },
  now: number,
): number {
  const mine = (x: typeof a): number => (x.detail !== null && callersTurn(x.detail) ? 0 : 1);
  const due = (x: typeof a): number =>
    x.detail === null ? Infinity : (pressingDeadline(x.detail.deadlines, now)?.dueAt ?? Infinity);
  return (
    mine(a) - mine(b) ||
    colourRank(b.row.colour) - colourRank(a.row.colour) ||
    (due(a) === due(b) ? 0 : due(a) < due(b) ? -1 : 1) ||
    b.row.openedAt - a.row.openedAt
  );
}
