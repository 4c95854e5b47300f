import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { stopSteps } from '@hazardwatch/kit';
import { EMPTY_SITE, SiteIndex } from '@hazardwatch/core';
import {
  ActionRequestRepository,
  AlarmRepository,
  DataLossRepository,
  GatewayStatusRepository,
  LeaseRepository,
  NotificationOutbox,
  PLATFORM_ACTION_ROUTE,
  timescaleJobs,
  watchSiteDocuments,
  type SiteWatch,
} from '@hazardwatch/store';
import { ActionWorker, ownedEnterprises } from './action-worker.js';
import type { AlarmEngine, AlarmEngineEvents } from './alarm-engine.js';
import { buildIngestApp, type IngestApp } from './app.js';
import type { IngestConfig } from './config.js';
import { DutySchedule } from './duty-schedule.js';
import { ingestMetricsText } from './ingest-metrics.js';
import type { IngestReadiness, IngestService, IngestServiceDeps, VersionedSite } from './ingest-service.js';
import { buildIngestStorage, siteChecker, startStorageDuties } from './ingest-storage.js';
import { NO_ROUTES, OutboxWorker } from './notify/index.js';
import { pointDirectoryFrom, pointDirectoryFromSite, type PointDirectory } from './point-directory.js';
import { PARTITION_COUNT, partitionOf } from './partitions/partition-hash.js';
import { LegacySessionDrain } from './partitions/legacy-session-drain.js';
import { PartitionOwner } from './partitions/partition-owner.js';
import { PartitionRouter, type RoutedUnit } from './partitions/partition-router.js';
import { PartitionSessions } from './partitions/partition-sessions.js';
import { PartitionUnit } from './partitions/partition-unit.js';
import { TimescaleJobWatch } from './timescale-job-watch.js';

/** A leased ingest worker (issue #23): what it shares with the single worker, without the one engine. */
export interface LeasedIngestService extends Omit<IngestService, 'alarms' | 'app'> {
  /** MQTT (one persistent session per partition held) → decode → COPY. */
  readonly app: IngestApp<PartitionSessions>;
  /** This start's id in the lease table (`{partitions.workerId}-{random}`). */
  readonly workerId: string;
  /** The partitions' leases, units and sessions. */
  readonly owner: PartitionOwner;
  /** Hears every alarm unit stored by any partition this worker holds (the live push of an in-process API). */
  onStored(listener: (events: AlarmEngineEvents) => void): () => void;
  /** The partitions this worker evaluates now. */
  partitions(): number[];
}

/** A worker id unique to this start: the configured name (or the host name) and a random suffix. */
export function leasedWorkerId(name: string | undefined): string {
  const base = (name ?? hostname()).replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 100);
  return `${base}-${randomBytes(4).toString('hex')}`;
}

/**
 * The ingest service of a leased worker (docs/operations.md §5.1): the same pipeline, storage and
 * duties as `buildIngestService`, but evaluation by partition. The 64 partitions are shared among
 * the live workers through the lease table (PartitionKeeper); a partition granted here gets its
 * own unit (evaluators and alarm engine, restored from the database) and its own persistent MQTT
 * session (`{mqtt.clientId}-pNN`); a lost one stops at once. Readings, gateway status and presence
 * changes reach the unit of their enterprise's partition (PartitionRouter), the alarm tick every
 * unit; forwarded actions are claimed for the enterprises of the partitions held and applied by
 * their unit; TimescaleDB job alarms are raised by the holder of partition 0.
 */
