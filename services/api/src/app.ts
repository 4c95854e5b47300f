import Fastify, { type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from 'pino';
import type { AlarmSettings } from '@hazardwatch/core';
import type { DegradedJob, LiveStatus } from '@hazardwatch/contracts';
import {
  alarmEnterprise,
  AlarmRepository,
  AuditRepository,
  DeviceCredentialRepository,
  mqttAccessFromStore,
  type MqttAccessControl,
  UserRepository,
  warningEnterprise,
  WarningRepository,
  type SqlClient,
  type StoreDialect,
} from '@hazardwatch/store';
import { installScopeGuard } from './access/scope-guard.js';
import type { AlarmControl } from './alarm-control.js';
import { Auditor, installRefusalAudit } from './audit.js';
import { AuthService } from './auth/auth-service.js';
import type { ApiSettings } from './config.js';
import { installErrorHandler } from './http/error-handler.js';
import { installMetrics } from './http/metrics.js';
import { installResponseContract, type ResponseContractViolation } from './http/response-contract.js';
import { installSecurityHeaders } from './http/security-headers.js';
import { installValidators } from './http/validators.js';
import { registerChangeFeed } from './live/change-feed.js';
import { MonitoringChanges } from './monitoring-changes.js';
import { SiteWriter } from './site-writer.js';
import { serveDashboard } from './http/dashboard.js';
import { alarmRoutes } from './routes/alarm-routes.js';
import { auditRoutes } from './routes/audit-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { changeRoutes } from './routes/change-routes.js';
import { handoverRoutes } from './routes/handover-routes.js';
import { journalRoutes } from './routes/journal-routes.js';
import type { BrokerAccounts } from './broker/broker-accounts.js';
import { deviceRoutes } from './routes/device-routes.js';
import type { RouteContext, SiteSource } from './routes/context.js';
import { healthRoutes } from './routes/health-routes.js';
import { overviewRoutes } from './routes/overview-routes.js';
import { planRoutes } from './routes/plan-routes.js';
import { reportRoutes } from './routes/report-routes.js';
import { siteCheckRoutes } from './routes/site-check-routes.js';
import { siteEditRoutes } from './routes/site-edit-routes.js';
import { siteRoutes } from './routes/site-routes.js';
import { userRoutes } from './routes/user-routes.js';
import { valueRoutes } from './routes/value-routes.js';
import { warningRoutes } from './routes/warning-routes.js';

export interface ApiDeps {
  readonly logger: Logger;
  readonly client: SqlClient;
  /** Migrated dialect (history queries). */
  readonly dialect: StoreDialect;
  readonly site: SiteSource;
  /** @default Date.now */
  readonly now?: () => number;
  /** The alarm engine; without it alarm and 预警 actions answer 503. */
  readonly alarmControl?: AlarmControl;
  /**
   * The deployment's compiled alarm settings: the very object the alarm engine runs with, so a
   * colour the API computes (region overview) is the colour the engine pushes. Required, with no
   * default: an API on the default policy beside an engine on another is the divergence of
   * issue #18. Tests may pass DEFAULT_ALARM_SETTINGS.
   */
  readonly alarmSettings: AlarmSettings;
  /** Extra readiness checks besides the database, e.g. `{ broker: () => subscriber.connected }`. */
  readonly readiness?: Readonly<Record<string, () => boolean | Promise<boolean>>>;
  /**
   * TimescaleDB jobs that are not healthy, from an ingest in this process (`serve`): /readyz then
   * says `status` (`degraded` while any is listed, still 200) and `jobs`. Absent: neither is said.
   */
  readonly degradedJobs?: () => readonly DegradedJob[];
  /**
   * Whether live push works now (the live gateway attached to this app's server, with Redis):
   * /readyz then says `live` and, while it is lost, `status` degraded (still 200). Undefined: the
   * process has no live push, or none across instances; neither is said.
   */
  readonly liveStatus?: () => LiveStatus | undefined;
  /** Extra Prometheus text appended to `app.metrics` (another component of this process). */
  readonly metricsText?: () => string | Promise<string>;
  /** Process metrics in `app.metrics`. @default true */
  readonly processMetrics?: boolean;
  /**
   * MQTT access control shared with an embedded broker in this process (one set of counters);
   * by default one over the credential table without service users.
   */
  readonly mqttAccess?: MqttAccessControl;
  /**
   * Whether `app.metrics` exports the refusal counts of `mqttAccess` (hazardwatch_mqtt_*). false
   * when the process hosting the embedded broker that shares it exports them on its health port.
   * @default true
   */
  readonly mqttAccessMetrics?: boolean;
  /**
   * The production broker's account store (Mosquitto dynamic security, broker/*): issued secrets
   * and revocations are applied to it by the credential routes. None: the hooks alone.
   */
  readonly brokerAccounts?: BrokerAccounts;
  /** Built control-room dashboard (dashboards/control-room/dist) served at `/`; none when absent. */
  readonly dashboardDir?: string;
  /**
   * Tests only: every JSON answer is checked against its route's response contract with no
   * undeclared property; a mismatch is reported here and answers 500 (http/response-contract.ts).
   */
  readonly strictResponses?: (violation: ResponseContractViolation) => void;
}

const DOCS_PREFIX = '/docs';

/**
 * Builds the REST API from validated settings and its dependencies, without listening (STYLE
 * rule 7): tests `inject` into it, `startApiServer` listens. Rejects when a route lacks a scope
 * rule, a request schema or a response schema.
 */
export async function buildApiApp(settings: ApiSettings, deps: ApiDeps): Promise<FastifyInstance> {
  const now = deps.now ?? Date.now;
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'api' }),
    trustProxy: typeof settings.trustProxy === 'boolean' ? settings.trustProxy : [...settings.trustProxy],
    bodyLimit: settings.bodyLimitBytes,
    exposeHeadRoutes: false,
  }) as unknown as FastifyInstance;
  installValidators(app);

  const users = new UserRepository(deps.client);
  const auditRepository = new AuditRepository(deps.client);
  const auth = new AuthService(users, settings.auth, now);
  const site = () => deps.site.current();

  // Monitoring-change records (issue #19), pushed live by a gateway attached to this app's server.
  const changes = new MonitoringChanges(deps.client, site);
  registerChangeFeed(app.server, changes.feed);

  installErrorHandler(app);
  await installSecurityHeaders(app, { tileOrigins: settings.tileOrigins });
  installScopeGuard(app, {
    site,
    authority: settings.authority,
    authenticate: (token) => auth.authenticate(token),
    alarmEnterprise: (id) => alarmEnterprise(deps.client, id),
    warningEnterprise: (id) => warningEnterprise(deps.client, id),
    changeScope: (id) => changes.repository.scopeOf(id),
    publicPrefixes: [DOCS_PREFIX],
  });
  installResponseContract(app, {
    exemptPrefixes: [DOCS_PREFIX],
    ...(deps.strictResponses ? { strict: deps.strictResponses } : {}),
  });
  const metrics = installMetrics(app, {
    client: deps.client,
    ...(deps.metricsText ? { extraText: deps.metricsText } : {}),
    ...(deps.processMetrics !== undefined ? { processMetrics: deps.processMetrics } : {}),
  });
  if (settings.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: [...settings.corsOrigins],
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type'],
      maxAge: 600,
    });
  }
  if (settings.docs) {
    await app.register(swagger, {
      openapi: {
        info: { title: 'HazardWatch control-room API', version: '1' },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      },
    });
    await app.register(swaggerUi, {
      routePrefix: DOCS_PREFIX,
      // Swagger UI sets one inline style; the rest of the site policy holds on its pages too.
      transformStaticCSP: (header) => header.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
    });
  }

  const auditor = new Auditor(auditRepository, site, now);
  installRefusalAudit(app, auditor);

  const ctx: RouteContext = {
    settings,
    client: deps.client,
    dialect: deps.dialect,
    siteSource: deps.site,
    site,
    now,
    auth,
    users,
    alarms: new AlarmRepository(deps.client),
    warnings: new WarningRepository(deps.client),
    auditor,
    auditRepository,
    metrics,
    alarmControl: deps.alarmControl,
    colourPolicy: deps.alarmSettings.colourPolicy,
    warningPolicy: deps.alarmSettings.warningPolicy,
    authority: settings.authority,
    changes,
    siteWriter: new SiteWriter({
      client: deps.client,
      now,
      replaced: (next) => deps.site.replaced?.(next),
    }),
    readiness: deps.readiness ?? {},
    ...(deps.degradedJobs ? { degradedJobs: deps.degradedJobs } : {}),
    ...(deps.liveStatus ? { liveStatus: deps.liveStatus } : {}),
  };
  healthRoutes(app, ctx);
  authRoutes(app, ctx);
  userRoutes(app, ctx);
  siteRoutes(app, ctx);
  siteEditRoutes(app, ctx);
  siteCheckRoutes(app, ctx);
  valueRoutes(app, ctx);
  alarmRoutes(app, ctx);
  warningRoutes(app, ctx);
  changeRoutes(app, ctx);
  handoverRoutes(app, ctx);
  journalRoutes(app, ctx);
  overviewRoutes(app, ctx);
  auditRoutes(app, ctx);
  planRoutes(app, ctx);
  reportRoutes(app, ctx);
  if (deps.dashboardDir) await serveDashboard(app, deps.dashboardDir);
  const mqttAccess = deps.mqttAccess ?? mqttAccessFromStore(new DeviceCredentialRepository(deps.client));
  deviceRoutes(app, ctx, mqttAccess, {
    accessMetrics: deps.mqttAccessMetrics ?? true,
    ...(deps.brokerAccounts ? { brokerAccounts: deps.brokerAccounts } : {}),
  });
  await app.ready();
  return app;
}
