import type { AlarmActionCommand, AlarmActionOutcome } from '@hazardwatch/contracts';

/** An alarm action as a route hands it over: the `alarm.act` command without its tag and target. */
export type AlarmActionRequest = Omit<Extract<AlarmActionCommand, { type: 'alarm.act' }>, 'type' | 'alarmId'>;

/**
 * The API's seam to the alarm engine (the ingest `AlarmEngine`, in process or through forwarded
 * requests). The API checks scope and audits; the engine decides whether the action is allowed
 * in the alarm's state and stamps it with its own clock. Commands and outcomes are the contracts'
 * action protocol (`AlarmActionCommand`, `AlarmActionOutcome`).
 */
export interface AlarmControl {
  act(alarmId: string, request: AlarmActionRequest): Promise<AlarmActionOutcome>;
  /** 签收 */
  signWarning(warningId: string, actor: string): Promise<AlarmActionOutcome>;
  /** 处置反馈 */
  feedbackWarning(warningId: string, actor: string, text: string): Promise<AlarmActionOutcome>;
  /** 消警; a reason makes it a forced close when the cause is still active. */
  closeWarning(warningId: string, actor: string, reason?: string): Promise<AlarmActionOutcome>;
}
