import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import type { Logger } from 'pino';
import { telemetryTopic, topicFilter } from '@hazardwatch/contracts';
import { EvaluationEngine, type EvaluatedPoint } from '@hazardwatch/core';
import { parseConfig } from '@hazardwatch/kit';
import { buildIngestApp, IngestConfigSchema, pointDirectoryFrom } from '@hazardwatch/ingest';
import { ensurePointIds, pointKey, PgReadingWriter, sqlClientFromPg } from '@hazardwatch/store';
import { createBenchDatabase } from './bench-database.js';
import { measureCopyCeiling } from './copy-ceiling.js';
import { runClosedLoopPublisher } from './closed-loop-publisher.js';
import type { PublisherSpec } from './publisher-worker.js';

export interface IngestBenchOptions {
  readonly databaseUrl: string;
  readonly mqttUrl: string;
  readonly durationMs: number;
  readonly points: number;
  readonly readingsPerMessage: number;
  /** Run every reading through the alarm evaluators (threshold, rate of change, staleness). */
  readonly evaluation: boolean;
  readonly logger: Logger;
}

export interface IngestBenchResult {
  readonly bench: 'ingest';
  readonly readingsPerSec: number;
  readonly rowsVerified: number;
  readonly readingsPublished: number;
  readonly commitLatencyP50Ms: number;
  readonly commitLatencyP99Ms: number;
  readonly meanBatchRows: number;
  readonly rssMb: number;
  readonly copyCeilingRowsPerSec: number;
  readonly ratioToCeiling: number;
  readonly points: number;
  readonly readingsPerMessage: number;
  readonly durationS: number;
  readonly evaluation: string;
  readonly conditionChanges: number;
}

const POINTS_PER_GATEWAY = 100;
const GATEWAYS_PER_ENTERPRISE = 10;
const WARMUP_MS = 2000;

/**
 * End-to-end ingest benchmark: a publisher thread sends batched readings at QoS 1 through a real
 * broker; the ingest pipeline decodes, validates, observes and COPYs them into a fresh database;
 * afterwards the rows are counted in the database. The same run measures the raw COPY ceiling.
 */
