/**
 * How an alarm event's actor and reason read (issue #21; docs/journal.md): the engine's own events
 * show 系统 / System and their reason in the reader's language (the `systemReason` messages; the
 * codes are @hazardwatch/contracts system-reason.ts). A person's text is shown exactly as typed,
 * and a text the table does not know as stored.
 */
import {
  SYSTEM_EVENT_ACTOR,
  eventSystemReason,
  type ReasonedEvent,
  type SystemReason,
} from '@hazardwatch/contracts';
import type { Translate } from '../quality/loss-reason.js';

/** A duration in whole minutes when it is one, else in seconds (the engine stores ms). */
function duration(ms: number, t: Translate): string {
  return ms % 60_000 === 0
    ? t('systemReason.minutes', { n: ms / 60_000 })
    : t('systemReason.seconds', { n: ms / 1000 });
}

/** The named parameters of a reason's message, colours and conditions in the reader's words. */
function params(r: SystemReason, t: Translate): Record<string, string | number> {
  switch (r.code) {
    case 'REALARM_SEVERITY':
      return {
        from: t(`colour.${r.from}`),
        to: t(`colour.${r.to}`),
        cause: t(`systemReason.cause.${r.cause}`),
      };
    case 'CONDITION_ACTIVE_CAUSE':
    case 'REALARM_ACTIVE_AGAIN_CAUSE':
      return { cause: t(`systemReason.platformCause.${r.cause}`) };
    case 'CHATTERING':
      return { count: r.count, window: duration(r.windowS * 1000, t) };
    case 'REALARM_AFTER_ACK':
    case 'CHATTERING_ENDED':
      return { duration: duration(r.ms, t) };
    case 'SUPPRESSED_BY':
    case 'SUPPRESSOR_CLEARED':
      return { by: t(`condition.${r.by}`) };
    default:
      return {};
  }
}

/** The event's reason as the reader sees it; '' when it has none. */
export function eventReasonText(e: ReasonedEvent, t: Translate): string {
  const r = eventSystemReason(e);
  if (r === null) return e.reason ?? '';
  return t(`systemReason.${r.code}`, params(r, t));
}

/** 系统 / System for the engine, the user's name otherwise. */
export const eventActorText = (actor: string, t: Translate): string =>
  actor === SYSTEM_EVENT_ACTOR ? t('journal.system') : actor;
