import type { AlarmAction } from '@hazardwatch/contracts';

/** A refusal from the alarm engine: a coded error (e.g. HW_CORE_ALARM_INVALID_TRANSITION, 409). */
export interface ControlError {
  readonly code: string;
  readonly message: string;
  /** HTTP status; 409 when absent. */
  readonly status?: number | undefined;
}

/** `before`/`after`: the alarm or 预警 record around the action, as written to the audit log. */
export type ControlOutcome =
  | { readonly ok: true; readonly before: unknown; readonly after: unknown }
  | { readonly ok: false; readonly error: ControlError };

export interface AlarmActionRequest {
  readonly action: AlarmAction;
  /** Username of the caller (ISA-18.2 event actor). */
  readonly actor: string;
  readonly reason?: string;
  /** Shelve expiry, ms UTC. */
  readonly untilMs?: number;
}

/**
 * The API's seam to the alarm engine (the ingest `AlarmHost`, in process today). The API checks
 * scope and audits; the engine decides whether the action is allowed in the alarm's state and
 * stamps it with its own clock.
 */
export interface AlarmControl {
  act(alarmId: string, request: AlarmActionRequest): Promise<ControlOutcome>;
  /** 签收 */
  signWarning(warningId: string, actor: string): Promise<ControlOutcome>;
  /** 处置反馈 */
  feedbackWarning(warningId: string, actor: string, text: string): Promise<ControlOutcome>;
  /** 消警; a reason makes it a forced close when the cause is still active. */
  closeWarning(warningId: string, actor: string, reason?: string): Promise<ControlOutcome>;
}
