/**
 * Codes the 预警 handling loop answers with. The desk returns them for bad user input (it never
 * throws for that); only an invalid policy, which is configuration, is thrown at construction.
 */
import { defineErrors, type HazardWatchError } from '@hazardwatch/kit';

export const warningErrors = defineErrors('HW_CORE', {
  HW_CORE_WARNING_UNKNOWN_SUBJECT: {
    template: 'no {subject} in the site model to raise a warning for',
    retryable: false,
    status: 404,
  },
  HW_CORE_WARNING_NOT_FOUND: {
    template: 'no warning {warningId}',
    retryable: false,
    status: 404,
  },
  HW_CORE_WARNING_INVALID_TRANSITION: {
    template: '{action} is not allowed on warning {warningId} in state {state}',
    retryable: false,
    status: 409,
  },
  HW_CORE_WARNING_TEXT_REQUIRED: {
    template: '{action} on warning {warningId} needs a non-empty text',
    retryable: false,
    status: 400,
  },
  HW_CORE_WARNING_ACTOR_REQUIRED: {
    template: '{action} on warning {warningId} needs an actor',
    retryable: false,
    status: 400,
  },
  HW_CORE_WARNING_PARTY_REFUSED: {
    template: '{action} on warning {warningId} is not for the {party} side: {rule}',
    retryable: false,
    status: 403,
  },
  HW_CORE_WARNING_TIER_TOO_LOW: {
    template:
      'warning {warningId} is answered at the {level} level: a {party} regulator cannot close it (its tier must be at or above the level)',
    retryable: false,
    status: 403,
  },
  HW_CORE_WARNING_INVALID_PARTY: {
    template: '"{party}" is not a side of the 预警 loop (enterprise, county, city, province, admin)',
    retryable: false,
    status: 400,
  },
  HW_CORE_WARNING_REASON_REQUIRED: {
    template: '{action} on warning {warningId} needs a reason ({why})',
    retryable: false,
    status: 400,
  },
  HW_CORE_WARNING_VERIFICATION_REQUIRED: {
    template:
      'warning {warningId} is {state}: a {colour} 预警 is closed after a regulator has verified (核查) the handling feedback',
    retryable: false,
    status: 409,
  },
  HW_CORE_WARNING_INVALID_DEADLINE: {
    template: 'warning {warningId}: the 督办 deadline {deadlineMs} must be a time after now ({nowMs})',
    retryable: false,
    status: 400,
  },
  HW_CORE_WARNING_CAUSE_ACTIVE: {
    template: 'warning {warningId}: its cause is still active; closing it now is forced and needs a reason',
    retryable: true,
    status: 409,
  },
  HW_CORE_WARNING_FEEDBACK_REQUIRED: {
    template:
      'warning {warningId} is {state}: a {colour} 预警 is closed after the handling feedback (处置反馈)',
    retryable: false,
    status: 409,
  },
  HW_CORE_WARNING_INVALID_COLOUR: {
    template: '"{colour}" is not a 预警 colour (blue, yellow, orange, red)',
    retryable: false,
    status: 400,
  },
  HW_CORE_WARNING_INVALID_TIME: {
    template: '{name} must be a finite time in ms, got {value}',
    retryable: false,
    status: 400,
  },
  HW_CORE_WARNING_TIME_REVERSED: {
    template: 'warning {warningId}: time {nowMs} is before its last change at {lastMs}',
    retryable: false,
    status: 409,
  },
  HW_CORE_WARNING_LOAD_REJECTED: {
    template: 'warning {warningId} cannot be loaded: {problem}',
    retryable: false,
  },
  HW_CORE_WARNING_INVALID_POLICY: {
    template: 'warning policy: {key} {problem}',
    retryable: false,
  },
  HW_CORE_WARNING_INVALID_GROUPING: {
    template: 'notification grouping: {key} {problem}',
    retryable: false,
  },
});

export type WarningErrorCode = (typeof warningErrors.codes)[number];
export type WarningError = HazardWatchError<WarningErrorCode>;
