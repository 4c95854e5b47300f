import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { parseConfig, stopSteps, systemClock, type Clock } from '@hazardwatch/kit';
import {
  buildIngestService,
  buildLeasedIngestService,
  IngestConfigSchema,
  ownedEnterprises,
  type IngestConfig,
  type IngestService as DomainIngestService,
  type IngestServiceDeps,
  type LeasedIngestService as DomainLeasedIngestService,
  type ReadingObserver,
} from '@hazardwatch/ingest';
import {
  DeviceCredentialRepository,
  importSiteDocument,
  loadStoredSite,
  sqlClientFromPg,
  watchDeviceCredentials,
  type LoadedSite,
} from '@hazardwatch/store';
import { embeddedBrokerMetrics } from './broker-metrics.js';
import { ConfigError, runtimeAlarmSettings, type RuntimeConfig } from './config.js';
import { startHealthServer, type HealthServer, type HealthSource } from './health-server.js';
import { resolveInfrastructure, type Infrastructure } from './infrastructure.js';
import { describeNotifications, notificationSetup } from './notification-setup.js';
import { openStore, type OpenedStore } from './store-setup.js';
import { StartupUndo } from './startup-undo.js';

/** What an ingest process runs its service on, whichever way it evaluates. */
export interface IngestProcess {
  /** The database connection the service writes through (shared with an API in the same process). */
  readonly store: OpenedStore;
  readonly infrastructure: Infrastructure;
  /**
   * /healthz, /readyz and /metrics on HW_HEALTH_HOST:HW_HEALTH_PORT (internal): the ingest's
   * counters and the embedded broker's refusals; an API in the same process adds its metrics here.
   * Undefined when the port is 0.
   */
  readonly health: HealthServer | undefined;
}

/** The ingest service of @hazardwatch/ingest (one alarm engine), with what this process runs it on. */
export interface IngestService extends DomainIngestService, IngestProcess {}

/** A leased ingest worker (docs/operations.md §5.1), with what this process runs it on. */
export interface LeasedIngestService extends DomainLeasedIngestService, IngestProcess {}

export interface IngestServiceOptions {
  /** More observers of every accepted reading (e.g. the live value tap of an API in this process). */
  readonly observers?: readonly ReadingObserver[];
  /**
   * A health port already in use is logged and the service runs without it, instead of failing
   * (the demo: another HazardWatch on the machine). @default false
   */
  readonly healthPortOptional?: boolean;
  /** @default systemClock */
  readonly clock?: Clock;
}

/**
 * `hazardwatch ingest`: a leased worker of the fleet unless told otherwise (issue #23: workers
 * started with nothing but the database and broker share the partitions) — the single worker when
 * `ingest.partitions.mode` (HW_INGEST_PARTITIONS) says `single` or when HW_INGEST_ENTERPRISES pins
 * its enterprises. `serve` and the demo are always one engine (startIngestService).
 */
export async function startIngestWorker(
  config: RuntimeConfig,
  logger: Logger,
  options: IngestServiceOptions = {},
): Promise<IngestService | LeasedIngestService> {
  const mode = workerMode(config);
  if (mode === 'single') return startIngestService(config, logger, options);
  const partitions = (config.ingest?.['partitions'] ?? {}) as Record<string, unknown>;
  logger.info(
    { mode, asked: partitions['mode'] ?? null },
    partitions['mode'] === undefined
      ? 'leased worker (the default of hazardwatch ingest; HW_INGEST_PARTITIONS=single for one worker of every enterprise)'
      : 'leased worker',
  );
  return startLeasedIngestService(
    { ...config, ingest: { ...config.ingest, partitions: { ...partitions, mode: 'leased' } } },
    logger,
    options,
  );
}

/**
 * What `hazardwatch ingest` runs: `ingest.partitions.mode` as asked, else `single` for a pinned
 * worker (HW_INGEST_ENTERPRISES naming enterprises) and `leased` for every other. A value that is
 * neither goes to the single worker, whose settings check names it.
 */
