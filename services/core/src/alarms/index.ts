/**
 * Alarm engine: ISA-18.2 lifecycle (REFERENCE §7), the book of open alarms, the 预警 colour
 * policy and the four-colour roll-up (REFERENCE §5, §8 items 10, 15, 16, 20).
 */
export { sourceKey, type AlarmSource, type ConditionChange, type ConditionSink } from './alarm-types.js';
export { alarmErrors, type AlarmError, type AlarmErrorCode, type AlarmResult } from './alarm-errors.js';
export {
  AlarmPolicySchema,
  DEFAULT_ALARM_POLICY,
  compileAlarmPolicy,
  type AlarmPolicy,
} from './alarm-policy.js';
export {
  ANNUNCIATED_STATES,
  allowedTransitions,
  isAllowedTransition,
  type AlarmLifecycleEvent,
  type AlarmRecord,
  type DesignSuppression,
} from './alarm-record.js';
export {
  applyDesignRelease,
  applyDesignSuppression,
  holdsSuppressed,
  isDesignSuppressed,
  suppressedBy,
  suppressorOf,
} from './designed-suppression.js';
export {
  SYSTEM_ACTOR,
  applyChattering,
  applyColour,
  applyCondition,
  applyLateNote,
  applyLiveTakeover,
  applyOperator,
  applyTick,
  chatteringReason,
  newAlarm,
  type ConditionInput,
  type NewAlarm,
  type OperatorRequest,
  type Step,
} from './alarm-lifecycle.js';
export { AlarmBook, type AlarmBookOptions, type AlarmTarget, type BookUpdate } from './alarm-book.js';
export {
  ColourPolicySchema,
  ColourRuleSchema,
  DEFAULT_COLOUR_POLICY,
  DEFAULT_COLOUR_RULES,
  alarmColour,
  compileColourPolicy,
  isFireControlRoomRelevant,
  matchColourRule,
  maxColour,
  raiseColour,
  type AlarmColourContext,
  type ColourPolicy,
  type ColourRule,
} from './colour-policy.js';
export { hazardColour, type HazardColourVerdict, type HazardPointAlarms } from './hazard-colour.js';
export { alarmContext, effectiveHazardLevel, siteColourOf } from './site-alarm-context.js';
export {
  ColourRollup,
  type ColourChange,
  type ColourCounts,
  type RegionSummary,
  type RollupLevel,
  type RollupUpdate,
} from './colour-rollup.js';
export {
  DEFAULT_ALARM_SETTINGS,
  compileAlarmSettings,
  type AlarmSettings,
  type AlarmSettingsOptions,
} from './alarm-settings.js';