export function buildLeasedIngestService(
  settings: IngestConfig,
  deps: IngestServiceDeps,
): LeasedIngestService {
  const { clock, logger, store } = deps;
  const { client, dialect } = store;
  const { schedule, partitions: lease } = settings;
  if (ownedEnterprises(settings.mqtt.subscriptions) !== null)
    throw new RangeError(
      'a leased worker takes no pinned enterprises (mqtt.subscriptions, HW_INGEST_ENTERPRISES)',
    );
  const count = PARTITION_COUNT;
  const workerId = leasedWorkerId(lease.workerId);
  const log = logger.child({ component: 'ingest-service', worker: workerId });
  const now = (): number => clock.now();

  let current: VersionedSite | undefined = deps.site;
  let directory: PointDirectory = current
    ? pointDirectoryFromSite(current.index)
    : pointDirectoryFrom([], []);
  const storage = buildIngestStorage(settings, { logger, now, store });
  const outbox = new NotificationOutbox(client);
  const channels = deps.channels ?? [];
  const routes = deps.routes ?? { ...NO_ROUTES, webhooks: channels.map((c) => c.name) };
  const leases = new LeaseRepository(deps.leaseClient ?? client);
  const router = new ClockedRouter(count, (id) => current?.index.pointById(id)?.enterprise, now);
  const stored = new Set<(events: AlarmEngineEvents) => void>();
  const readJobs = () => timescaleJobs(client, dialect);
  /** Partition 0's platform alarms: a watch per tenure, so its first check tells every job's state. */
  let jobAlarms: { unit: PartitionUnit; watch: TimescaleJobWatch } | undefined;

  let owner: PartitionOwner | undefined;
  const ingest: IngestApp<PartitionSessions> = buildIngestApp(
    settings,
    {
      logger,
      writer: storage.writer,
      directory: () => directory,
      observers: [router, ...(deps.observers ?? [])],
      now,
      timers: clock,
      gatewayStatus: new GatewayStatusRepository(client),
      gateways: router,
      dataLoss: new DataLossRepository(client),
      gatewayOfflineAfterMs: (enterprise, gateway) =>
        current?.index.gateway(enterprise, gateway)?.offlineAfterMs,
    },
    (onMessage) => {
      owner = new PartitionOwner({
        workerId,
        count,
        leaseMs: lease.leaseMs,
        heartbeatMs: lease.heartbeatMs,
        marginMs: lease.marginMs,
        leases,
        clock,
        logger,
        router,
        sessions: (owns) =>
          new PartitionSessions({
            clientIdPrefix: settings.mqtt.clientId,
            count,
            enterprises: () => current?.index.site.enterprises.map((e) => e.code) ?? [],
            session: {
              url: settings.mqtt.url,
              username: settings.mqtt.username,
              password: settings.mqtt.password,
              protocolVersion: settings.mqtt.protocolVersion,
              keepaliveSec: settings.mqtt.keepaliveSec,
              reconnectPeriodMs: settings.mqtt.reconnectPeriodMs,
              connectTimeoutMs: settings.mqtt.connectTimeoutMs,
              receiveMaximum: settings.mqtt.receiveMaximum,
              sessionExpirySec: settings.mqtt.sessionExpirySec,
            },
            owns,
            onMessage,
            logger,
          }),
        unit: (partition, ownership) => {
          const unit = new PartitionUnit({
            partition,
            ownership,
            index: current?.index ?? new SiteIndex(EMPTY_SITE),
            settings: deps.alarmSettings,
            client,
            outbox,
            routes,
            logger,
            clock,
            joinBatch: (work) => ingest.pipeline.attach(work),
            // Before the partition's session opens and its retained status messages arrive.
            restoredGateways: (stored) => ingest.presence.seed(stored),
          });
          // A unit dropped at a loss stores nothing more (its writes are refused), so it needs no unsubscribe.
          unit.alarms.onStored((events) => {
            for (const listener of stored) listener(events);
          });
          if (partition === 0 && dialect === 'timescaledb')
            jobAlarms = {
              unit,
              watch: new TimescaleJobWatch({ readJobs, clock, logger, alarms: unit.alarms }),
            };
          return unit;
        },
      });
      return owner.sessions;
    },
  );
  const partitionOwner = owner!;
  ingest.presence.onChange((g) => {
    if (g.online) router.gatewayOnline(g.enterprise, g.gateway, g.lastSeenMs);
    else router.gatewayOffline(g.enterprise, g.gateway, g.lastSeenMs);
  });

  /** The unit of a partition this worker may act for now. */
  const heldUnit = (partition: number): PartitionUnit | undefined =>
    partitionOwner.keeper.owns(partition) ? partitionOwner.unitOf(partition) : undefined;
  const heldUnits = (): PartitionUnit[] =>
    router.partitions().flatMap((p) => {
      const unit = heldUnit(p);
      return unit ? [unit] : [];
    });
  const heldEnterprises = (): string[] => heldUnits().flatMap((u) => [...u.enterprises]);

  const applySite = (next: VersionedSite): void => {
    // As the single worker: evaluators first (a held partition's units serve its enterprises of the
    // new site; removed points return to normal through the engine that still knows them), then
    // the directory, then each engine's site; then the sessions subscribe what their partitions
    // gained and unsubscribe what they lost (§5.1 item 4).
    const units = heldUnits();
    for (const unit of units) unit.reconfigure(next.index);
    directory = pointDirectoryFromSite(next.index);
    for (const unit of units) unit.alarms.replaceSite(next.index);
    current = next;
    partitionOwner.sessions
      .refresh()
      .catch((err: unknown) => log.warn({ err }, 'resubscribing the partitions after a site edit failed'));
    log.info({ version: next.version, points: next.index.points().length }, 'site model in force');
  };

  const duties = new DutySchedule(clock, log);
  const actionRequests = new ActionRequestRepository(client);
  // Judged in every worker (readiness, metrics); alarms only through partition 0's holder.
  const jobWatch = dialect === 'timescaledb' ? new TimescaleJobWatch({ readJobs, clock, logger }) : undefined;
  const notifications = new OutboxWorker(outbox, channels, { logger, now, timers: clock });
  // Actions on platform alarms (routed `platform:`) go to the holder of partition 0, which raises them.
  const actionPartition = (route: string): number =>
    route === PLATFORM_ACTION_ROUTE ? 0 : partitionOf(route, count);
  const actions = new ActionWorker({
    host: (route): AlarmEngine | undefined => heldUnit(actionPartition(route))?.alarms,
    requests: actionRequests,
    connectionString: deps.connectionString,
    workerId,
    enterprises: () => [...heldEnterprises(), ...(heldUnit(0) ? [PLATFORM_ACTION_ROUTE] : [])],
    logger,
    clock,
  });
  let actionsStarted = false;
  let siteWatch: SiteWatch | undefined;
  const checkSite = siteChecker({ client, now, version: () => current?.version ?? 0, apply: applySite, log });

  const checkJobAlarms = async (): Promise<void> => {
    if (jobAlarms && heldUnit(0) === jobAlarms.unit) await jobAlarms.watch.check();
  };
  const startDuties = (): void => {
    startStorageDuties(duties, settings, {
      client,
      dialect,
      now,
      storage,
      notifications,
      jobWatch,
      // Retention of closed alarms is not alarm state: any worker may prune it.
      alarms: new AlarmRepository(client),
      actionRequests,
      alarmTick: () => router.tick(now()),
    });
    if (jobWatch) duties.every(schedule.jobHealthIntervalMs, 'timescale-job-alarms', checkJobAlarms);
    duties.every(schedule.maintenanceIntervalMs, 'lease-members', () =>
      leases.pruneWorkers(lease.pruneWorkersAfterMs),
    );
    duties.every(LEGACY_CHECK_MS, 'legacy-session', drainLegacySession);
  };

  // A single worker's session left at the broker (an upgrade from `single`): drained once by the
  // holder of partition 0, when every partition's session is open, then deleted.
  const legacy = new LegacySessionDrain({
    url: settings.mqtt.url,
    clientId: settings.mqtt.clientId,
    username: settings.mqtt.username,
    password: settings.mqtt.password,
    protocolVersion: settings.mqtt.protocolVersion,
    connectTimeoutMs: settings.mqtt.connectTimeoutMs,
    // A leased worker's subscriptions are the fleet's, as the single worker's were (no pin).
    filters: settings.mqtt.subscriptions,
    logger,
  });
  const legacyState = { done: false, running: false, republished: 0 };
  const drainLegacySession = async (): Promise<void> => {
    if (legacyState.done || legacyState.running || !heldUnit(0)) return;
    if (!(await leases.allHeldSince(count, LEGACY_SETTLE_MS))) return;
    legacyState.running = true;
    try {
      const result = await legacy.run();
      legacyState.republished += result.republished;
      legacyState.done = result.deleted;
    } finally {
      legacyState.running = false;
    }
  };

  const failedUnits = (): number => heldUnits().reduce((n, u) => n + u.alarms.failedUnits, 0);

  const stop = (): Promise<void> =>
    stopSteps(log, [
      ['duties', () => duties.stop()],
      ['legacy session drain', () => legacy.stop()],
      ['site watch', () => siteWatch?.close()],
      ['action worker', () => (actionsStarted ? actions.close() : undefined)],
      // The pipeline flushes and every session disconnects with its acknowledgements sent, while
      // the leases are still held (the alarm writes of that flush are fenced with them) …
      ['ingest', () => ingest.close()],
      // … then the partitions are given back at once for the other workers.
      ['partition leases', () => partitionOwner.close()],
    ]);

  return {
    app: ingest,
    workerId,
    owner: partitionOwner,
    alarmSettings: deps.alarmSettings,
    actions,
    get site() {
      return current?.index;
    },
    get siteVersion() {
      return current?.version ?? null;
    },
    applySite,
    get ownedEnterprises() {
      return heldEnterprises();
    },
    partitions: () => heldUnits().map((u) => u.partition),
    onStored: (listener) => {
      stored.add(listener);
      return () => stored.delete(listener);
    },
    ready: (): IngestReadiness => {
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
          alarmUnitsFailed: failedUnits(),
          siteVersion: current?.version ?? null,
          jobs,
          partitions: heldUnits().map((u) => u.partition),
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
        alarmUnitsFailed: failedUnits(),
        notifications: notifications.byChannel,
      })) +
      leaseMetricsText(
        heldUnits().length,
        partitionOwner.keeper.failedRounds,
        router.unrouted,
        legacyState.republished,
      ) +
      ((await jobWatch?.metrics()) ?? ''),
    start: async () => {
      if (channels.length === 0)
        log.warn(
          'no notification channel configured: 预警 are recorded, but nobody is told (docs/notifications.md)',
        );
      try {
        await leases.ensurePartitions(count);
        await leases
          .pruneWorkers(lease.pruneWorkersAfterMs)
          .catch((err: unknown) => log.warn({ err }, 'pruning lease members failed'));
        await jobWatch?.check();
        await ingest.start();
        // The first round: this worker's share taken, each partition restored before its session opens.
        await partitionOwner.start();
        startDuties();
        await actions.start();
        actionsStarted = true;
        siteWatch = await watchSiteDocuments({
          connectionString: deps.connectionString,
          logger,
          check: checkSite,
        });
        log.info({ partitions: heldUnits().map((u) => u.partition) }, 'leased worker started');
      } catch (error) {
        await stop().catch((err: unknown) => log.warn({ err }, 'cleanup after failed start'));
        throw error;
      }
    },
    close: async () => {
      await stop();
      await storage.minuteRollups
        .rollUp(Infinity, false)
        .catch((err: unknown) => log.warn({ err }, 'final rollup refresh failed'));
      directory = pointDirectoryFrom([], []);
    },
  };
}