export function workerMode(config: RuntimeConfig): 'single' | 'leased' {
  const asked = (config.ingest?.['partitions'] as { mode?: unknown } | undefined)?.mode;
  if (asked !== undefined) return asked === 'leased' ? 'leased' : 'single';
  const subscriptions = (config.ingest?.['mqtt'] as { subscriptions?: unknown } | undefined)?.subscriptions;
  const pinned =
    Array.isArray(subscriptions) &&
    subscriptions.every((s) => typeof s === 'string') &&
    ownedEnterprises(subscriptions) !== null;
  return pinned ? 'single' : 'leased';
}

/**
 * The ingest process with one alarm engine (`serve`, the demo, a single or pinned `ingest`):
 * embedded database/broker when none is configured, migrations, the site (from HW_SITE_FILE,
 * stored as a new version, or the newest stored one), the ingest service of @hazardwatch/ingest
 * (pipeline, alarm engine, rollups, maintenance) and health. A configuration asking for leased
 * partitions is refused: an API in this process acts through the one engine.
 */
export async function startIngestService(
  config: RuntimeConfig,
  logger: Logger,
  options: IngestServiceOptions = {},
): Promise<IngestService> {
  if (partitionMode(config) === 'leased')
    throw new ConfigError([
      'ingest.partitions.mode: leased runs with `hazardwatch ingest` only (serve and the demo run one alarm engine); put `hazardwatch api` in front of the leased workers',
    ]);
  const { service, ...running } = await startIngestProcess(config, logger, options, buildIngestService);
  return {
    app: service.app,
    alarms: service.alarms,
    alarmSettings: service.alarmSettings,
    actions: service.actions,
    get site() {
      return service.site;
    },
    get siteVersion() {
      return service.siteVersion;
    },
    applySite: (next) => service.applySite(next),
    ownedEnterprises: service.ownedEnterprises,
    ready: () => service.ready(),
    metrics: () => service.metrics(),
    start: () => service.start(),
    ...running,
  };
}

/** A leased ingest worker process (docs/operations.md §5.1): as `startIngestService`, evaluating by partition. */
export async function startLeasedIngestService(
  config: RuntimeConfig,
  logger: Logger,
  options: IngestServiceOptions = {},
): Promise<LeasedIngestService> {
  const { service, ...running } = await startIngestProcess(config, logger, options, buildLeasedIngestService);
  return {
    app: service.app,
    workerId: service.workerId,
    owner: service.owner,
    alarmSettings: service.alarmSettings,
    actions: service.actions,
    get site() {
      return service.site;
    },
    get siteVersion() {
      return service.siteVersion;
    },
    applySite: (next) => service.applySite(next),
    get ownedEnterprises() {
      return service.ownedEnterprises;
    },
    onStored: (listener) => service.onStored(listener),
    partitions: () => service.partitions(),
    ready: () => service.ready(),
    metrics: () => service.metrics(),
    start: () => service.start(),
    ...running,
  };
}

/** The service a process runs: built from the settings and dependencies, started by the process. */
interface ProcessService {
  readonly site: DomainIngestService['site'];
  ready: DomainIngestService['ready'];
  metrics(): Promise<string>;
  start(): Promise<void>;
  close(): Promise<void>;
}

