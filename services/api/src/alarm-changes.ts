import type { AlarmAction, MonitoringChangeKind, MonitoringChangeLine } from '@hazardwatch/contracts';
import type { AlarmActionRequest } from './alarm-control.js';

/**
 * Alarm actions that weaken monitoring (issue #19 item 2: "long shelving/out-of-service"): taking
 * an alarm out of service, and shelving it for longer than the notice threshold (API setting
 * `shelveNoticeAfterSec`, default one 8-h shift). Both already carry a reason (the contract's
 * bodies); they are kept as change records the regulator sees, and decided per kind by the
 * authority table like site edits.
 */
export function alarmChangeKind(
  action: AlarmAction,
  untilMs: number | undefined,
  nowMs: number,
  noticeAfterMs: number,
): MonitoringChangeKind | null {
  if (action === 'remove_from_service') return 'monitoring.alarm.oos';
  if (action === 'shelve' && untilMs !== undefined && untilMs - nowMs > noticeAfterMs)
    return 'monitoring.shelve.long';
  return null;
}

/** The record's one line: the shelve expiry, or the alarm's state going out of service. */
export function alarmChangeLine(
  kind: MonitoringChangeKind,
  before: unknown,
  untilMs: number | undefined,
): MonitoringChangeLine {
  const was = (field: string): unknown =>
    typeof before === 'object' && before !== null
      ? ((before as Record<string, unknown>)[field] ?? null)
      : null;
  return kind === 'monitoring.shelve.long'
    ? { kind, field: 'shelvedUntilMs', before: was('shelvedUntilMs'), after: untilMs ?? null }
    : { kind, field: 'state', before: was('state'), after: 'OOSRV' };
}

/** What a pending alarm change stores, to act on approval. */
export interface AlarmChangeEdit {
  readonly alarm: string;
  readonly request: AlarmActionRequest;
}

export const isAlarmChangeEdit = (edit: unknown): edit is AlarmChangeEdit =>
  typeof edit === 'object' && edit !== null && typeof (edit as Record<string, unknown>)['alarm'] === 'string';
