import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Logger } from 'pino';
import { EMPTY_SITE, EvaluationEngine, SiteIndex, type AlarmSettings } from '@hazardwatch/core';
import { parseConfig } from '@hazardwatch/kit';
import {
  ActionWorker,
  AlarmHost,
  buildIngestApp,
  ownedEnterprises,
  OutboxWorker,
  realTimers,
  WebhookChannel,
  type DurableWork,
  IngestConfigSchema,
  ingestMetricsText,
  pointDirectoryFrom,
  pointDirectoryFromSite,
  type IngestApp,
  type IngestConfig,
  type PointDirectory,
  type BatchWriter,
  type ReadingObserver,
} from '@hazardwatch/ingest';
import {
  ActionRequestRepository,
  AlarmRepository,
  AuditRepository,
  DataLossRepository,
  DeviceCredentialRepository,
  NotificationOutbox,
  WarningRepository,
  importSiteDocument,
  GatewayStatusRepository,
  latestSiteVersion,
  loadStoredSite,
  watchSiteDocuments,
  watchDeviceCredentials,
  PartitionMaintainer,
  PgReadingWriter,
  RollupMaintainer,
  type LoadedSite,
} from '@hazardwatch/store';
import { embeddedBrokerMetrics } from './broker-metrics.js';
import { ConfigError, runtimeAlarmSettings, type RuntimeConfig } from './config.js';
import { startHealthServer, type HealthServer, type HealthSource } from './health-server.js';
import { resolveInfrastructure, type Infrastructure } from './infrastructure.js';
import { completeBefore, IngestRollups, nextRollupAt } from './rollup-schedule.js';
import { openStore, type OpenedStore } from './store-setup.js';

const PARTITION_INTERVAL_MS = 3_600_000;
/** Plain dialect: how often new pages of raw readings are summarised in their time index. */
const TIME_INDEX_INTERVAL_MS = 5_000;
/** At start-up, rollups are recomputed for this span before now (see DirtyMinutes.markSpan). */
const ROLLUP_STARTUP_LOOKBACK_MS = 5 * 60_000;
/** Rollups refresh this long after each minute boundary, once the minute's readings are in. */
const ROLLUP_GRACE_MS = 5_000;
/** Alarm and action-request retention run this often (dead letters are bounded as they are written). */
const MAINTENANCE_INTERVAL_MS = 600_000;
const AUDIT_PRUNE_INTERVAL_MS = 86_400_000;
/** Staleness, shelve expiry, re-alarm and 预警 deadlines are checked this often. */
const ALARM_TICK_MS = 1000;
const OUTBOX_INTERVAL_MS = 2000;
/** Finished forwarded actions are kept this long (the audit log keeps what was done). */
const ACTION_REQUEST_KEEP_MS = 7 * 86_400_000;

export interface IngestService {
  readonly app: IngestApp;
  /** The alarm engine's host (over an empty site until one is configured). */
  readonly alarms: AlarmHost;
  /** The compiled alarm settings the engine runs; an API in this process computes with the same. */
  readonly alarmSettings: AlarmSettings;
  /** Applies alarm and 预警 actions forwarded by API instances in other processes. */
  readonly actions: ActionWorker;
  /** The site in force (with point ids); undefined while none is configured. */
  readonly site: SiteIndex | undefined;
  /** Version of the stored site document in force; null while none is configured. */
  readonly siteVersion: number | null;
  /**
   * Puts a new site model in force without a restart: the point directory (which readings are
   * accepted), the evaluators (limits, delays; removed or disabled points return to normal) and
   * the alarm engine's roll-up and colours. Called after the API stored a new site version.
   */
  applySite(site: { readonly index: SiteIndex; readonly version: number }): void;
  /** The enterprises this worker ingests (HW_INGEST_ENTERPRISES); null: all of them. */
  readonly ownedEnterprises: readonly string[] | null;
  /** The database connection the service writes through (shared with an API in the same process). */
  readonly store: OpenedStore;
  readonly infrastructure: Infrastructure;
  /**
   * /healthz, /readyz and /metrics on HW_HEALTH_HOST:HW_HEALTH_PORT (internal): the ingest's
   * counters and the embedded broker's refusals; an API in the same process adds its metrics here.
   * Undefined when the port is 0.
   */
  readonly health: HealthServer | undefined;
  close(): Promise<void>;
}

