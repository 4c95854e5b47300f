/**
 * The 预警 part of a duty report (docs/warnings.md; REFERENCE §1, §8 items 2 and 20).
 *
 * Counted: the 预警 standing at some time in the period (opened before its end, not closed before
 * its start). Of those opened in the period — the handling the period owes — how many were signed
 * (签收), fed back (处置反馈), verified (核查) and closed (消警) by the time of the report, and
 * whether on time: the loop's deadlines are the policy's (sign within, feedback within, and the
 * regulator's 督办 deadline), judged by core `warningDeadlines` exactly as the 预警 record shows them
 * (`endMs`: the close for a closed 预警, the report time for an open one). 核查 and 消警 carry no
 * deadline in the policy, so they are counted without an on-time figure.
 */
import type { WarningColour, WarningState, WarningStep } from '@hazardwatch/contracts';
import { warningDeadlines, type DeadlineEvent } from '../warnings/warning-deadlines.js';
import type { WarningPolicy } from '../warnings/warning-policy.js';

/** A 预警 with its events (time order), as the store reads them for a report. */
export interface ReportWarningInput {
  readonly id: string;
  readonly enterprise: string;
  readonly hazard: string | null;
  /** Its colour now (a closed one: at the close). */
  readonly colour: WarningColour;
  readonly state: WarningState;
  readonly openedAt: number;
  readonly closedAt: number | null;
  readonly events: readonly DeadlineEvent[];
}

export interface ReportOverdueWarning {
  readonly id: string;
  readonly enterprise: string;
  readonly hazard: string | null;
  readonly colour: WarningColour;
  readonly state: WarningState;
  readonly openedAt: number;
  /** The steps whose deadline was missed (met late, or past due and not met). */
  readonly steps: readonly WarningStep[];
}

export interface ReportWarningCounts {
  readonly red: number;
  readonly orange: number;
  readonly yellow: number;
  readonly blue: number;
}

export interface ReportWarnings {
  /** Standing at some time in the period. */
  readonly standing: number;
  /** Opened in the period, by colour now. */
  readonly opened: number;
  readonly openedByColour: ReportWarningCounts;
  /** Opened before the period and still open at its start. */
  readonly carriedOver: number;
  /** Closed (消警) within the period, whenever opened. */
  readonly closedInPeriod: number;
  /** Still open at the end of the period (or now, for a partial period). */
  readonly openAtEnd: number;
  /** Of those opened in the period, by the time of the report: */
  readonly signed: number;
  readonly signedOnTime: number;
  readonly fedBack: number;
  readonly fedBackOnTime: number;
  readonly verified: number;
  readonly closed: number;
  /** Closed, and no deadline of the loop (签收, 处置反馈, 督办) missed. */
  readonly handledOnTime: number;
  /** At least one deadline missed. */
  readonly overdue: number;
  /** The overdue ones, oldest first, at most `listed`. */
  readonly overdueItems: readonly ReportOverdueWarning[];
}

/** Overdue 预警 listed in a report (the count is all of them). */
export const REPORT_OVERDUE_LISTED = 100;

const has = (w: ReportWarningInput, type: DeadlineEvent['type']): boolean =>
  w.events.some((e) => e.type === type);

/**
 * @param range the period: [fromMs, toMs) and `endMs` (toMs, or now for a partial period).
 * @param nowMs the report time: an open 预警's deadlines are judged at it.
 */
export function reportWarnings(
  warnings: readonly ReportWarningInput[],
  range: { readonly fromMs: number; readonly toMs: number; readonly endMs: number },
  policy: WarningPolicy,
  nowMs: number,
  listed = REPORT_OVERDUE_LISTED,
): ReportWarnings {
  const counts = {
    standing: 0,
    opened: 0,
    carriedOver: 0,
    closedInPeriod: 0,
    openAtEnd: 0,
    signed: 0,
    signedOnTime: 0,
    fedBack: 0,
    fedBackOnTime: 0,
    verified: 0,
    closed: 0,
    handledOnTime: 0,
    overdue: 0,
  };
  const openedByColour = { red: 0, orange: 0, yellow: 0, blue: 0 };
  const overdueItems: ReportOverdueWarning[] = [];
  const sorted = [...warnings].sort((a, b) => a.openedAt - b.openedAt || (a.id < b.id ? -1 : 1));
  for (const w of sorted) {
    if (w.openedAt >= range.toMs || (w.closedAt !== null && w.closedAt < range.fromMs)) continue;
    counts.standing++;
    if (w.closedAt !== null && w.closedAt >= range.fromMs && w.closedAt < range.toMs) counts.closedInPeriod++;
    if (w.closedAt === null || w.closedAt >= range.endMs) counts.openAtEnd++;
    if (w.openedAt < range.fromMs) {
      counts.carriedOver++;
      continue;
    }
    counts.opened++;
    openedByColour[w.colour]++;
    const deadlines = warningDeadlines(w.events, w.colour, policy, w.closedAt ?? nowMs);
    const missed = deadlines.filter((d) => d.overdue).map((d) => d.step);
    const met = (step: WarningStep): boolean => {
      const d = deadlines.find((x) => x.step === step);
      // A colour without this deadline (blue has no sign deadline): done is on time.
      return d === undefined || (d.metAt !== null && !d.overdue);
    };
    if (has(w, 'signed')) {
      counts.signed++;
      if (met('sign')) counts.signedOnTime++;
    }
    if (has(w, 'feedback')) {
      counts.fedBack++;
      if (met('feedback')) counts.fedBackOnTime++;
    }
    if (has(w, 'verified')) counts.verified++;
    if (w.closedAt !== null) {
      counts.closed++;
      if (missed.length === 0) counts.handledOnTime++;
    }
    if (missed.length > 0) {
      counts.overdue++;
      if (overdueItems.length < listed)
        overdueItems.push({
          id: w.id,
          enterprise: w.enterprise,
          hazard: w.hazard,
          colour: w.colour,
          state: w.state,
          openedAt: w.openedAt,
          steps: missed,
        });
    }
  }
  return { ...counts, openedByColour, overdueItems };
}
