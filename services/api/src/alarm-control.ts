import type { AlarmActionCommand, AlarmActionOutcome, WarningParty } from '@hazardwatch/contracts';

/** An alarm action as a route hands it over: the `alarm.act` command without its tag and target. */
export type AlarmActionRequest = Omit<Extract<AlarmActionCommand, { type: 'alarm.act' }>, 'type' | 'alarmId'>;

/**
 * Who acts on a 预警: the caller's username and side (enterprise, county, city, province,
 * admin), derived by the route from the principal (warning-party.ts). The engine's desk decides
 * with the side who may sign, feed back, urge, verify and close (docs/warnings.md).
 */
export interface WarningCaller {
  readonly actor: string;
  readonly party: WarningParty;
}

/**
 * The API's seam to the alarm engine (the ingest `AlarmEngine`, in process or through forwarded
 * requests). The API checks scope and audits; the engine decides whether the action is allowed
 * in the alarm's state and stamps it with its own clock. Commands and outcomes are the contracts'
 * action protocol (`AlarmActionCommand`, `AlarmActionOutcome`).
 */
export interface AlarmControl {
  act(alarmId: string, request: AlarmActionRequest): Promise<AlarmActionOutcome>;
  /** 签收 */
  signWarning(warningId: string, caller: WarningCaller): Promise<AlarmActionOutcome>;
  /** 处置反馈 */
  feedbackWarning(warningId: string, caller: WarningCaller, text: string): Promise<AlarmActionOutcome>;
  /** 督办: note and deadline (ms UTC). */
  urgeWarning(
    warningId: string,
    caller: WarningCaller,
    text: string,
    deadlineMs: number,
  ): Promise<AlarmActionOutcome>;
  /** 核查 */
  verifyWarning(warningId: string, caller: WarningCaller, text: string): Promise<AlarmActionOutcome>;
  /** 消警; a reason is needed while the cause is still active (then recorded as forced). */
  closeWarning(warningId: string, caller: WarningCaller, reason?: string): Promise<AlarmActionOutcome>;
}
