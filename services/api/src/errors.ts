/**
 * Error registry of @hazardwatch/api (STYLE rule 4). `status` is the HTTP answer; the error
 * handler sends `{ code, message }` for these and never the data or the cause. Errors of other
 * packages that carry a 4xx status (alarm and 预警 refusals from the core) pass through with their
 * own code.
 */
import { defineErrors } from '@hazardwatch/kit';

export const apiErrors = defineErrors('HW_API', {
  HW_API_CONFIG_INVALID: {
    template: 'API configuration is invalid: {problems}',
    retryable: false,
  },
  HW_API_ROUTE_SCOPE_MISSING: {
    template: 'route {method} {url} declares no scope rule (config.scope)',
    retryable: false,
  },
  HW_API_ROUTE_SCHEMA_MISSING: {
    template: 'route {method} {url} declares no {part} schema',
    retryable: false,
  },
  /** A non-public route without `config.scope.action` (issue #19: who may do what is data). */
  HW_API_ROUTE_ACTION_MISSING: {
    template: 'route {method} {url} declares no authority action (config.scope.action)',
    retryable: false,
  },
  HW_API_ROUTE_ACTION_UNKNOWN: {
    template: 'route {method} {url} names action {action}, which the authority table does not have',
    retryable: false,
  },
  HW_API_VALIDATION: {
    template: 'invalid request: {detail}',
    retryable: false,
    status: 400,
  },
  /** A 4xx raised by fastify itself (media type, body size, malformed JSON); status is the original. */
  HW_API_REQUEST_REJECTED: {
    template: '{detail}',
    retryable: false,
    status: 400,
  },
  HW_API_RANGE_INVALID: {
    template: 'time range from {fromMs} to {toMs} is empty or reversed',
    retryable: false,
    status: 400,
  },
  /** A range that runs forwards but is longer than the route reads (KPIs: 92 days). */
  HW_API_RANGE_TOO_LONG: {
    template: 'time range from {fromMs} to {toMs} is longer than {maxDays} days',
    retryable: false,
    status: 400,
  },
  HW_API_FILTER_INVALID: {
    template: 'filter {filter} needs {needs}',
    retryable: false,
    status: 400,
  },
  /** A floor plan upload that is not a well-formed, self-contained PNG or SVG. */
  HW_API_PLAN_INVALID: {
    template: 'floor plan ({contentType}) refused: {problem}',
    retryable: false,
    status: 400,
  },
  HW_API_UNAUTHENTICATED: {
    template: 'authentication required: {reason}',
    retryable: false,
    status: 401,
  },
  /**
   * The access token is well-formed and unexpired, but its user was disabled, deleted or given
   * another role or scope since it was issued (issue 17 item 2). The refresh tokens are revoked
   * too: the client's session is over, it logs in again.
   */
  HW_API_SESSION_ENDED: {
    template: 'session ended: {reason}',
    retryable: false,
    status: 401,
  },
  HW_API_LOGIN_FAILED: {
    template: 'wrong username or password',
    retryable: false,
    status: 401,
  },
  HW_API_REFRESH_INVALID: {
    template: 'refresh token is invalid, expired or already used',
    retryable: false,
    status: 401,
  },
  HW_API_FORBIDDEN: {
    template: 'forbidden: {reason}',
    retryable: false,
    status: 403,
  },
  HW_API_NOT_FOUND: {
    template: 'no {kind} {id}',
    retryable: false,
    status: 404,
  },
  HW_API_ROUTE_NOT_FOUND: {
    template: 'no route {method} {url}',
    retryable: false,
    status: 404,
  },
  HW_API_USER_EXISTS: {
    template: 'user {username} already exists',
    retryable: false,
    status: 409,
  },
  HW_API_USER_INVALID: {
    template: 'user {username}: {problem}',
    retryable: false,
    status: 400,
  },
  HW_API_SITE_INVALID: {
    template: 'site document is invalid ({count} errors); first: {first}',
    retryable: false,
    status: 400,
  },
  HW_API_SITE_ENTITY_EXISTS: {
    template: '{kind} {id} already exists',
    retryable: false,
    status: 409,
  },
  HW_API_SITE_KEY_IMMUTABLE: {
    template: '{kind} field {field} identifies it and cannot be changed (delete and create instead)',
    retryable: false,
    status: 400,
  },
  HW_API_SITE_CONFLICT: {
    template: 'the site model changed meanwhile (now version {latest}); read it again and retry',
    retryable: true,
    status: 409,
  },
  /** Issue #19 item 2: a write that weakens monitoring says why (`?reason=`). */
  HW_API_CHANGE_REASON_REQUIRED: {
    template:
      'this change weakens monitoring ({kinds}): give a reason (query parameter reason, 1–500 characters)',
    retryable: false,
    status: 400,
  },
  HW_API_CHANGE_NOT_PENDING: {
    template: 'change {id} is {status}, no longer pending',
    retryable: false,
    status: 409,
  },
  /** An approved change that no longer applies to the site in force; the record is `failed`. */
  HW_API_CHANGE_FAILED: {
    template: 'change {id} could not be applied: {reason}',
    retryable: false,
    status: 409,
  },
  /** Issue #21, the shift handover log (docs/handover.md). */
  HW_API_HANDOVER_PENDING: {
    template: 'the desk {desk} has a pending handover {id}: it is taken over before the next one',
    retryable: false,
    status: 409,
  },
  HW_API_HANDOVER_NOT_PENDING: {
    template: 'handover {id} was already taken over by {by}',
    retryable: false,
    status: 409,
  },
  HW_API_HANDOVER_OWN: {
    template: 'handover {id} is your own: another person on duty at the desk takes it over',
    retryable: false,
    status: 409,
  },
  HW_API_HANDOVER_OTHER_DESK: {
    template: 'handover {id} is of the desk {desk}, not of yours ({yours})',
    retryable: false,
    status: 403,
  },
  HW_API_HANDOVER_NO_DESK: {
    template: 'a {role} keeps no duty desk to hand over',
    retryable: false,
    status: 403,
  },
  HW_API_HOOK_DISABLED: {
    template: 'the MQTT broker hooks are not enabled on this instance (set mqttHookToken)',
    retryable: false,
    status: 503,
  },
  HW_API_HOOK_TOKEN: {
    template: 'MQTT hook call without the right x-hw-hook-token',
    retryable: false,
    status: 401,
  },
  /** The broker's dynamic-security plugin did not answer (Mosquitto down, wrong admin login). */
  HW_API_BROKER_UNAVAILABLE: {
    template: 'the MQTT broker did not confirm the credential change; try again',
    retryable: true,
    status: 503,
  },
  /** The dynamic-security plugin answered a command with an error we do not expect. */
  HW_API_DYNSEC_REFUSED: {
    template: 'the MQTT broker refused {command}: {error}',
    retryable: false,
    status: 502,
  },
  HW_API_RATE_LIMITED: {
    template: 'too many requests; retry in {retryAfterSec} s',
    retryable: true,
    status: 429,
  },
  HW_API_INTERNAL: {
    template: 'internal error',
    retryable: true,
    status: 500,
  },
  /**
   * The database, or the way to it, is unavailable for now (a connection lost or refused, the
   * server shutting down or out of connections): the same request can succeed later.
   */
  HW_API_DATABASE_UNAVAILABLE: {
    template: 'the database is unavailable; try again shortly',
    retryable: true,
    status: 503,
  },
  HW_API_SITE_UNAVAILABLE: {
    template: 'no site model is loaded yet',
    retryable: true,
    status: 503,
  },
  /**
   * A forwarded alarm/预警 action got no answer from the ingest worker owning the enterprise in
   * time. The request was marked expired and will not be applied later: retrying is safe.
   */
  HW_API_ACTION_TIMEOUT: {
    template:
      'no alarm engine answered for enterprise {enterprise} within {timeoutSec} s; the action was not applied',
    retryable: true,
    status: 504,
  },
  HW_API_ACTION_UNROUTABLE: {
    template: 'alarm {id} belongs to no enterprise of the site model; no alarm engine owns it',
    retryable: false,
    status: 409,
  },
  HW_API_ALARM_CONTROL_UNAVAILABLE: {
    template: 'alarm and 预警 actions are not available on this instance',
    retryable: true,
    status: 503,
  },
});

export type ApiErrorCode = (typeof apiErrors.codes)[number];
