/**
 * @hazardwatch/kit — plumbing written once: coded error registry, config parsing and freezing,
 * `Clock` (+ a manual clock for tests), `Backoff`, `ConnackBackoff` (a refused MQTT login, on any
 * mqtt.js 5 client), `CoalescingRunner`. Browser-safe, no I/O;
 * depends on nothing of ours.
 */
export { Backoff, backoffDelay, type BackoffOptions } from './backoff.js';
export { CoalescingRunner, type CoalescingRunnerOptions } from './coalescing-runner.js';
export { ManualClock, systemClock, unrefTimer, type Clock, type TimerHandle } from './clock.js';
export {
  deepFreeze,
  parseConfig,
  schemaProblems,
  type ConfigOptions,
  type ConfigResult,
  type SchemaProblem,
  type SchemaProblemOptions,
} from './config.js';
export {
  HazardWatchError,
  defineErrors,
  renderTemplate,
  type ErrorData,
  type ErrorRegistry,
  type ErrorSpec,
  type TemplateParams,
} from './errors.js';
export { SLOW_STOP_STEP_MS, stopSteps, type StepLog, type StopStepsOptions } from './shutdown-steps.js';
export {
  CONNACK_BACKOFF_JITTER,
  CONNACK_BACKOFF_MAX_MS,
  ConnackBackoff,
  backOffOnConnackRefusal,
  connackRefusalCode,
  type ConnackBackoffAttachOptions,
  type ConnackBackoffLog,
  type ConnackBackoffOptions,
  type ConnackRefusableClient,
} from './connack-backoff.js';
