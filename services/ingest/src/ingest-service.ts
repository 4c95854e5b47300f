import type { Logger } from 'pino';
import { stopSteps, type Clock } from '@hazardwatch/kit';
import { EMPTY_SITE, EvaluationEngine, SiteIndex, type AlarmSettings } from '@hazardwatch/core';
import {
  ActionRequestRepository,
  DataLossRepository,
  GatewayStatusRepository,
  NotificationOutbox,
  timescaleJobs,
  watchSiteDocuments,
  type SiteWatch,
  type SqlClient,
} from '@hazardwatch/store';
import { ActionWorker, ownedEnterprises } from './action-worker.js';
import { AlarmEngine } from './alarm-engine.js';
import { buildIngestApp, type IngestApp } from './app.js';
import type { IngestConfig } from './config.js';
import type { ReadingObserver } from './ingest-pipeline.js';
import { ingestMetricsText } from './ingest-metrics.js';
import { buildIngestStorage, siteChecker, startStorageDuties, type IngestStore } from './ingest-storage.js';
import { NO_ROUTES, OutboxWorker, type DeliveryRoutes, type NotificationChannel } from './notify/index.js';
import { pointDirectoryFrom, pointDirectoryFromSite, type PointDirectory } from './point-directory.js';
import { DutySchedule } from './duty-schedule.js';
import { EnterpriseScope } from './enterprise-scope.js';
import { TimescaleJobWatch, type DegradedJob } from './timescale-job-watch.js';

/** A site model in force, with the version it was stored as. */
export interface VersionedSite {
  readonly index: SiteIndex;
  readonly version: number;
}

export interface IngestServiceDeps {
  readonly logger: Logger;
  /** Every timed duty and every timestamp the service makes (tests pass a ManualClock). */
  readonly clock: Clock;
  /** The migrated store the service writes through. */
  readonly store: IngestStore;
  /** Where LISTEN/NOTIFY watchers connect (site edits, forwarded actions). */
  readonly connectionString: string;
  /**
   * A leased worker's lease table calls (renewal, membership, acquisition) on connections of their
   * own, so a renewal never waits for a pool connection behind the ingest's COPY writes and a
   * takeover's restores. @default store.client
   */
  readonly leaseClient?: SqlClient;
  /** The site at start (loaded and validated by the caller); undefined: none yet, every reading is unknown. */
  readonly site: VersionedSite | undefined;
  /** The compiled alarm settings; the API of the deployment must compute with the same object. */
  readonly alarmSettings: AlarmSettings;
  /** The notification channels (signed webhooks, SMS, e-mail, group robots). @default [] */
  readonly channels?: readonly NotificationChannel[];
  /**
   * Which of `channels` reach whom (docs/notifications.md).
   * @default every channel is a webhook receiving every 预警 notification whole
   */
  readonly routes?: DeliveryRoutes;
  /** More observers of every accepted reading (e.g. the live value tap of an API in this process). */
  readonly observers?: readonly ReadingObserver[];
}

export interface IngestReadiness {
  readonly ready: boolean;
  readonly detail: {
    readonly broker: boolean;
    readonly storage: boolean;
    /** Stays ready (ingestion goes on), but says so: each is a bug to look at. */
    readonly batchesPoisoned: number;
    readonly alarmUnitsFailed: number;
    readonly siteVersion: number | null;
    /**
     * `degraded` while a TimescaleDB background job is failing, stale or paused (`jobs` says
     * which and why; a job only `effective`, reporting the known clash with its effect met, is
     * listed but leaves `ok`): the process stays ready — readings are stored and alarms raised — so a
     * load balancer keeps it, but compression, retention or rollups have stopped
     * (docs/operations.md §6.2).
     */
    readonly status: 'ok' | 'degraded';
    readonly jobs: readonly DegradedJob[];
    /** A leased worker: the partitions it holds and evaluates now (docs/operations.md §5.1). */
    readonly partitions?: readonly number[];
  };
}

export interface IngestService {
  /** MQTT → decode → COPY. */
  readonly app: IngestApp;
  /** The alarm engine's host (over an empty site until one is configured). */
  readonly alarms: AlarmEngine;
  readonly alarmSettings: AlarmSettings;
  /** Applies alarm and 预警 actions forwarded by API instances in other processes (from start). */
  readonly actions: ActionWorker;
  /** The site in force; undefined while none is configured. */
  readonly site: SiteIndex | undefined;
  /** Version of the stored site document in force; null while none is configured. */
  readonly siteVersion: number | null;
  /**
   * Puts a new site model in force without a restart: the evaluators (limits, delays; removed or
   * disabled points return to normal), the point directory (which readings are accepted) and the
   * alarm engine's roll-up and colours. Called after an API stored a new site version.
   */
  applySite(site: VersionedSite): void;
  /** The enterprises this worker ingests (from its subscriptions); null: all of them. */
  readonly ownedEnterprises: readonly string[] | null;
  /** Broker connected and batch writes succeeding, with what an operator should look at. */
  ready(): IngestReadiness;
  /** Prometheus text of the ingest counters and gauges. */
  metrics(): Promise<string>;
  /** Restores alarm state, starts the timed duties, subscribes, listens for site edits and actions. */
  start(): Promise<void>;
  /** Stops the duties, flushes what is buffered and rolls up every minute stored. */
  close(): Promise<void>;
}

