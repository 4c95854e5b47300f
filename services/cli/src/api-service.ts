import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { Gauge, Registry } from 'prom-client';
import { stopSteps } from '@hazardwatch/kit';
import {
  attachLiveGateway,
  compileApiConfig,
  createUser,
  startApiServer,
  type AlarmControl,
  type ApiServer,
  type BrokerAccounts,
  type LiveGateway,
  type LiveGatewayOptions,
} from '@hazardwatch/api';
import type { LiveStatus } from '@hazardwatch/contracts';
import { liveSourceFor, raisesPlatformAlarms } from './live-source.js';
import type { AlarmEngine, LiveValueTap } from '@hazardwatch/ingest';
import { applyAlarmAction } from '@hazardwatch/ingest';
import { DeviceCredentialRepository, mqttAccessFromStore, UserRepository } from '@hazardwatch/store';
import type { RuntimeConfig } from './config.js';
import type { IngestService } from './ingest-service.js';

/**
 * The alarm engine of this process, as the API's AlarmControl (alarm state lives in one place).
 * The same `applyAlarmAction` applies actions a separate API forwards to an ingest worker.
 */
export function alarmControlFor(host: AlarmEngine): AlarmControl {
  return {
    act: (alarmId, r) =>
      Promise.resolve(
        applyAlarmAction(host, {
          type: 'alarm.act',
          alarmId,
          actor: r.actor,
          action: r.action,
          reason: r.reason,
          untilMs: r.untilMs,
        }),
      ),
    signWarning: (warningId, { actor, party }) =>
      Promise.resolve(applyAlarmAction(host, { type: 'warning.sign', warningId, actor, party })),
    feedbackWarning: (warningId, { actor, party }, text) =>
      Promise.resolve(applyAlarmAction(host, { type: 'warning.feedback', warningId, actor, party, text })),
    urgeWarning: (warningId, { actor, party }, text, deadlineMs) =>
      Promise.resolve(
        applyAlarmAction(host, { type: 'warning.urge', warningId, actor, party, text, deadlineMs }),
      ),
    verifyWarning: (warningId, { actor, party }, text) =>
      Promise.resolve(applyAlarmAction(host, { type: 'warning.verify', warningId, actor, party, text })),
    closeWarning: (warningId, { actor, party }, reason) =>
      Promise.resolve(applyAlarmAction(host, { type: 'warning.close', warningId, actor, party, reason })),
  };
}

/** The dashboard build of this checkout (services/cli/dist → dashboards/control-room/dist). */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(
  new URL('../../../dashboards/control-room/dist', import.meta.url),
);

/**
 * The API server's configuration from `api` (and the MQTT hook token), listening on `port`.
 * Without HW_JWT_SECRET a random secret is used, and `log` says so: sessions end with the process.
 */
export function apiServerInput(config: RuntimeConfig, port: number, log: Logger) {
  const jwtSecret = config.api.jwtSecret ?? randomBytes(32).toString('hex');
  if (!config.api.jwtSecret)
    log.warn('HW_JWT_SECRET not set: a random secret is used, sessions end when the process stops');
  return {
    host: config.api.host,
    docs: config.api.docs,
    port,
    auth: { jwtSecret },
    ...(config.mqtt.hookToken ? { mqttHookToken: config.mqtt.hookToken } : {}),
    corsOrigins: config.api.corsOrigins,
    tileOrigins: config.api.tileOrigins,
    ...(config.api.trustProxy.length > 0 ? { trustProxy: config.api.trustProxy } : {}),
    ...(config.api.authority ? { authority: config.api.authority } : {}),
  };
}

/**
 * The REST API in the same process as ingestion (`hazardwatch serve`, the demo): it reads the
 * database the ingest writes, sees the site the ingest runs, and acts on alarms through the
 * ingest's alarm engine. Its metrics join the ingest's on the internal health port (the public
 * port has no /metrics).
 */

