/**
 * Coded errors of the alarm engine (STYLE rule 4). Bad operator input (ack on a normal alarm,
 * shelve without a reason) is answered with one of these as a value, never thrown: the API maps
 * `status` straight to its reply.
 */
import { defineErrors, type HazardWatchError } from '@hazardwatch/kit';

export const alarmErrors = defineErrors('HW_CORE', {
  HW_CORE_ALARM_INVALID_TRANSITION: {
    template: 'ISA-18.2: cannot {action} an alarm in state {state}',
    retryable: false,
    status: 409,
  },
  HW_CORE_ALARM_REASON_REQUIRED: {
    template: '{action} needs a non-empty reason',
    retryable: false,
    status: 400,
  },
  HW_CORE_ALARM_SHELVE_EXPIRY_REQUIRED: {
    template: 'shelving needs an expiry time (untilMs)',
    retryable: false,
    status: 400,
  },
  HW_CORE_ALARM_SHELVE_EXPIRY_PAST: {
    template: 'shelve expiry {untilMs} is not after the request time {ts}',
    retryable: false,
    status: 400,
  },
  HW_CORE_ALARM_SHELVE_TOO_LONG: {
    template: 'shelving for {durationMs} ms exceeds the policy maximum of {maxShelveMs} ms',
    retryable: false,
    status: 400,
  },
  HW_CORE_ALARM_BAD_ACTOR: {
    template: 'actor "{actor}" is empty or reserved for the system',
    retryable: false,
    status: 400,
  },
  HW_CORE_ALARM_BAD_TIME: {
    template: '{name} must be a finite time in ms, got {value}',
    retryable: false,
    status: 400,
  },
  HW_CORE_ALARM_NOT_FOUND: {
    template: 'no open alarm with id {alarmId}',
    retryable: false,
    status: 404,
  },
  HW_CORE_ALARM_LOAD_INVALID: {
    template: 'cannot restore open alarm {alarmId}: {problem}',
    retryable: false,
  },
  HW_CORE_ALARM_POLICY_INVALID: {
    template: 'alarm policy is invalid ({count} errors); first: {first}',
    retryable: false,
    status: 400,
  },
});

export type AlarmErrorCode = (typeof alarmErrors.codes)[number];
export type AlarmError = HazardWatchError<AlarmErrorCode>;

/** Outcome of an operation that can be refused for bad input. */
export type AlarmResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AlarmError };

export const ok = <T>(value: T): AlarmResult<T> => ({ ok: true, value });
export const fail = (error: AlarmError): AlarmResult<never> => ({ ok: false, error });