/**
 * The ingest service composed (ARCHITECTURE: services/ingest): the MQTT pipeline writing through
 * the store, the evaluators and the alarm engine persisted with each batch, the site followed at
 * run time, rollups of stored minutes, partition and retention maintenance, the 预警 outbox and
 * the forwarded actions — every timed duty on `deps.clock`, every period from `settings.schedule`.
 * No I/O until `start`.
 */
export function buildIngestService(settings: IngestConfig, deps: IngestServiceDeps): IngestService {
  const { clock, logger, store } = deps;
  const log = logger.child({ component: 'ingest-service' });
  const now = (): number => clock.now();
  const { client, dialect } = store;

  let current: VersionedSite | undefined = deps.site;
  // The directory is derived from the site in force and replaced with it (read per message).
  let directory: PointDirectory = current
    ? pointDirectoryFromSite(current.index)
    : pointDirectoryFrom([], []);

  const storage = buildIngestStorage(settings, { logger, now, store });
  const { writer, minuteRollups } = storage;

  // A worker pinned to some enterprises (HW_INGEST_ENTERPRISES) receives only their readings and
  // status: it evaluates, times out and restores only theirs (docs/operations.md §5).
  const owned = ownedEnterprises(settings.mqtt.subscriptions);
  const scope = EnterpriseScope.of(owned);

  // The alarm engine: evaluators → ISA-18.2 alarm book → four-colour roll-up → 预警 desk, persisted
  // as part of the ingest batch that caused each change (the pipeline is built just below).
  const alarmRepository = scope.alarms(client, (id) => current?.index.pointById(id)?.enterprise);
  const outbox = new NotificationOutbox(client);
  const channels = deps.channels ?? [];
  const host = new AlarmEngine({
    settings: deps.alarmSettings,
    index: current?.index ?? new SiteIndex(EMPTY_SITE),
    logger,
    now,
    timers: clock,
    client,
    alarms: alarmRepository,
    warnings: scope.warnings(client),
    outbox,
    routes: deps.routes ?? { ...NO_ROUTES, webhooks: channels.map((c) => c.name) },
    // Called from the first alarm change on, once the pipeline below exists.
    joinBatch: (work) => ingest.pipeline.attach(work),
  });
  const engine = new EvaluationEngine({
    sink: host,
    points: current ? scope.points(current.index) : [],
    gateways: current ? scope.gateways(current.index) : [],
  });
  const ingest: IngestApp = buildIngestApp(settings, {
    logger,
    writer,
    directory: () => directory,
    observers: [engine, ...(deps.observers ?? [])],
    now,
    timers: clock,
    gatewayStatus: new GatewayStatusRepository(client),
    // Every status message reaches the engine (a heartbeat is a sign of life; source states,
    // data loss), and data_loss reports are stored (issue #16 items 3, 4).
    gateways: engine,
    dataLoss: new DataLossRepository(client),
    gatewayOfflineAfterMs: (enterprise, gateway) =>
      current?.index.gateway(enterprise, gateway)?.offlineAfterMs,
  });
  ingest.presence.onChange((g) => {
    if (g.online) engine.gatewayOnline(g.enterprise, g.gateway, g.lastSeenMs);
    else engine.gatewayOffline(g.enterprise, g.gateway, g.lastSeenMs);
  });

  const applySite = (next: VersionedSite): void => {
    // Order matters: the evaluators first (removed and disabled points return to normal through
    // the alarm engine while it still knows them), then the directory, then the engine's site.
    engine.reconfigure(scope.points(next.index), scope.gateways(next.index));
    directory = pointDirectoryFromSite(next.index);
    host.replaceSite(next.index);
    current = next;
    log.info({ version: next.version, points: next.index.points().length }, 'site model in force');
  };

  const duties = new DutySchedule(clock, log);
  const actionRequests = new ActionRequestRepository(client);
  // TimescaleDB's background jobs, judged in every worker (readiness, metrics); their platform
  // alarms are raised by the worker that owns every enterprise (`serve`, the demo, an unpartitioned
  // `ingest`): one raiser, never two racing for the same alarm (docs/operations.md §6.2).
  const jobWatch =
    dialect === 'timescaledb'
      ? new TimescaleJobWatch({
          readJobs: () => timescaleJobs(client, dialect),
          clock,
          logger,
          ...(owned === null ? { alarms: host } : {}),
        })
      : undefined;
  const notifications = new OutboxWorker(outbox, channels, { logger, now, timers: clock });
  // Actions asked through a separate API (`hazardwatch api`) for the enterprises this worker owns.
  const actions = new ActionWorker({
    host,
    requests: actionRequests,
    connectionString: deps.connectionString,
    workerId: settings.mqtt.clientId,
    enterprises: owned,
    logger,
    clock,
  });
  let actionsStarted = false;
  let siteWatch: SiteWatch | undefined;

  const startDuties = (): void => {
    startStorageDuties(duties, settings, {
      client,
      dialect,
      now,
      storage,
      notifications,
      jobWatch,
      alarms: alarmRepository,
      actionRequests,
      alarmTick: () => {
        const t = now();
        engine.tick(t);
        host.tick(t);
      },
    });
  };

  /** Site edits saved by any API process (a new stored version, NOTIFY) take effect here too. */
  const checkSite = siteChecker({
    client,
    now,
    version: () => current?.version ?? 0,
    apply: applySite,
    log,
  });

  const stop = (): Promise<void> =>
    stopSteps(log, [
      ['duties', () => duties.stop()],
      ['site watch', () => siteWatch?.close()],
      ['action worker', () => (actionsStarted ? actions.close() : undefined)],
      ['ingest', () => ingest.close()],
    ]);

  return {
    app: ingest,
    alarms: host,
    alarmSettings: deps.alarmSettings,
    actions,
    get site() {
      return current?.index;
    },
    get siteVersion() {
      return current?.version ?? null;
    },
    applySite,
    ownedEnterprises: owned,
    ready: () => {
      const broker = ingest.subscriber.connected;
      const storage = ingest.pipeline.storageHealthy;
      const jobs = jobWatch?.degraded() ?? [];
      return {
        ready: broker && storage,
        detail: {
          status: jobs.some((j) => j.verdict !== 'effective') ? 'degraded' : 'ok',
          broker,
          storage,
          batchesPoisoned: ingest.counters.batchesPoisoned,
          alarmUnitsFailed: host.failedUnits,
          siteVersion: current?.version ?? null,
          jobs,
        },
      };
    },
    metrics: async () =>
      (await ingestMetricsText(ingest.counters, {
        bufferedRows: ingest.pipeline.bufferedRows,
        unacknowledgedMessages: ingest.subscriber.unacknowledged,
        storageHealthy: ingest.pipeline.storageHealthy,
        brokerConnected: ingest.subscriber.connected,
        deadLettersQueued: ingest.pipeline.deadLettersQueued,
        alarmUnitsFailed: host.failedUnits,
        notifications: notifications.byChannel,
      })) + ((await jobWatch?.metrics()) ?? ''),
    start: async () => {
      if (channels.length === 0)
        log.warn(
          'no notification channel configured: 预警 are recorded, but nobody is told (docs/notifications.md)',
        );
      try {
        await host.restore();
        // Before the first tick and sample: an alarm the plant has not cleared (its value inside
        // the deadband, or bad quality) is not returned by a fresh evaluator.
        engine.holdActive(host.heldConditions());
        // Judged once before the duties start: /readyz says degraded from the first answer, and
        // the platform alarms of a restart are brought up to date with the restored book.
        await jobWatch?.check();
        startDuties();
        // What the gateways' last owner stored (gateway_status), before the broker's retained
        // status messages arrive: a retained death of a gateway heard from within its timeout is
        // not taken (app.ts).
        if (current)
          ingest.presence.seed(
            await new GatewayStatusRepository(client).byEnterprises([
              ...new Set(scope.gateways(current.index).map((g) => g.enterprise)),
            ]),
          );
        await ingest.start();
        await actions.start();
        actionsStarted = true;
        siteWatch = await watchSiteDocuments({
          connectionString: deps.connectionString,
          logger,
          check: checkSite,
        });
      } catch (error) {
        await stop().catch((err: unknown) => log.warn({ err }, 'cleanup after failed start'));
        throw error;
      }
    },
    close: async () => {
      await stop();
      // Everything stored, the minute still open included (a successor recomputes that minute).
      await minuteRollups
        .rollUp(Infinity, false)
        .catch((err: unknown) => log.warn({ err }, 'final rollup refresh failed'));
      directory = pointDirectoryFrom([], []);
    },
  };
}
