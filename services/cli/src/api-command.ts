import type { Logger } from 'pino';
import {
  attachLiveGateway,
  compileApiConfig,
  startActionForwarding,
  startApiServer,
  type ApiServer,
  type LiveGateway,
} from '@hazardwatch/api';
import type { SiteIndex } from '@hazardwatch/core';
import {
  latestSiteVersion,
  loadStoredSite,
  UserRepository,
  watchSiteDocuments,
  type SqlClient,
} from '@hazardwatch/store';
import { apiMetricsText, apiServerInput, DEFAULT_DASHBOARD_DIR, liveReadiness } from './api-service.js';
import { startBrokerAccounts } from './broker-accounts-setup.js';
import { loadRuntimeConfig, runtimeAlarmSettings, type RuntimeConfig } from './config.js';
import { startHealthServer, type HealthServer } from './health-server.js';
import { resolveInfrastructure } from './infrastructure.js';
import { openStore } from './store-setup.js';
import { StartupUndo } from './startup-undo.js';

/** How often a separate API looks for a site version stored by another process. */
const SITE_CHECK_INTERVAL_MS = 30_000;
/** A readiness probe of the database slower than this counts as down, ms. */
const READY_PROBE_TIMEOUT_MS = 2000;

export interface ApiServiceOptions {
  /** @default config.api.port */
  readonly port?: number;
  /**
   * How long an alarm/预警 action waits for the owning ingest worker before it is expired and
   * answered HW_API_ACTION_TIMEOUT, ms. @default 10000
   */
  readonly actionTimeoutMs?: number;
  /** Fallback poll for action outcomes, ms. @default 500 */
  readonly actionPollIntervalMs?: number;
}

export interface ApiService {
  readonly server: ApiServer;
  readonly port: number;
  /** /healthz, /readyz and /metrics on HW_HEALTH_HOST:HW_HEALTH_PORT; undefined when the port is 0. */
  readonly health: HealthServer | undefined;
  close(): Promise<void>;
}

/**
 * The REST API and live push as a process of their own (`hazardwatch api`), beside ingest
 * workers that each own a partition of enterprises (HW_INGEST_ENTERPRISES). It reads the
 * database the workers write and forwards alarm and 预警 actions to the owning worker through
 * PostgreSQL (`alarm_action_requests`, LISTEN/NOTIFY): it runs no ingestion and no alarm engine.
 * Live push: with REDIS_URL the socket.io rooms are shared with the other instances.
 */
