import type { AlarmAction } from '@hazardwatch/contracts';
import type { AlarmHost } from './alarm-host.js';

/** A refusal, as JSON (structurally the API's ControlError). */
export interface AppliedActionError {
  readonly code: string;
  readonly message: string;
  /** HTTP status; 409 when absent. */
  readonly status?: number | undefined;
}

/**
 * What applying an operator action gave: the record before and after (for the audit log), or the
 * engine's coded refusal. Plain JSON, so it can travel through `alarm_action_requests.outcome`.
 */
export type AppliedAction =
  | { readonly ok: true; readonly before: unknown; readonly after: unknown }
  | { readonly ok: false; readonly error: AppliedActionError };

/** One operator action on the alarm engine: the same four verbs the API offers. */
export type AlarmActionCommand =
  | {
      readonly kind: 'alarm.act';
      readonly alarmId: string;
      readonly actor: string;
      readonly action: AlarmAction;
      readonly reason?: string | undefined;
      readonly untilMs?: number | undefined;
    }
  | { readonly kind: 'warning.sign'; readonly warningId: string; readonly actor: string }
  | {
      readonly kind: 'warning.feedback';
      readonly warningId: string;
      readonly actor: string;
      readonly text: string;
    }
  | {
      readonly kind: 'warning.close';
      readonly warningId: string;
      readonly actor: string;
      readonly reason?: string | undefined;
    };

type Result = { readonly ok: boolean; readonly error?: unknown };

function outcome(before: unknown, result: Result, after: () => unknown): AppliedAction {
  if (result.ok) return { ok: true, before, after: after() };
  const e = result.error as { code: string; message: string; status?: number };
  return {
    ok: false,
    error: { code: e.code, message: e.message, ...(e.status !== undefined ? { status: e.status } : {}) },
  };
}

/**
 * Applies an operator action through the alarm engine of this process — the one path both the
 * in-process API (`hazardwatch serve`) and the forwarded requests of a separate API take, so the
 * two answer alike. The engine stamps the action with its own clock and decides whether the
 * alarm's or 预警's state allows it.
 */
export function applyAlarmAction(host: AlarmHost, command: AlarmActionCommand): AppliedAction {
  switch (command.kind) {
    case 'alarm.act': {
      const id = command.alarmId;
      const before = host.book.get(id) ?? null;
      const result = host.act(
        { alarmId: id },
        {
          action: command.action,
          actor: command.actor,
          ...(command.reason !== undefined ? { reason: command.reason } : {}),
          ...(command.untilMs !== undefined ? { untilMs: command.untilMs } : {}),
        },
      );
      return outcome(
        before,
        result,
        () =>
          (result.ok ? result.value.alarms.find((a) => a.id === id) : undefined) ?? host.book.get(id) ?? null,
      );
    }
    case 'warning.sign': {
      const before = host.desk.get(command.warningId) ?? null;
      return outcome(
        before,
        host.signWarning(command.warningId, command.actor),
        () => host.desk.get(command.warningId) ?? null,
      );
    }
    case 'warning.feedback': {
      const before = host.desk.get(command.warningId) ?? null;
      return outcome(
        before,
        host.feedbackWarning(command.warningId, command.actor, command.text),
        () => host.desk.get(command.warningId) ?? null,
      );
    }
    case 'warning.close': {
      const id = command.warningId;
      const before = host.desk.get(id) ?? null;
      return outcome(
        before,
        host.closeWarning(id, command.actor, command.reason),
        () => host.desk.get(id) ?? { id, state: 'closed' },
      );
    }
  }
}
