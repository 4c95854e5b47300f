import { Type, type Static } from '@sinclair/typebox';
import { FLEET_FILTERS } from '@hazardwatch/contracts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Ingest service configuration; every field documents its unit and default. */
export const IngestConfigSchema = Type.Object(
  {
    mqtt: Type.Object(
      {
        /** Broker URL, e.g. mqtt://127.0.0.1:1883. */
        url: Type.String({ minLength: 1 }),
        /** Stable client id: the broker keeps this session's unacknowledged messages across restarts. @default hw-ingest */
        clientId: Type.String({ minLength: 1, maxLength: 128, default: 'hw-ingest' }),
        username: Type.Optional(Type.String()),
        password: Type.Optional(Type.String()),
        /** 4 = MQTT 3.1.1, 5 = MQTT 5. @default 4 */
        protocolVersion: Type.Union([Type.Literal(4), Type.Literal(5)], { default: 4 }),
        /** @default 30 */
        keepaliveSec: Type.Integer({ minimum: 5, maximum: 3600, default: 30 }),
        /** @default 1000 */
        reconnectPeriodMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 1000 }),
        /** @default 10000 */
        connectTimeoutMs: Type.Integer({ minimum: 1000, maximum: 120_000, default: 10_000 }),
        /** MQTT 5: unacknowledged messages in flight to us. @default 1000 */
        receiveMaximum: Type.Integer({ minimum: 1, maximum: 65_535, default: 1000 }),
        /** MQTT 5: session kept by the broker while we are away. @default 604800 (7 days) */
        sessionExpirySec: Type.Integer({ minimum: 0, default: 7 * 24 * 3600 }),
        /**
         * Subscriptions; narrow them to own a partition of the fleet (one enterprise per filter).
         * The default takes everything under `hw/` (also `/hw/`, `HW/`) so that malformed topics
         * are counted as `bad_topic` rather than dropped by the broker.
         * @default ["hw/#", "/hw/#", "HW/#"]
         */
        subscriptions: Type.Array(Type.String({ minLength: 1 }), {
          minItems: 1,
          default: [...FLEET_FILTERS],
        }),
      },
      { additionalProperties: false },
    ),
    limits: Type.Object(
      {
        /** @default 262144 (256 KiB) */
        maxPayloadBytes: Type.Integer({ minimum: 1024, default: 256 * 1024 }),
        /** @default 10000 */
        maxReadingsPerMessage: Type.Integer({ minimum: 1, default: 10_000 }),
        /** Device clock ahead of ours by more than this is refused. @default 300000 (5 min) */
        maxFutureSkewMs: Type.Integer({ minimum: 0, default: 5 * MINUTE_MS }),
        /** Source timestamps older than this are refused; keep it below raw retention. @default 604800000 (7 days) */
        maxAgeMs: Type.Integer({ minimum: MINUTE_MS, default: 7 * DAY_MS }),
      },
      { additionalProperties: false, default: {} },
    ),
    batching: Type.Object(
      {
        /** @default 20000 */
        maxBatchRows: Type.Integer({ minimum: 1, default: 20_000 }),
        /** @default 2 */
        maxInFlightWrites: Type.Integer({ minimum: 1, maximum: 16, default: 2 }),
        /** Intake pauses above this many rows not yet durable. @default 200000 */
        maxBufferedRows: Type.Integer({ minimum: 1, default: 200_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /**
     * Rejected messages and readings kept for diagnosis (docs/mqtt-telemetry.md §5): what is not
     * kept is counted in hw_ingest_dead_letters_dropped_total{reason}.
     */
    deadLetters: Type.Object(
      {
        /** Raw payload bytes kept per dead letter; longer payloads are cut. @default 4096 */
        maxRawBytes: Type.Integer({ minimum: 0, maximum: 1024 * 1024, default: 4096 }),
        /** Rows the dead_letters table keeps, newest first, enforced on every write. @default 20000 */
        maxRows: Type.Integer({ minimum: 1, default: 20_000 }),
        /** Dead letters per gateway per second, sustained (unknown gateways share one allowance). @default 10 */
        perGatewayPerSec: Type.Number({ exclusiveMinimum: 0, default: 10 }),
        /** Dead letters one gateway may produce at once. @default 100 */
        perGatewayBurst: Type.Integer({ minimum: 1, default: 100 }),
        /** Dead letters waiting in memory for storage. @default 1000 */
        maxQueued: Type.Integer({ minimum: 1, default: 1000 }),
        /** Bytes those hold. @default 8388608 (8 MiB) */
        maxQueuedBytes: Type.Integer({ minimum: 1024, default: 8 * 1024 * 1024 }),
      },
      { additionalProperties: false, default: {} },
    ),
    retry: Type.Object(
      {
        /** @default 200 */
        initialDelayMs: Type.Integer({ minimum: 1, default: 200 }),
        /** @default 10000 */
        maxDelayMs: Type.Integer({ minimum: 1, default: 10_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /**
     * How often the service's timed duties run (buildIngestService). Each duty runs on the
     * injected clock, so tests drive them by advancing it.
     */
    schedule: Type.Object(
      {
        /** Plain dialect: partitions made ahead and dropped for retention this often. @default 3600000 (1 h) */
        partitionIntervalMs: Type.Integer({ minimum: 1000, default: HOUR_MS }),
        /** New pages of raw readings summarised in their time index (BRIN) this often. @default 5000 */
        timeIndexIntervalMs: Type.Integer({ minimum: 100, default: 5000 }),
        /** At start-up, rollups are recomputed for this span before now (a previous run may not have rolled them up). @default 300000 (5 min) */
        rollupStartupLookbackMs: Type.Integer({ minimum: 0, default: 5 * MINUTE_MS }),
        /** Rollups refresh this long after each minute boundary, once the minute's readings are in. @default 5000 */
        rollupGraceMs: Type.Integer({ minimum: 0, maximum: MINUTE_MS - 1, default: 5000 }),
        /** Alarm and action-request retention run this often (dead letters are bounded as they are written). @default 600000 (10 min) */
        maintenanceIntervalMs: Type.Integer({ minimum: 1000, default: 10 * MINUTE_MS }),
        /** Audit log retention runs this often. @default 86400000 (1 day) */
        auditPruneIntervalMs: Type.Integer({ minimum: 1000, default: DAY_MS }),
        /** Staleness, shelve expiry, re-alarm and 预警 deadlines are checked this often. @default 1000 */
        alarmTickMs: Type.Integer({ minimum: 10, default: 1000 }),
        /** Pending 预警 notifications are sent this often. @default 2000 */
        outboxIntervalMs: Type.Integer({ minimum: 10, default: 2000 }),
        /** TimescaleDB: the background jobs' statistics are read and judged this often (docs/operations.md §6.2). @default 60000 */
        jobHealthIntervalMs: Type.Integer({ minimum: 1000, default: MINUTE_MS }),
        /** Finished forwarded actions are kept this long (the audit log keeps what was done). @default 604800000 (7 days) */
        actionRequestKeepMs: Type.Integer({ minimum: MINUTE_MS, default: 7 * DAY_MS }),
      },
      { additionalProperties: false, default: {} },
    ),
    /**
     * How a worker decides which enterprises it evaluates (docs/operations.md §5.1). `single`: all of
     * them, or those of its subscriptions (HW_INGEST_ENTERPRISES, the pin). `leased`: the 64
     * partitions are shared among the live workers through leases in PostgreSQL, each partition
     * with its own persistent MQTT session (`{mqtt.clientId}-pNN`); a dead worker's partitions are
     * taken over. The keeper refuses a heartbeat above half of lease − margin.
     */
    partitions: Type.Object(
      {
        /** @default single */
        mode: Type.Union([Type.Literal('single'), Type.Literal('leased')], { default: 'single' }),
        /** How long a grant or renewal lasts, on the database's clock, ms. @default 4000 */
        leaseMs: Type.Integer({ minimum: 500, maximum: 600_000, default: 4000 }),
        /** Renewal, membership and rebalancing round, ms. @default 1000 */
        heartbeatMs: Type.Integer({ minimum: 50, maximum: 300_000, default: 1000 }),
        /** The worker stops acting this long before its lease ends, ms. @default 500 */
        marginMs: Type.Integer({ minimum: 0, maximum: 300_000, default: 500 }),
        /**
         * This worker's name in the lease table; a suffix unique to each start is appended (a
         * restarted worker is a new member, its predecessor's leases simply expire).
         * @default the host name
         */
        workerId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._-]+$' })),
        /** Memberships expired longer than this are deleted, ms. @default 3600000 (1 h) */
        pruneWorkersAfterMs: Type.Integer({ minimum: 1000, default: HOUR_MS }),
      },
      { additionalProperties: false, default: {} },
    ),
    retention: Type.Object(
      {
        /** Closed alarms, their events and 预警 kept, days (REFERENCE §8 item 17: ≥ 30). @default 365 */
        alarmDays: Type.Integer({ minimum: 30, default: 365 }),
        /**
         * Audit log entries kept, days. Minimum 180: the Cybersecurity Law of the PRC, art. 21(3),
         * requires network logs to be kept for at least six months. @default 365
         */
        auditDays: Type.Integer({ minimum: 180, default: 365 }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export type IngestConfig = Static<typeof IngestConfigSchema>;