export async function startApiService(
  config: RuntimeConfig,
  logger: Logger,
  options: ApiServiceOptions = {},
): Promise<ApiService> {
  const log = logger.child({ component: 'api-service' });
  // Compiled from the same configuration as the ingest workers' engines (checked before anything starts).
  const alarmSettings = runtimeAlarmSettings(config);
  const infrastructure = await resolveInfrastructure(config, logger, { needsBroker: false });
  const undo = new StartupUndo(log);
  undo.push(() => infrastructure.stop());
  try {
    const store = await openStore(infrastructure.databaseUrl, config, logger);
    undo.push(() => store.close());
    let site: { index: SiteIndex; version: number } | undefined;
    const refreshSite = async (): Promise<void> => {
      const latest = await latestSiteVersion(store.client);
      if (latest === null || latest <= (site?.version ?? 0)) return;
      const loaded = await loadStoredSite(store.client, Date.now());
      if (loaded?.ok) {
        site = { index: loaded.index, version: loaded.version };
        log.info({ version: loaded.version, points: loaded.index.points().length }, 'site model in force');
      } else if (loaded) log.error({ version: latest, errors: loaded.errors.length }, 'stored site invalid');
    };
    await refreshSite();
    if (!site) log.warn('no site stored yet: scoped routes answer 503 until an ingest worker stores one');

    const forwarding = await startActionForwarding({
      client: store.client,
      connectionString: infrastructure.databaseUrl,
      logger,
      ...(options.actionTimeoutMs !== undefined ? { timeoutMs: options.actionTimeoutMs } : {}),
      ...(options.actionPollIntervalMs !== undefined ? { pollIntervalMs: options.actionPollIntervalMs } : {}),
    });
    undo.push(() => forwarding.close());

    const broker = await startBrokerAccounts(config, logger);
    if (broker) undo.push(() => broker.close());
    await broker?.follow();

    const apiConfig = apiServerInput(config, options.port ?? config.api.port, log);
    // Attached below, on this server: the API port's /readyz says whether it can push.
    const attached: { gateway?: LiveGateway } = {};
    const server = await startApiServer(apiConfig, {
      logger,
      client: store.client,
      dialect: store.migration.dialect,
      site: { current: () => site?.index, replaced: (next) => (site = next) },
      alarmControl: forwarding.control,
      alarmSettings,
      dashboardDir: config.api.dashboardDir ?? DEFAULT_DASHBOARD_DIR,
      ...(broker ? { brokerAccounts: broker.accounts } : {}),
      liveStatus: () => attached.gateway?.liveStatus,
    });
    undo.push(() => server.close());
    // Without an event source of its own, the gateway relays what other instances publish
    // through the Redis adapter.
    const live = await attachLiveGateway({
      httpServer: server.app.server,
      settings: compileApiConfig(apiConfig),
      site: { current: () => site?.index },
      client: store.client,
      logger,
      ...(config.redis.url ? { redisUrl: config.redis.url } : {}),
    });
    undo.push(() => live.close());
    attached.gateway = live;
    // The API's metrics on the internal port only (issue 17 item 4: never on the public one).
    const health =
      config.healthPort === 0
        ? undefined
        : await startHealthServer(
            { host: config.healthHost, port: config.healthPort },
            {
              ready: async () => {
                const database = await databaseAnswers(store.client);
                return {
                  ready: database,
                  detail: { database, siteVersion: site?.version ?? null, ...liveReadiness(live.liveStatus) },
                };
              },
              metrics: () => apiMetricsText(server, live),
            },
            logger,
          );
    if (health) undo.push(() => health.close());

    const users = new UserRepository(store.client);
    // Edits saved by another API instance (NOTIFY on a new stored version; polled as a fallback).
    const siteWatch = await watchSiteDocuments({
      connectionString: infrastructure.databaseUrl,
      logger,
      check: refreshSite,
      pollIntervalMs: SITE_CHECK_INTERVAL_MS,
    });
    undo.push(() => siteWatch.close());
    const timers = [
      setInterval(() => void users.pruneRefreshTokens(Date.now()).catch(() => undefined), 86_400_000),
    ];
    for (const t of timers) t.unref();
    log.info({ port: server.port, siteVersion: site?.version ?? null }, 'api service ready');
    return {
      server,
      port: server.port,
      health,
      close: async () => {
        for (const t of timers) clearInterval(t);
        await health?.close();
        await siteWatch.close();
        // Waiting callers are answered first (their requests expire), then the server drains.
        await forwarding.close();
        await live.close();
        await server.close();
        await broker?.close();
        await store.close();
        await infrastructure.stop();
      },
    };
  } catch (error) {
    await undo.run();
    throw error;
  }
}

/** The database answers `SELECT 1` within READY_PROBE_TIMEOUT_MS. */
async function databaseAnswers(client: SqlClient): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>(
    (resolve) => (timer = setTimeout(() => resolve(false), READY_PROBE_TIMEOUT_MS)),
  );
  try {
    return await Promise.race([client.query('SELECT 1').then((r) => r.rows.length === 1), late]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** `hazardwatch api`: the REST API and live push, until SIGINT/SIGTERM. */
export async function apiCommand(ctx: {
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly stopSignal: Promise<string>;
}): Promise<number> {
  const config = loadRuntimeConfig(ctx.env);
  const service = await startApiService(config, ctx.logger);
  const signal = await ctx.stopSignal;
  ctx.logger.info({ signal }, 'stopping');
  await service.close();
  return 0;
}
