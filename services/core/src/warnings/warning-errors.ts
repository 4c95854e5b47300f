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
    template: 'handling feedback on warning {warningId} needs a non-empty text',
    retryable: false,
    status: 400,
  },
  HW_CORE_WARNING_ACTOR_REQUIRED: {
    template: '{action} on warning {warningId} needs an actor',
    retryable: false,
    status: 400,
  },
  HW_CORE_WARNING_CAUSE_ACTIVE: {
    template: 'warning {warningId}: its cause is still active; only a forced close with a reason is allowed',
    retryable: true,
    status: 409,
  },
  HW_CORE_WARNING_FEEDBACK_REQUIRED: {
    template:
      'warning {warningId} is {state}: closing needs handling feedback first, or a forced close with a reason',
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