export async function startApiBeside(
  service: IngestService,
  config: RuntimeConfig,
  logger: Logger,
  port: number,
  tap?: LiveValueTap,
  /** The broker's account store (broker.dynsec: startBrokerAccounts), for the credential routes. */
  brokerAccounts?: BrokerAccounts,
): Promise<ApiServer> {
  const store = service.store;
  const apiConfig = apiServerInput(config, port, logger);
  // One access control for the embedded broker and the HTTP hooks (shared refusal counters,
  // exported with the broker's on the ingest's health port, not again in the API's metrics).
  const serviceLogin = service.infrastructure.mqttService;
  const sharedAccess = service.infrastructure.mqttAccess?.control;
  const mqttAccess =
    sharedAccess ??
    mqttAccessFromStore(
      new DeviceCredentialRepository(store.client),
      new Map(serviceLogin ? [[serviceLogin.username, serviceLogin.password]] : []),
    );
  // Attached below, on this server: the API port's /readyz says whether it can push.
  const attached: { gateway?: LiveGateway } = {};
  const server = await startApiServer(apiConfig, {
    logger,
    client: store.client,
    dialect: store.migration.dialect,
    site: { current: () => service.site, replaced: (next) => service.applySite(next) },
    alarmControl: alarmControlFor(service.alarms),
    // The engine's own compiled settings: the overview colours what the engine pushes.
    alarmSettings: service.alarmSettings,
    mqttAccess,
    mqttAccessMetrics: sharedAccess === undefined,
    ...(brokerAccounts ? { brokerAccounts } : {}),
    dashboardDir: config.api.dashboardDir ?? DEFAULT_DASHBOARD_DIR,
    readiness: {
      broker: () => service.ready().detail.broker,
      storage: () => service.ready().detail.storage,
    },
    degradedJobs: () => service.ready().detail.jobs,
    liveStatus: () => attached.gateway?.liveStatus,
  });
  // socket.io live push on the same HTTP server: alarm, colour, 预警, value and gateway events,
  // rooms checked against the user's scope; with REDIS_URL several instances share rooms.
  const live = tap
    ? await attachLiveGateway({
        httpServer: server.app.server,
        settings: compileApiConfig(apiConfig),
        site: { current: () => service.site },
        client: store.client,
        logger,
        source: liveSourceFor(service, tap),
        ...ownership(service.ownedEnterprises),
        ...(config.redis.url ? { redisUrl: config.redis.url } : {}),
      })
    : undefined;
  attached.gateway = live;
  const unlistMetrics = service.health?.addMetrics(() => apiMetricsText(server, live));
  const unlistReadiness = service.health?.addReadiness(() => liveReadiness(live?.liveStatus));
  // Spent refresh tokens are pruned daily.
  const users = new UserRepository(store.client);
  const prune = setInterval(
    () => void users.pruneRefreshTokens(Date.now()).catch(() => undefined),
    86_400_000,
  );
  prune.unref();
  return {
    ...server,
    close: async () => {
      clearInterval(prune);
      unlistMetrics?.();
      unlistReadiness?.();
      await stopSteps(logger, [
        ['live gateway', () => live?.close()],
        ['HTTP server', () => server.close()],
      ]);
    },
  };
}

export interface DemoUser {
  readonly username: string;
  readonly password: string;
  readonly role: 'admin' | 'regulator' | 'operator' | 'safety_manager';
  readonly regionCode?: string;
  readonly enterpriseCode?: string;
}

/** Creates users that do not exist yet (idempotent across demo restarts). */
export async function ensureUsers(service: IngestService, users: readonly DemoUser[]): Promise<void> {
  const repo = new UserRepository(service.store.client);
  for (const user of users) {
    if (await repo.byUsername(user.username)) continue;
    await createUser(service.store.client, user);
  }
}

/**
 * The API's metrics for the internal health port: its registry (requests and logins by route,
 * open alarms by colour, MQTT auth refusals, process) and the live clients of this instance.
 */
export async function apiMetricsText(
  server: ApiServer,
  live: Pick<LiveGateway, 'clients' | 'liveStatus'> | undefined,
): Promise<string> {
  const text = await server.app.metrics.text();
  if (!live) return text;
  const registry = new Registry();
  new Gauge({
    name: 'hazardwatch_live_clients',
    help: 'socket.io clients connected to this API instance',
    registers: [registry],
  }).set(live.clients);
  const status = live.liveStatus;
  if (status !== undefined)
    new Gauge({
      name: 'hw_api_live_redis_connected',
      help: "1 while this instance's Redis connections carry live push; 0 while lost (its screens are told)",
      registers: [registry],
    }).set(status.live ? 1 : 0);
  return `${text.endsWith('\n') ? text : `${text}\n`}${await registry.metrics()}`;
}

/**
 * What /readyz on the health port adds for live push behind Redis: `live` ok or degraded, and
 * while degraded `status: 'degraded'` and since when. Degraded is not unready (still 200): REST,
 * acknowledgements and readings go on, and a balancer must not take every instance out at once.
 */
export function liveReadiness(status: LiveStatus | undefined): Record<string, unknown> {
  if (status === undefined) return {};
  return status.live
    ? { live: 'ok' }
    : { live: 'degraded', status: 'degraded', liveReason: status.reason, liveDegradedSince: status.since };
}

/**
 * A partitioned worker publishes the stored alarm events of its own enterprises only, and no
 * platform alarm's: those are raised and published by the worker owning every enterprise.
 */
function ownership(
  owned: readonly string[] | null,
): Pick<LiveGatewayOptions, 'ownsEnterprise' | 'ownsPlatform'> {
  if (owned === null) return {};
  const set = new Set(owned);
  const platform = raisesPlatformAlarms({ ownedEnterprises: owned });
  return { ownsEnterprise: (enterprise) => set.has(enterprise), ownsPlatform: () => platform };
}
