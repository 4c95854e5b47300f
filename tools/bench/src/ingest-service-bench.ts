import pg from 'pg';
import type { Logger } from 'pino';
import { generateSite } from '@hazardwatch/simulators';
import { startIngestService, type RuntimeConfig } from 'hazardwatch';
import { prepareBenchSystem } from './bench-system.js';
import { gatewayLoads } from './paced-load.js';
import { runClosedLoopPublisher } from './closed-loop-publisher.js';
import type { PublisherGateway, PublisherSpec } from './publisher-worker.js';

export interface IngestServiceBenchOptions {
  readonly adminDatabaseUrl: string;
  readonly mqttUrl: string;
  readonly durationMs: number;
  readonly points: number;
  readonly readingsPerMessage: number;
  /**
   * The ingest's MQTT version: 5 as in production (its Receive Maximum sets the in-flight window);
   * 4 for a broker without MQTT 5 (aedes). @default 5
   */
  readonly protocolVersion?: 4 | 5;
  /** Not measured at the start (connections, JIT, first partitions). @default 10_000 */
  readonly warmupMs?: number;
  readonly base: RuntimeConfig;
  readonly logger: Logger;
}

export interface IngestServiceBenchResult {
  readonly bench: 'ingest';
  readonly mode: 'service';
  /** Readings made durable per second over the run after the warm-up: the sustained maximum. */
  readonly readingsPerSec: number;
  /** The slowest whole minute of the run (rollup refreshes, checkpoints and vacuum included). */
  readonly worstMinuteReadingsPerSec: number;
  readonly minuteReadingsPerSec: readonly number[];
  readonly rowsVerified: number;
  readonly readingsPublished: number;
  readonly commitLatencyP50Ms: number;
  readonly commitLatencyP99Ms: number;
  readonly meanBatchRows: number;
  /** Rollup rows (1 min) after the final refresh: one per point and minute with readings. */
  readonly rollupMinuteRows: number;
  /** Minute rollups that differ from the raw rows (count, min, max, avg) or are missing: must be 0. */
  readonly rollupMismatches: number;
  /** Alarms open at the end: a normal-band load should raise none (else the alarm path is measured too). */
  readonly alarmsOpen: number;
  readonly rssMb: number;
  /** This process (service and publisher thread), % of one core. */
  readonly processCpuPct: number;
  readonly points: number;
  readonly readingsPerMessage: number;
  readonly durationS: number;
}

/**
 * The sustained ingest maximum of the whole ingest service, not of the pipeline alone: the same
 * closed-loop publisher as `bench ingest` (at most a window of messages ahead of what is durable),
 * but into `startIngestService` over a generated site — alarm engine with persistence, latest
 * values, the rollup schedule and the time-index summarising — with readings stamped in real time
 * and values in each point's normal band (as a plant in normal operation). Run it for minutes, not
 * seconds: checkpoints, rollup refreshes and autovacuum come only with time.
 */