/**
 * The router of a leased worker: a unit's evaluation clock starts when it is routed to — after its
 * restore, before its session opens — so the first tick of a taken partition always comes before
 * its first live sample, as it does for a worker at start-up.
 */
class ClockedRouter extends PartitionRouter {
  constructor(
    count: number,
    enterpriseOfPoint: (pointId: number) => string | undefined,
    private readonly now: () => number,
  ) {
    super(count, enterpriseOfPoint);
  }

  override attach(unit: RoutedUnit): void {
    super.attach(unit);
    unit.tick(this.now());
  }
}

/** How often the holder of partition 0 looks for a single worker's session left at the broker. */
const LEGACY_CHECK_MS = 5_000;
/** Every partition held this long by its owner: its session is open (subscribed) by then. */
const LEGACY_SETTLE_MS = 5_000;

/** The lease gauges of a leased worker (Prometheus text 0.0.4). */
function leaseMetricsText(held: number, failedRounds: number, unrouted: number, legacy: number): string {
  return [
    '# HELP hw_ingest_partitions_held Partitions this worker holds and evaluates now.',
    '# TYPE hw_ingest_partitions_held gauge',
    `hw_ingest_partitions_held ${held}`,
    '# HELP hw_ingest_lease_rounds_failed Lease rounds failed in a row (database unreachable).',
    '# TYPE hw_ingest_lease_rounds_failed gauge',
    `hw_ingest_lease_rounds_failed ${failedRounds}`,
    '# HELP hw_ingest_unrouted_total Readings and gateway messages that arrived for a partition not held.',
    '# TYPE hw_ingest_unrouted_total counter',
    `hw_ingest_unrouted_total ${unrouted}`,
    "# HELP hw_ingest_legacy_session_republished_total Messages of a single worker's session left at the broker, published again for the partitions.",
    '# TYPE hw_ingest_legacy_session_republished_total counter',
    `hw_ingest_legacy_session_republished_total ${legacy}`,
    '',
  ].join('\n');
}
