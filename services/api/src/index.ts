/**
 * @hazardwatch/api — the control-room REST backend: users and scopes, site model, values,
 * alarms and 预警 actions, overview, KPIs, audit, health; metrics for the process to serve.
 */
export { buildApiApp, type ApiDeps } from './app.js';
export { startApiServer, type ApiServer, type StartApiServerOptions } from './server.js';
// Also brings the `app.metrics` declaration (served by the process on its internal health port).
export type { ApiMetrics } from './http/metrics.js';
export {
  installResponseContract,
  type ResponseContractOptions,
  type ResponseContractViolation,
} from './http/response-contract.js';
export { registerMqttAccessMetrics } from './http/mqtt-access-metrics.js';
export {
  DynsecClient,
  DYNSEC_COMMAND_TOPIC,
  DYNSEC_RESPONSE_TOPIC,
  type DynsecAcl,
  type DynsecClientOptions,
  type DynsecCommand,
  type DynsecResponse,
} from './broker/dynsec-client.js';
export {
  DynsecAccounts,
  type BrokerAccounts,
  type CredentialSource,
  type DynsecAccountsOptions,
  type ReconcileReport,
} from './broker/broker-accounts.js';
export { gatewayAcls, gatewayRole, SERVICE_ACLS, SERVICE_ROLE } from './broker/dynsec-roles.js';
export { ApiConfigSchema, compileApiConfig, type ApiConfig, type ApiSettings } from './config.js';
export { apiErrors, type ApiErrorCode } from './errors.js';
export type { AlarmActionRequest, AlarmControl, WarningCaller } from './alarm-control.js';
export {
  startActionForwarding,
  type ActionForwarding,
  type ActionForwardingOptions,
} from './alarm-control-forwarding.js';
export type { SiteSource } from './routes/context.js';
export {
  applySiteEdit,
  emptySiteDocument,
  mergePatch,
  type EntityKey,
  type SiteEdit,
  type SiteEditResult,
  type SiteEntity,
} from './site-edit.js';
export {
  createUser,
  PASSWORD_MIN_LENGTH,
  USERNAME_PATTERN,
  type CreateUserInput,
} from './auth/create-user.js';
export type { PublicUser, TokenPair } from './auth/auth-service.js';
export { LoginBackoff, type LoginAttempt, type LoginBackoffSettings } from './auth/login-backoff.js';
export { DEFAULT_SCRYPT_COST, hashPassword, verifyPassword, type ScryptCost } from './auth/password.js';
export { signJwt, verifyJwt, type JwtClaims, type JwtVerification } from './auth/jwt.js';
export { Access, type Principal } from './access/access.js';
export type { ScopeKind, ScopeRule } from './access/scope-rule.js';
export { installScopeGuard, type RouteScope, type ScopeGuardOptions } from './access/scope-guard.js';
export {
  AUTHORITY_ACTIONS,
  AUTHORITY_ROLES,
  authorityRole,
  compileAuthorityTable,
  DEFAULT_AUTHORITY_TABLE,
  isApprovable,
  isAuthorityAction,
  strictest,
  VERDICTS,
  verdictOf,
  type AuthorityAction,
  type AuthorityEntry,
  type AuthorityOverrides,
  type AuthorityRole,
  type AuthorityTable,
  type Verdict,
} from './access/authority.js';
export { authorityTableMarkdown } from './access/authority-doc.js';
export { LIVE_ACTIONS } from './access/live-actions.js';
export { installErrorHandler } from './http/error-handler.js';
export {
  attachLiveGateway,
  LIVE_BATCH_WINDOW_MS,
  ValueConflator,
  ValueRouter,
  type ValueRouterOptions,
  type ConflatorOptions,
  type LiveClock,
  type LiveGateway,
  type LiveGatewayOptions,
  type LiveServer,
  type LiveSocket,
  type LiveSink,
  type LiveSocketData,
  type LiveSource,
  type LiveStoredEvents,
} from './live/live-gateway.js';
export { startLivePublisher, type LivePublisher, type LivePublisherOptions } from './live/live-publisher.js';
export { startValueRelay, type ValueRelay, type ValueRelayOptions } from './live/value-relay.js';
export { inspectPlanImage, PLAN_MAX_BYTES, PLAN_MAX_PNG_SIDE, type PlanImageCheck } from './plan-image.js';