/**
 * The ingest process: embedded database/broker when none is configured, migrations, the site
 * (from HW_SITE_FILE, stored as a new version, or the newest stored one), the MQTT pipeline,
 * background maintenance (partitions, rollups of late data, retention) and health.
 */
export interface IngestServiceOptions {
  /** More observers of every accepted reading (e.g. the live value tap of an API in this process). */
  readonly observers?: readonly ReadingObserver[];
  /**
   * A health port already in use is logged and the service runs without it, instead of failing
   * (the demo: another HazardWatch on the machine). @default false
   */
  readonly healthPortOptional?: boolean;
}

export async function startIngestService(
  config: RuntimeConfig,
  logger: Logger,
  options: IngestServiceOptions = {},
): Promise<IngestService> {
  const log = logger.child({ component: 'ingest-service' });
  // Checked before anything starts or is stored: a bad policy must not leave a stored site behind.
  const alarmSettings = runtimeAlarmSettings(config);
  const infrastructure = await resolveInfrastructure(config, logger);
  const ingestConfig = parseConfig(IngestConfigSchema, {
    ...config.ingest,
    mqtt: {
      ...(infrastructure.mqttService
        ? { username: infrastructure.mqttService.username, password: infrastructure.mqttService.password }
        : {}),
      ...(config.ingest?.['mqtt'] as object | undefined),
      url: infrastructure.mqttUrl,
    },
  });
  if (!ingestConfig.ok) {
    await infrastructure.stop();
    throw new ConfigError(
      ingestConfig.errors.map((e) =>
        e.startsWith('unknown key ') ? `unknown key ingest.${e.slice(12)}` : `ingest.${e}`,
      ),
    );
  }
  const settings = ingestConfig.value;
  // Whatever started is stopped again, in reverse order, if a later step fails.
  const undo: Array<() => Promise<unknown>> = [() => infrastructure.stop()];
  try {
    return await startOn(infrastructure, settings, alarmSettings, config, logger, log, undo, options);
  } catch (error) {
    for (const step of undo.reverse())
      await step().catch((err: unknown) => log.warn({ err }, 'cleanup after failed start'));
    throw error;
  }
}