async function startIngestProcess<S extends ProcessService>(
  config: RuntimeConfig,
  logger: Logger,
  options: IngestServiceOptions,
  build: (settings: IngestConfig, deps: IngestServiceDeps) => S,
): Promise<IngestProcess & { readonly service: S; close(): Promise<void> }> {
  const log = logger.child({ component: 'ingest-process' });
  // Checked before anything starts or is stored: a bad policy must not leave a stored site behind.
  const alarmSettings = runtimeAlarmSettings(config);
  const infrastructure = await resolveInfrastructure(config, logger);
  const undo = new StartupUndo(log);
  undo.push(() => infrastructure.stop());
  try {
    const settings = ingestSettings(config, infrastructure);
    // The health port is bound before anything is stored (issue 17 item 11): a process that cannot
    // have it stops here with nothing written. Not ready, and no metrics, until the service runs.
    let running: HealthSource | undefined = undefined;
    const health = await startHealth(config, logger, log, options, {
      ready: () => running?.ready() ?? { ready: false, detail: { starting: true } },
      metrics: () => running?.metrics() ?? '',
    });
    if (health) undo.push(() => health.close());

    const store = await openStore(infrastructure.databaseUrl, config, logger, {
      maxAcceptedAgeMs: settings.limits.maxAgeMs,
    });
    undo.push(() => store.close());
    // A leased worker's lease calls get connections of their own: with the pool's connections all
    // busy with COPY writes and a takeover's restores, a renewal queued behind them past the
    // lease's margin and the worker dropped its partitions (bench failover on a loaded machine).
    const leasePool =
      partitionMode(config) === 'leased'
        ? new pg.Pool({ connectionString: infrastructure.databaseUrl, max: 2 })
        : undefined;
    if (leasePool) {
      leasePool.on('error', (err) => log.warn({ err }, 'idle lease-table connection lost'));
      undo.push(() => leasePool.end());
    }
    const credentialWatch = await watchCredentials(infrastructure, store, logger);
    if (credentialWatch) undo.push(() => credentialWatch.close());

    const site = await loadSite(config, store.client, log);
    if (!site)
      log.warn('no site configured (HW_SITE_FILE) or stored: every reading will be rejected as unknown');
    const notifications = notificationSetup(config.notifications);
    describeNotifications(notifications, log);
    const service = build(settings, {
      logger,
      clock: options.clock ?? systemClock,
      store: {
        pool: store.pool,
        client: store.client,
        dialect: store.migration.dialect,
        retention: store.migration.retention,
      },
      connectionString: infrastructure.databaseUrl,
      ...(leasePool ? { leaseClient: sqlClientFromPg(leasePool) } : {}),
      site: site?.ok ? { index: site.index, version: site.version } : undefined,
      alarmSettings,
      ...notifications,
      observers: options.observers ?? [],
    });
    await service.start();
    undo.push(() => service.close());
    // The embedded broker's refusals are this process's to export (an API beside it leaves them out).
    const brokerMetrics = embeddedBrokerMetrics(infrastructure);
    running = {
      ready: () => service.ready(),
      metrics: async () => (await service.metrics()) + ((await brokerMetrics?.metrics()) ?? ''),
    };
    log.info(
      {
        dialect: store.migration.dialect,
        mqtt: redact(infrastructure.mqttUrl),
        embedded: infrastructure.embedded,
        points: service.site?.points().length ?? 0,
      },
      'ingest service ready',
    );
    return {
      service,
      store,
      infrastructure,
      health,
      close: () =>
        stopSteps(log, [
          ['ingest', () => service.close()],
          ['credential watch', () => credentialWatch?.close()],
          ['health port', () => health?.close()],
          ['lease connections', () => leasePool?.end()],
          ['store', () => store.close()],
          ['infrastructure', () => infrastructure.stop()],
        ]),
    };
  } catch (error) {
    await undo.run();
    throw error;
  }
}

/**
 * The ingest's settings from `ingest` (problems named `ingest.…`), with the broker this process
 * resolved and the retention of `database`.
 */
function ingestSettings(config: RuntimeConfig, infrastructure: Infrastructure): IngestConfig {
  if (config.ingest?.['retention'] !== undefined)
    throw new ConfigError([
      'ingest.retention: set database.alarmRetentionDays and database.auditRetentionDays (HW_ALARM_RETENTION_DAYS, HW_AUDIT_RETENTION_DAYS)',
    ]);
  const parsed = parseConfig(
    IngestConfigSchema,
    {
      ...config.ingest,
      mqtt: {
        ...(infrastructure.mqttService
          ? { username: infrastructure.mqttService.username, password: infrastructure.mqttService.password }
          : {}),
        ...(config.ingest?.['mqtt'] as object | undefined),
        url: infrastructure.mqttUrl,
      },
      retention: {
        alarmDays: config.database.alarmRetentionDays,
        auditDays: config.database.auditRetentionDays,
      },
    },
    { path: 'ingest' },
  );
  if (!parsed.ok) throw new ConfigError(parsed.errors);
  const problems = partitionProblems(parsed.value);
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.value;
}

/** `ingest.partitions` (HW_INGEST_PARTITIONS) as asked; anything but `leased` is the single worker. */
function partitionMode(config: RuntimeConfig): 'single' | 'leased' {
  const partitions = config.ingest?.['partitions'] as { mode?: unknown } | undefined;
  return partitions?.mode === 'leased' ? 'leased' : 'single';
}