export async function runIngestBench(options: IngestBenchOptions): Promise<IngestBenchResult> {
  const log = options.logger.child({ component: 'bench-ingest' });
  const run = randomBytes(3).toString('hex');
  const gateways: Array<{ enterprise: string; gateway: string; tags: string[] }> = [];
  for (let p = 0, g = 0; p < options.points; g++) {
    const enterprise = `B${run}E${Math.floor(g / GATEWAYS_PER_ENTERPRISE)}`;
    const tags = Array.from(
      { length: Math.min(POINTS_PER_GATEWAY, options.points - p) },
      (_, i) => `T${g}-${i}`,
    );
    gateways.push({ enterprise, gateway: `G${g % GATEWAYS_PER_ENTERPRISE}`, tags });
    p += tags.length;
  }
  const enterprises = [...new Set(gateways.map((g) => g.enterprise))];
  const startTs = Date.now() - 3_600_000;

  const db = await createBenchDatabase(options.databaseUrl, options.logger, 4);
  const clientId = `hw-bench-ingest-${run}`;
  try {
    const ids = await ensurePointIds(
      sqlClientFromPg(db.pool),
      gateways.flatMap((g) => g.tags.map((tag) => ({ enterprise: g.enterprise, tag }))),
    );
    const directory = pointDirectoryFrom(
      gateways.map((g) => ({ enterprise: g.enterprise, code: g.gateway })),
      gateways.flatMap((g) =>
        g.tags.map((tag) => ({
          enterprise: g.enterprise,
          tag,
          gateway: g.gateway,
          enabled: true,
          id: ids.get(pointKey(g.enterprise, tag))!,
        })),
      ),
    );
    const parsed = parseConfig(IngestConfigSchema, {
      mqtt: {
        url: options.mqttUrl,
        clientId,
        subscriptions: enterprises.map((e) => topicFilter('telemetry', e)),
      },
    });
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    const conditions = { changes: 0 };
    const engine = options.evaluation
      ? new EvaluationEngine({
          sink: { change: () => void conditions.changes++ },
          points: gateways.flatMap((g) =>
            g.tags.map((tag) =>
              benchPoint(g.enterprise, g.gateway, tag, ids.get(pointKey(g.enterprise, tag))!),
            ),
          ),
          gateways: gateways.map((g) => ({
            enterprise: g.enterprise,
            code: g.gateway,
            offlineAfterMs: 300_000,
          })),
        })
      : undefined;
    const app = buildIngestApp(parsed.value, {
      logger: options.logger,
      // As the service writes on each dialect (ingest-storage.ts).
      writer: new PgReadingWriter(db.pool, {
        logger: options.logger,
        now: Date.now,
        scaledValues: db.dialect === 'timescaledb',
      }),
      directory: () => directory,
      observers: engine ? [engine] : [],
    });
    const latencies: number[] = [];
    const batchRows: number[] = [];
    let measuring = false;
    app.pipeline.onBatch(({ rows, commitMs }) => {
      if (!measuring) return;
      latencies.push(commitMs);
      batchRows.push(rows);
    });
    await app.start();

    const spec: PublisherSpec = {
      mqttUrl: options.mqttUrl,
      gateways: gateways.map((g) => ({
        topic: telemetryTopic({ enterprise: g.enterprise, gateway: g.gateway }),
        tags: g.tags.map((t) => JSON.stringify(t)),
      })),
      readingsPerMessage: options.readingsPerMessage,
      durationMs: options.durationMs,
      windowMessages: 500,
      startTs,
    };
    let rss = 0;
    const sampler = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 250);
    let t0 = 0;
    let rows0 = 0;
    const warm = setTimeout(() => {
      measuring = true;
      t0 = performance.now();
      rows0 = app.counters.rowsWritten;
    }, WARMUP_MS);
    const published = await runClosedLoopPublisher(spec, () => app.counters.messagesDurable);
    const t1 = performance.now();
    log.info({ published }, 'publisher finished');
    const rows1 = app.counters.rowsWritten;
    measuring = false;
    clearTimeout(warm);

    // Everything published must arrive and be durable before the count.
    const deadline = Date.now() + 60_000;
    while (app.counters.accepted < published.readings && Date.now() < deadline) await sleep(50);
    await app.pipeline.drain();
    clearInterval(sampler);
    await app.close();
    const { rows } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM readings');
    const rowsVerified = Number(rows[0]!.n);
    if (rowsVerified !== published.readings) {
      log.error(
        { rowsVerified, published: published.readings, counters: app.counters.snapshot() },
        'row count mismatch',
      );
    }
    const readingsPerSec = Math.round(((rows1 - rows0) * 1000) / (t1 - t0));
    log.info({ rows: rowsVerified }, 'measuring the COPY ceiling with the same rows');
    const ceiling = await copyCeiling(options, gateways, startTs, rowsVerified);
    log.info({ copyCeilingRowsPerSec: ceiling.rowsPerSec }, 'COPY ceiling measured');
    latencies.sort((a, b) => a - b);
    return {
      bench: 'ingest',
      readingsPerSec,
      rowsVerified,
      readingsPublished: published.readings,
      commitLatencyP50Ms: round(percentile(latencies, 0.5)),
      commitLatencyP99Ms: round(percentile(latencies, 0.99)),
      meanBatchRows: Math.round(batchRows.reduce((a, b) => a + b, 0) / Math.max(1, batchRows.length)),
      rssMb: Math.round(rss / 1048576),
      copyCeilingRowsPerSec: ceiling.rowsPerSec,
      ratioToCeiling: round(readingsPerSec / ceiling.rowsPerSec),
      points: options.points,
      readingsPerMessage: options.readingsPerMessage,
      durationS: options.durationMs / 1000,
      evaluation: options.evaluation ? 'on (threshold, rate of change, staleness, sensor fault)' : 'off',
      conditionChanges: conditions.changes,
    };
  } finally {
    const c = await mqtt.connectAsync(options.mqttUrl, { clientId, clean: true }).catch(() => undefined);
    await c?.endAsync();
    await db.drop();
  }
}

async function copyCeiling(
  options: IngestBenchOptions,
  gateways: ReadonlyArray<{ enterprise: string; tags: readonly string[] }>,
  startTs: number,
  rows: number,
): Promise<{ rowsPerSec: number }> {
  const ceilingDb = await createBenchDatabase(options.databaseUrl, options.logger, 4);
  try {
    const keys = gateways.flatMap((g) => g.tags.map((tag) => ({ enterprise: g.enterprise, tag })));
    const ids = await ensurePointIds(sqlClientFromPg(ceilingDb.pool), keys);
    const ordered = keys.map((k) => ids.get(pointKey(k.enterprise, k.tag))!);
    return await measureCopyCeiling(ceilingDb.pool, ordered, startTs, rows, 20_000, 2);
  } finally {
    await ceilingDb.drop();
  }
}

/**
 * A benchmark point: limits outside the publisher's ±100 signal (normal operation, as nearly all
 * readings are in a plant), a deadband, delays and a rate-of-change rule, so every evaluator runs.
 */
function benchPoint(enterprise: string, gateway: string, tag: string, id: number): EvaluatedPoint {
  return {
    id,
    kind: 'other',
    tag,
    enterprise,
    gateway,
    limits: { ll: -150, l: -120, h: 120, hh: 150 },
    deadband: { ll: 1, l: 1, h: 1, hh: 1 },
    onDelayMs: 5000,
    offDelayMs: 5000,
    staleAfterMs: 300_000,
    rateOfChange: [{ direction: 'rising', slopePerMin: 1_000_000, windowMs: 60_000 }],
    range: { min: -200, max: 200 },
    enabled: true,
  };
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const round = (x: number): number => Math.round(x * 100) / 100;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