async function startOn(
  infrastructure: Infrastructure,
  settings: IngestConfig,
  alarmSettings: AlarmSettings,
  config: RuntimeConfig,
  logger: Logger,
  log: Logger,
  undo: Array<() => Promise<unknown>>,
  options: IngestServiceOptions,
): Promise<IngestService> {
  // The health port is bound before anything is stored (issue 17 item 11): a process that cannot
  // have it stops here with nothing written. Not ready, and no metrics, until the service runs.
  let running: HealthSource | undefined = undefined;
  const health =
    config.healthPort === 0
      ? undefined
      : await startHealthServer(
          { host: config.healthHost, port: config.healthPort },
          {
            ready: () => running?.ready() ?? { ready: false, detail: { starting: true } },
            metrics: () => running?.metrics() ?? '',
          },
          logger,
        ).catch((err: unknown) => {
          if (!options.healthPortOptional || (err as { code?: unknown }).code !== 'EADDRINUSE') throw err;
          log.warn({ port: config.healthPort }, 'health port in use: no /healthz, /readyz, /metrics');
          return undefined;
        });
  if (health) undo.push(() => health.close());

  const store = await openStore(infrastructure.databaseUrl, config, logger, {
    maxAcceptedAgeMs: settings.limits.maxAgeMs,
  });
  undo.push(() => store.close());
  const { client, migration } = store;
  infrastructure.mqttAccess?.useCredentials(new DeviceCredentialRepository(client));
  const mqttAccess = infrastructure.mqttAccess?.control;
  // Credentials changed by an API in any process (NOTIFY): the embedded broker ends the old
  // credential's live sessions (issue #17 item 1).
  const credentialWatch = mqttAccess
    ? await watchDeviceCredentials({
        connectionString: infrastructure.databaseUrl,
        logger,
        changed: (username) => mqttAccess.credentialChanged(username),
      })
    : undefined;
  if (credentialWatch) undo.push(() => credentialWatch.close());

  const site = await loadSite(config, client, log);
  let directory: PointDirectory = site?.ok ? pointDirectoryFromSite(site.index) : pointDirectoryFrom([], []);
  if (!site)
    log.warn('no site configured (HW_SITE_FILE) or stored: every reading will be rejected as unknown');

  const partitions = new PartitionMaintainer({
    client,
    logger,
    now: Date.now,
    retention: migration.retention,
    maxAcceptedAgeMs: settings.limits.maxAgeMs,
  });
  const rollups = new RollupMaintainer({
    client,
    dialect: migration.dialect,
    logger,
    now: Date.now,
    retention: migration.retention,
  });
  const pgWriter = new PgReadingWriter(store.pool, {
    logger,
    now: Date.now,
    deadLetters: { maxRows: settings.deadLetters.maxRows, maxRawBytes: settings.deadLetters.maxRawBytes },
    ...(migration.dialect === 'postgres'
      ? {
          onMissingPartition: (from: number, to: number) =>
            partitions.ensureCovering(from, to).then(() => undefined),
        }
      : {}),
  });
  // A previous run may have stopped (killed, crashed) after storing readings it never rolled up,
  // with times up to the future skew the decoder accepts: those minutes are recomputed from the
  // raw readings. Later minutes are wholly this process's (plain dialect: aggregated in memory).
  const startedAt = Date.now();
  const ingestRollups = new IngestRollups({
    rollups,
    aggregateMinutes: migration.dialect === 'postgres',
    coverFromMs: startedAt + settings.limits.maxFutureSkewMs,
  });
  ingestRollups.dirty.markSpan(
    startedAt - ROLLUP_STARTUP_LOOKBACK_MS,
    startedAt + settings.limits.maxFutureSkewMs,
  );
  const writer: BatchWriter = {
    write: async (rows, deadLetters) => {
      const outcome = await pgWriter.write(rows, deadLetters);
      ingestRollups.stored(rows, outcome);
      return outcome;
    },
  };
  // The alarm engine: evaluators → ISA-18.2 alarm book → four-colour roll-up → 预警 desk, persisted
  // as part of the ingest batch that caused each change.
  let attach: (work: DurableWork) => void = () => undefined;
  const alarmRepository = new AlarmRepository(client);
  const outbox = new NotificationOutbox(client);
  let current: { index: SiteIndex; version: number } | undefined = site?.ok
    ? { index: site.index, version: site.version }
    : undefined;
  const host = new AlarmHost({
    settings: alarmSettings,
    index: current?.index ?? new SiteIndex(EMPTY_SITE),
    logger,
    now: Date.now,
    client,
    alarms: alarmRepository,
    warnings: new WarningRepository(client),
    outbox,
    channels: config.notifications.webhooks.map((w) => w.name),
    attach: (work) => attach(work),
  });
  const engine = new EvaluationEngine({
    sink: host,
    points: current?.index.points() ?? [],
    gateways: current?.index.site.gateways ?? [],
  });
  const applySite = (next: { readonly index: SiteIndex; readonly version: number }): void => {
    // Order matters: the evaluators first (removed and disabled points return to normal through
    // the alarm engine while it still knows them), then the directory, then the engine's site.
    engine.reconfigure(next.index.points(), next.index.site.gateways);
    directory = pointDirectoryFromSite(next.index);
    host.replaceSite(next.index);
    current = { index: next.index, version: next.version };
    log.info({ version: next.version, points: next.index.points().length }, 'site model in force');
  };
  const app = buildIngestApp(settings, {
    logger,
    writer,
    directory: () => directory,
    observers: [engine, ...(options.observers ?? [])],
    gatewayStatus: new GatewayStatusRepository(client),
    // Every status message reaches the engine (a heartbeat is a sign of life; source states,
    // data loss), and data_loss reports are stored (issue #16 items 3, 4).
    gateways: engine,
    dataLoss: new DataLossRepository(client),
  });
  attach = (work) => app.pipeline.attach(work);
  await host.restore();
  app.presence.onChange((g) => {
    if (g.online) engine.gatewayOnline(g.enterprise, g.gateway, g.lastSeenMs);
    else engine.gatewayOffline(g.enterprise, g.gateway, g.lastSeenMs);
  });

  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, what: string, task: () => Promise<unknown>): void => {
    timers.push(
      setInterval(
        () => void task().catch((err: unknown) => log.error({ err, task: what }, 'maintenance task failed')),
        ms,
      ),
    );
  };
  if (migration.dialect === 'postgres') {
    every(PARTITION_INTERVAL_MS, 'partitions', () => partitions.run());
    every(TIME_INDEX_INTERVAL_MS, 'time-index', () => rollups.summarizeTimeIndex());
  }
  // Rollups: once per minute, just after the boundary, for the minutes that are over (late data
  // included). Paced and chained, so a long refresh (a backfill) delays the next, never overlaps it.
  let rollupTimer: NodeJS.Timeout | undefined;
  let rollupsStopped = false;
  let rollupRun: Promise<void> = Promise.resolve();
  const scheduleRollups = (): void => {
    if (rollupsStopped) return;
    const now = Date.now();
    rollupTimer = setTimeout(
      () => {
        rollupRun = (async () => {
          await ingestRollups.rollUp(completeBefore(Date.now(), ROLLUP_GRACE_MS), true);
          await rollups.prune();
        })()
          .catch((err: unknown) => log.error({ err, task: 'rollups' }, 'maintenance task failed'))
          .finally(scheduleRollups);
      },
      nextRollupAt(now, ROLLUP_GRACE_MS) - now,
    );
  };
  scheduleRollups();
  timers.push(
    setInterval(() => {
      const now = Date.now();
      engine.tick(now);
      host.tick(now);
    }, ALARM_TICK_MS),
  );
  const worker = new OutboxWorker(
    outbox,
    config.notifications.webhooks.map((w) => new WebhookChannel(w)),
    { logger, now: Date.now, timers: realTimers },
  );
  every(OUTBOX_INTERVAL_MS, 'notifications', () => worker.runOnce());
  every(MAINTENANCE_INTERVAL_MS, 'alarm-retention', () =>
    alarmRepository.pruneClosedBefore(Date.now() - config.database.alarmRetentionDays * 86_400_000),
  );
  // Daily; the kept span is the configured one (≥ 180 days, Cybersecurity Law art. 21).
  every(AUDIT_PRUNE_INTERVAL_MS, 'audit-retention', () =>
    new AuditRepository(client).pruneBefore(Date.now() - config.database.auditRetentionDays * 86_400_000),
  );

  undo.push(() => {
    for (const t of timers) clearInterval(t);
    rollupsStopped = true;
    clearTimeout(rollupTimer);
    return rollupRun;
  });
  await app.start();
  undo.push(() => app.close());
  // Actions asked through a separate API (`hazardwatch api`) for the enterprises this worker owns.
  const actionRequests = new ActionRequestRepository(client);
  const owned = ownedEnterprises(settings.mqtt.subscriptions);
  const actions = new ActionWorker({
    host,
    requests: actionRequests,
    connectionString: infrastructure.databaseUrl,
    workerId: settings.mqtt.clientId,
    enterprises: owned,
    logger,
  });
  await actions.start();
  undo.push(() => actions.close());
  every(MAINTENANCE_INTERVAL_MS, 'action-requests', () =>
    actionRequests.pruneDoneBefore(Date.now() - ACTION_REQUEST_KEEP_MS),
  );
  // The embedded broker's refusals are this process's to export (an API beside it leaves them out).
  const brokerMetrics = embeddedBrokerMetrics(infrastructure);
  // Site edits saved by any API process (a new stored version, NOTIFY) take effect here too.
  const siteWatch = await watchSiteDocuments({
    connectionString: infrastructure.databaseUrl,
    logger,
    check: async () => {
      const latest = await latestSiteVersion(client);
      if (latest === null || latest <= (current?.version ?? 0)) return;
      const loaded = await loadStoredSite(client, Date.now());
      if (!loaded?.ok) {
        log.error(
          { version: latest, errors: loaded?.errors.length ?? 0 },
          'stored site invalid; kept the one in force',
        );
        return;
      }
      if (loaded.version > (current?.version ?? 0))
        applySite({ index: loaded.index, version: loaded.version });
    },
  });
  undo.push(() => siteWatch.close());
  running = {
    ready: () => ({
      ready: app.subscriber.connected && app.pipeline.storageHealthy,
      detail: {
        broker: app.subscriber.connected,
        storage: app.pipeline.storageHealthy,
        // Stays ready (ingestion goes on), but says so: each is a bug to look at.
        batchesPoisoned: app.counters.batchesPoisoned,
        alarmUnitsFailed: host.failedUnits,
        siteVersion: current?.version ?? null,
      },
    }),
    metrics: async () =>
      ingestMetricsText(app.counters, {
        bufferedRows: app.pipeline.bufferedRows,
        unacknowledgedMessages: app.subscriber.unacknowledged,
        storageHealthy: app.pipeline.storageHealthy,
        brokerConnected: app.subscriber.connected,
        deadLettersQueued: app.pipeline.deadLettersQueued,
        alarmUnitsFailed: host.failedUnits,
      }) + ((await brokerMetrics?.metrics()) ?? ''),
  };
  log.info(
    {
      dialect: migration.dialect,
      mqtt: redact(infrastructure.mqttUrl),
      embedded: infrastructure.embedded,
      points: site?.ok ? site.index.points().length : 0,
    },
    'ingest service ready',
  );

  return {
    app,
    alarms: host,
    alarmSettings,
    actions,
    get site() {
      return current?.index;
    },
    get siteVersion() {
      return current?.version ?? null;
    },
    applySite,
    ownedEnterprises: owned,
    store,
    infrastructure,
    health,
    close: async () => {
      for (const t of timers) clearInterval(t);
      rollupsStopped = true;
      clearTimeout(rollupTimer);
      await rollupRun;
      await siteWatch.close();
      await credentialWatch?.close();
      await actions.close();
      await app.close();
      await health?.close();
      // Everything stored, the minute still open included (a successor recomputes that minute).
      await ingestRollups
        .rollUp(Infinity, false)
        .catch((err: unknown) => log.warn({ err }, 'final rollup refresh failed'));
      await store.close();
      await infrastructure.stop();
      directory = pointDirectoryFrom([], []);
    },
  };
}

async function loadSite(
  config: RuntimeConfig,
  client: Parameters<typeof loadStoredSite>[0],
  log: Logger,
): Promise<LoadedSite | undefined> {
  let site: LoadedSite | undefined;
  if (config.site.file) {
    const text = await readFile(config.site.file, 'utf8');
    const format = extname(config.site.file).toLowerCase() === '.json' ? 'json' : 'yaml';
    site = await importSiteDocument(client, text, format, Date.now());
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
      'site loaded',
    );
  }
  return site;
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
