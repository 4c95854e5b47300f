import type { Logger } from 'pino';
import {
  AuditRepository,
  latestSiteVersion,
  loadStoredSite,
  PartitionMaintainer,
  PgReadingWriter,
  TimeRollups,
  type ActionRequestRepository,
  type AlarmRepository,
  type Retention,
  type SqlClient,
  type StoreDialect,
} from '@hazardwatch/store';
import type { IngestConfig } from './config.js';
import type { DutySchedule } from './duty-schedule.js';
import type { BatchWriter } from './ingest-pipeline.js';
import { IngestRollups } from './minute-rollups.js';
import type { OutboxWorker } from './notify/index.js';
import type { TimescaleJobWatch } from './timescale-job-watch.js';
import type { VersionedSite } from './ingest-service.js';

const DAY_MS = 86_400_000;

/** The migrated store an ingest service writes through. */
export interface IngestStore {
  readonly pool: ConstructorParameters<typeof PgReadingWriter>[0];
  readonly client: SqlClient;
  readonly dialect: StoreDialect;
  readonly retention: Retention;
}

/** The storage side of an ingest worker, whichever way it evaluates (one engine or leased partitions). */
export interface IngestStorage {
  /** COPY of each batch, then the batch's minutes marked for rollup. */
  readonly writer: BatchWriter;
  readonly minuteRollups: IngestRollups;
  readonly timeRollups: TimeRollups;
  readonly partitions: PartitionMaintainer;
}

/**
 * The reading writer, the raw-table partitions (plain dialect) and the rollups of stored minutes.
 * A previous run may have stopped (killed, crashed) after storing readings it never rolled up,
 * with times up to the future skew the decoder accepts: those minutes are recomputed from the raw
 * readings. Later minutes are wholly this process's, aggregated in memory (both dialects: on
 * TimescaleDB the rollups are tables the service writes since schema version 21).
 */
export function buildIngestStorage(
  settings: IngestConfig,
  deps: { readonly logger: Logger; readonly now: () => number; readonly store: IngestStore },
): IngestStorage {
  const { logger, now, store } = deps;
  const { client, dialect, retention } = store;
  const partitions = new PartitionMaintainer({
    client,
    logger,
    now,
    retention,
    maxAcceptedAgeMs: settings.limits.maxAgeMs,
  });
  const timeRollups = new TimeRollups({ client, dialect, logger, now, retention });
  const pgWriter = new PgReadingWriter(store.pool, {
    logger,
    now,
    deadLetters: { maxRows: settings.deadLetters.maxRows, maxRawBytes: settings.deadLetters.maxRawBytes },
    // Exact decimals as scaled integers where chunks are compressed (schema version 23).
    scaledValues: dialect === 'timescaledb',
    ...(dialect === 'postgres'
      ? {
          onMissingPartition: (from: number, to: number) =>
            partitions.ensureCovering(from, to).then(() => undefined),
        }
      : {}),
  });
  const builtAt = now();
  const minuteRollups = new IngestRollups({
    rollups: timeRollups,
    aggregateMinutes: true,
    coverFromMs: builtAt + settings.limits.maxFutureSkewMs,
  });
  minuteRollups.dirty.markSpan(
    builtAt - settings.schedule.rollupStartupLookbackMs,
    builtAt + settings.limits.maxFutureSkewMs,
  );
  const writer: BatchWriter = {
    write: async (rows, deadLetters) => {
      const outcome = await pgWriter.write(rows, deadLetters);
      minuteRollups.stored(rows, outcome);
      return outcome;
    },
  };
  return { writer, minuteRollups, timeRollups, partitions };
}

/**
 * The timed duties of an ingest worker: the alarm tick, partitions, time index,
 * rollups, the 预警 outbox, TimescaleDB job health, and the retention of alarms, audit entries and
 * finished forwarded actions — every period from `settings.schedule`.
 */
export function startStorageDuties(
  duties: DutySchedule,
  settings: IngestConfig,
  deps: {
    readonly client: SqlClient;
    readonly dialect: StoreDialect;
    readonly now: () => number;
    readonly storage: IngestStorage;
    readonly notifications: OutboxWorker;
    readonly jobWatch: TimescaleJobWatch | undefined;
    readonly alarms: AlarmRepository;
    readonly actionRequests: ActionRequestRepository;
    /** The alarm tick: staleness, delays, shelve expiry, re-alarm and 预警 deadlines. */
    readonly alarmTick: () => void;
  },
): void {
  const { schedule } = settings;
  const { client, now, storage, notifications, jobWatch } = deps;
  if (deps.dialect === 'postgres') {
    duties.every(schedule.partitionIntervalMs, 'partitions', () => storage.partitions.run());
  }
  // Both dialects index raw readings by time with BRIN (TimescaleDB from schema version 19).
  duties.every(schedule.timeIndexIntervalMs, 'time-index', () => storage.timeRollups.summarizeTimeIndex());
  // Rollups: once per minute, just after the boundary, for the minutes that are over (late data
  // included). Chained, so a long refresh (a backfill) delays the next, never overlaps it.
  duties.afterEachMinute(schedule.rollupGraceMs, 'rollups', async (completeBeforeMs) => {
    await storage.minuteRollups.rollUp(completeBeforeMs, true);
    await storage.timeRollups.prune();
  });
  duties.tick(schedule.alarmTickMs, deps.alarmTick);
  duties.every(schedule.outboxIntervalMs, 'notifications', () => notifications.runOnce());
  if (jobWatch) duties.every(schedule.jobHealthIntervalMs, 'timescale-jobs', () => jobWatch.check());
  duties.every(schedule.maintenanceIntervalMs, 'alarm-retention', () =>
    deps.alarms.pruneClosedBefore(now() - settings.retention.alarmDays * DAY_MS),
  );
  // The kept span is the configured one (≥ 180 days, Cybersecurity Law art. 21).
  duties.every(schedule.auditPruneIntervalMs, 'audit-retention', () =>
    new AuditRepository(client).pruneBefore(now() - settings.retention.auditDays * DAY_MS),
  );
  duties.every(schedule.maintenanceIntervalMs, 'action-requests', () =>
    deps.actionRequests.pruneDoneBefore(now() - schedule.actionRequestKeepMs),
  );
}

/**
 * Site edits saved by any API process (a new stored version, NOTIFY) put in force here too: the
 * newest stored version, when newer than the one in force and valid.
 */
export function siteChecker(deps: {
  readonly client: SqlClient;
  readonly now: () => number;
  readonly version: () => number;
  readonly apply: (site: VersionedSite) => void;
  readonly log: Logger;
}): () => Promise<void> {
  return async () => {
    const latest = await latestSiteVersion(deps.client);
    if (latest === null || latest <= deps.version()) return;
    const loaded = await loadStoredSite(deps.client, deps.now());
    if (!loaded?.ok) {
      deps.log.error(
        { version: latest, errors: loaded?.errors.length ?? 0 },
        'stored site invalid; kept the one in force',
      );
      return;
    }
    if (loaded.version > deps.version()) deps.apply({ index: loaded.index, version: loaded.version });
  };
}