export async function runIngestServiceBench(
  options: IngestServiceBenchOptions,
): Promise<IngestServiceBenchResult> {
  const log = options.logger.child({ component: 'bench-ingest-service' });
  const site = generateSite({
    cities: 2,
    enterprises: Math.max(2, Math.round(options.points / 2500)),
    points: options.points,
    seed: 11,
  });
  const gateways: PublisherGateway[] = gatewayLoads(site).map((l) => ({
    topic: l.topic,
    tags: l.tags,
    centre: l.centre,
    wiggle: l.wiggle,
  }));
  const enterprises = [
    ...new Set((site['points'] as Array<{ enterprise: string }>).map((p) => p.enterprise)),
  ];
  const system = await prepareBenchSystem({
    name: 'ingest-service',
    adminDatabaseUrl: options.adminDatabaseUrl,
    mqttUrl: options.mqttUrl,
    base: options.base,
    site,
    logger: options.logger,
    ingest: {
      // Readings are stamped as sent: a small future skew lets the in-memory minute rollups cover
      // the run from its first whole minute (with the default 5 min, a restarted ingest recomputes
      // its first minutes from the raw rows instead — the steady state is what is measured).
      limits: { maxFutureSkewMs: 10_000 },
      mqtt: {
        protocolVersion: options.protocolVersion ?? 5,
        subscriptions: enterprises.map((e) => `hw/v1/${e}/+/telemetry`),
      },
    },
  });
  const { config } = system;
  // Its start migrates the scratch database: a failure there must not leave it behind.
  const service = await startIngestService(config, options.logger).catch(async (err: unknown) => {
    await system.release();
    throw err;
  });
  let serviceClosed = false;
  try {
    const counters = service.app.counters;
    const latencies: number[] = [];
    const batchRows: number[] = [];
    let measuring = false;
    service.app.pipeline.onBatch(({ rows, commitMs }) => {
      if (!measuring) return;
      latencies.push(commitMs);
      batchRows.push(rows);
    });
    const spec: PublisherSpec = {
      mqttUrl: options.mqttUrl,
      gateways,
      readingsPerMessage: options.readingsPerMessage,
      durationMs: options.durationMs,
      windowMessages: 500,
    };
    let rss = 0;
    // Rows durable, sampled about every second of the measured part with the time of the sample
    // (a busy event loop delays the timer): per-minute rates from them over the time that passed.
    const perSecond: Array<{ readonly atMs: number; readonly rows: number }> = [];
    let t0 = 0;
    let cpu0 = process.cpuUsage();
    const sampler = setInterval(() => {
      rss = Math.max(rss, process.memoryUsage().rss);
      if (measuring) perSecond.push({ atMs: performance.now(), rows: counters.rowsWritten });
    }, 1000);
    const warm = setTimeout(() => {
      measuring = true;
      t0 = performance.now();
      cpu0 = process.cpuUsage();
      perSecond.push({ atMs: t0, rows: counters.rowsWritten });
    }, options.warmupMs ?? 10_000);
    const published = await runClosedLoopPublisher(spec, () => counters.messagesDurable);
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    measuring = false;
    clearTimeout(warm);
    clearInterval(sampler);
    const rows0 = perSecond[0]?.rows ?? 0;
    const rows1 = counters.rowsWritten;
    log.info({ published }, 'publisher finished');

    const deadline = Date.now() + 120_000;
    while (counters.accepted + counters.rejected < published.readings && Date.now() < deadline)
      await sleep(50);
    await service.app.pipeline.drain();
    const alarmsOpen = service.alarms.book.open().length;
    // Closing runs the final rollup refresh, so the minute rows can be checked too.
    await service.close();
    serviceClosed = true;
    const pool = new pg.Pool({ connectionString: system.databaseUrl, max: 1 });
    // An idle client whose session ends emits 'error' on the pool: unheard, Node would exit.
    pool.on('error', (err) => log.warn({ err }, 'verification connection lost'));
    let rowsVerified: number;
    let rollupMinuteRows: number;
    let rollupMismatches: number;
    try {
      rowsVerified = Number(
        (await pool.query<{ n: string }>('SELECT count(*) AS n FROM readings')).rows[0]!.n,
      );
      rollupMinuteRows = Number(
        (await pool.query<{ n: string }>('SELECT count(*) AS n FROM readings_1m')).rows[0]!.n,
      );
      // The rollups against the raw rows they summarise (count, min, max exact; avg to float
      // rounding; last is checked by the store's tests), every minute and point of the run.
      rollupMismatches = Number(
        (
          await pool.query<{ n: string }>(
            `SELECT count(*) AS n FROM (
               SELECT date_bin(INTERVAL '1 minute', ts, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS bucket, point_id,
                      count(*) AS count, min(value) AS min, max(value) AS max, avg(value) AS avg
               FROM readings GROUP BY 1, 2) r
             FULL JOIN readings_1m m USING (bucket, point_id)
             WHERE m.count IS DISTINCT FROM r.count OR m.min IS DISTINCT FROM r.min OR m.max IS DISTINCT FROM r.max
                OR NOT abs(m.avg - r.avg) <= 1e-9 * greatest(1, abs(r.avg))`,
          )
        ).rows[0]!.n,
      );
    } finally {
      await pool.end();
    }
    if (rowsVerified !== published.readings) {
      log.error(
        { rowsVerified, published: published.readings, counters: counters.snapshot() },
        'row count mismatch',
      );
    }
    const minuteReadingsPerSec: number[] = [];
    for (let i = 60; i < perSecond.length; i += 60) {
      const [from, to] = [perSecond[i - 60]!, perSecond[i]!];
      minuteReadingsPerSec.push(Math.round((to.rows - from.rows) / ((to.atMs - from.atMs) / 1000)));
    }
    latencies.sort((a, b) => a - b);
    const elapsedMs = t1 - t0;
    return {
      bench: 'ingest',
      mode: 'service',
      readingsPerSec: Math.round(((rows1 - rows0) * 1000) / elapsedMs),
      worstMinuteReadingsPerSec: minuteReadingsPerSec.length > 0 ? Math.min(...minuteReadingsPerSec) : 0,
      minuteReadingsPerSec,
      rowsVerified,
      readingsPublished: published.readings,
      commitLatencyP50Ms: round(percentile(latencies, 0.5)),
      commitLatencyP99Ms: round(percentile(latencies, 0.99)),
      meanBatchRows: Math.round(batchRows.reduce((a, b) => a + b, 0) / Math.max(1, batchRows.length)),
      rollupMinuteRows,
      rollupMismatches,
      alarmsOpen,
      rssMb: Math.round(rss / 1048576),
      processCpuPct: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10,
      points: options.points,
      readingsPerMessage: options.readingsPerMessage,
      durationS: options.durationMs / 1000,
    };
  } finally {
    if (!serviceClosed) await service.close().catch(() => undefined);
    await system.release();
  }
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const round = (x: number): number => Math.round(x * 100) / 100;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
