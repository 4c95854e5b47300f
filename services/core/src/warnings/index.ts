/** 预警 handling loop: desk, policy, recipients, flood grouping of notifications. */
export {
  WARNING_STATES,
  WARNING_PARTIES,
  WARNING_STEPS,
  type WarningActor,
  type WarningParty,
  type WarningUrge,
  ESCALATION_LEVELS,
  RESPONSIBLE_ROLES,
  WARNING_EVENT_TYPES,
  WARNING_NOTIFICATION_KINDS,
  type EscalationLevel,
  type OpenWarningState,
  type RegulatorTier,
  type ResponsibleRole,
  type WarningEvent,
  type WarningEventType,
  type WarningNotification,
  type WarningNotificationKind,
  type WarningRecipient,
  type WarningRecord,
  type WarningState,
  type WarningStep,
  type WarningSubject,
} from './warning-types.js';
export { warningErrors, type WarningError, type WarningErrorCode } from './warning-errors.js';
export {
  DEFAULT_DOWNGRADE_STEP_MS,
  DEFAULT_INITIAL_TIERS,
  DEFAULT_WARNING_TIMEOUTS,
  DEFAULT_WARNING_CLOSING,
  DEFAULT_WARNING_RECIPIENTS,
  compileWarningPolicy,
  type WarningRecipientSteps,
  type WarningColourTimeouts,
  type WarningPolicy,
  type WarningPolicyOptions,
} from './warning-policy.js';
export {
  nextEscalationLevel,
  regulatorRecipients,
  regulatorTierOf,
  regulatorsByTier,
  responsiblePersons,
  type WarningSiteView,
} from './warning-recipients.js';
export {
  WarningDesk,
  type CloseRequest,
  type UrgeRequest,
  type WarningDeskOptions,
  type WarningResult,
} from './warning-desk.js';
export {
  NotificationGrouper,
  type NotificationGrouperOptions,
  type OutboundWarningNotification,
  type WarningNotificationSummary,
} from './notification-grouper.js';
export { warningDeadlines, type DeadlineEvent } from './warning-deadlines.js';
export {
  warningSideStateRefusal,
  warningStepRefusal,
  warningStepsFor,
  type WarningStepSubject,
} from './warning-steps.js';