/** What the schema cannot say about `ingest.partitions`: its timings together, and no pin beside leases. */
export function partitionProblems(settings: IngestConfig): string[] {
  const { mode, leaseMs, heartbeatMs, marginMs } = settings.partitions;
  if (mode !== 'leased') return [];
  const problems: string[] = [];
  if (ownedEnterprises(settings.mqtt.subscriptions) !== null)
    problems.push(
      'ingest.partitions.mode: leased workers share every enterprise; unset HW_INGEST_ENTERPRISES (ingest.mqtt.subscriptions) or run this worker single',
    );
  if (marginMs >= leaseMs)
    problems.push(`ingest.partitions.marginMs: ${marginMs} must be below leaseMs (${leaseMs})`);
  else if (heartbeatMs * 2 > leaseMs - marginMs)
    problems.push(
      `ingest.partitions.heartbeatMs: ${heartbeatMs} must be at most half of leaseMs − marginMs (${leaseMs - marginMs}), so one missed round never costs a lease`,
    );
  return problems;
}

async function startHealth(
  config: RuntimeConfig,
  logger: Logger,
  log: Logger,
  options: IngestServiceOptions,
  source: HealthSource,
): Promise<HealthServer | undefined> {
  if (config.healthPort === 0) return undefined;
  return startHealthServer({ host: config.healthHost, port: config.healthPort }, source, logger).catch(
    (err: unknown) => {
      if (!options.healthPortOptional || (err as { code?: unknown }).code !== 'EADDRINUSE') throw err;
      log.warn({ port: config.healthPort }, 'health port in use: no /healthz, /readyz, /metrics');
      return undefined;
    },
  );
}

/**
 * The embedded broker checks gateway logins against the credential table, and ends the live
 * sessions of a credential changed by an API in any process (NOTIFY; issue #17 item 1).
 */
async function watchCredentials(
  infrastructure: Infrastructure,
  store: OpenedStore,
  logger: Logger,
): Promise<{ close(): Promise<void> } | undefined> {
  infrastructure.mqttAccess?.useCredentials(new DeviceCredentialRepository(store.client));
  const mqttAccess = infrastructure.mqttAccess?.control;
  if (!mqttAccess) return undefined;
  return watchDeviceCredentials({
    connectionString: infrastructure.databaseUrl,
    logger,
    changed: (username) => mqttAccess.credentialChanged(username),
  });
}

/**
 * The site a process starts with: HW_SITE_FILE validated and stored as a new version when it
 * differs from the newest (also `migrate`'s, so a fleet of workers can run without the file), or
 * the newest stored. An invalid file is a ConfigError, each error logged with its rule and place.
 */
export async function loadSite(
  config: RuntimeConfig,
  client: Parameters<typeof loadStoredSite>[0],
  log: Logger,
): Promise<LoadedSite | undefined> {
  let site: LoadedSite | undefined;
  if (config.site.file) {
    const text = await readFile(config.site.file, 'utf8');
    const format = extname(config.site.file).toLowerCase() === '.json' ? 'json' : 'yaml';
    site = await importSiteDocument(client, text, format, Date.now(), { fromFile: true });
  } else {
    site = await loadStoredSite(client, Date.now());
  }
  if (site && !site.ok) {
    for (const e of site.errors) log.error({ rule: e.rule, path: e.path, line: e.line }, e.message);
    throw new ConfigError([
      `site ${config.site.file ?? '(stored)'} is invalid: ${site.errors.length} error(s), first: ${site.errors[0]?.message ?? ''}`,
    ]);
  }
  if (site?.ok) {
    for (const d of site.defects)
      log.warn({ rule: d.rule, path: d.path, enterprise: d.enterprise, tag: d.tag }, d.message);
    log.info(
      { version: site.version, points: site.index.points().length, defects: site.defects.length },
      site.keptFile === true
        ? 'site loaded: the site file is unchanged since it was last stored, so the newest stored version (edits through the API included) stays in force'
        : 'site loaded',
    );
  }
  return site;
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
