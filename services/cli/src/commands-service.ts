import type { Logger } from 'pino';
import { stopSteps } from '@hazardwatch/kit';
import { loadRuntimeConfig, type RuntimeConfig } from './config.js';
import { liveReadiness, startApiBeside } from './api-service.js';
import { startBrokerAccounts } from './broker-accounts-setup.js';
import { LiveValueTap } from '@hazardwatch/ingest';
import { loadSite, startIngestService, startIngestWorker } from './ingest-service.js';
import { ingestLiveMetricsText, liveSourceFor, startIngestLivePush } from './live-source.js';
import { resolveInfrastructure } from './infrastructure.js';
import { AlarmRepository } from '@hazardwatch/store';
import { openStore } from './store-setup.js';
import { reservePorts, type PortClaim } from './port-reservation.js';

export interface ServiceCommandContext {
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly stdout: NodeJS.WritableStream;
  /** Warnings a user must see (the demo exposed to the network). @default stdout */
  readonly stderr?: NodeJS.WritableStream;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  readonly stopSignal: Promise<string>;
}

/**
 * `hazardwatch migrate`: create or upgrade the schema, then store HW_SITE_FILE when it is set (a
 * new version only when it differs from the newest), then exit. Leased workers then run without
 * the file: one restarting after a crash does not put the file back over edits made through the API.
 */
export async function migrateCommand(ctx: ServiceCommandContext): Promise<number> {
  const config = loadRuntimeConfig(ctx.env);
  const infra = await resolveInfrastructure(config, ctx.logger, { needsBroker: false });
  try {
    const store = await openStore(infra.databaseUrl, config, ctx.logger);
    let site;
    try {
      site = config.site.file !== undefined ? await loadSite(config, store.client, ctx.logger) : undefined;
    } finally {
      await store.close();
    }
    const { dialect, applied, schemaVersion } = store.migration;
    const stored = site?.ok ? { site: { version: site.version, points: site.index.points().length } } : {};
    ctx.stdout.write(`${JSON.stringify({ dialect, applied, schemaVersion, ...stored })}\n`);
    return 0;
  } finally {
    await infra.stop();
  }
}

/** The internal health port of a long-running command (0: none). */
function healthClaim(config: RuntimeConfig): PortClaim {
  return { what: 'health', setting: 'HW_HEALTH_PORT', host: config.healthHost, port: config.healthPort };
}

/** `hazardwatch ingest` (single, pinned or leased): run until SIGINT/SIGTERM, then flush and stop cleanly. */
export async function ingestCommand(ctx: ServiceCommandContext): Promise<number> {
  const config = loadRuntimeConfig(ctx.env);
  // Its port is checked before the site file is stored (issue 17 item 11).
  const ports = await reservePorts([healthClaim(config)], ctx.logger);
  await ports.release();
  // With REDIS_URL the alarms this worker evaluates reach the screens of the `hazardwatch api`
  // instances (issue #23; services/cli/test/api-balancer.int.test.ts).
  const redisUrl = config.redis.url;
  const tap = redisUrl !== undefined ? new LiveValueTap() : undefined;
  const service = await startIngestWorker(config, ctx.logger, tap ? { observers: [tap] } : {});
  let live;
  try {
    live =
      tap && redisUrl !== undefined
        ? await startIngestLivePush(service, liveSourceFor(service, tap), redisUrl, ctx.logger)
        : undefined;
  } catch (error) {
    await service.close();
    throw error;
  }
  if (live) {
    const publisher = live;
    service.health?.addReadiness(() => liveReadiness(publisher.liveStatus));
    service.health?.addMetrics(() => ingestLiveMetricsText(publisher.liveStatus));
  }
  const signal = await ctx.stopSignal;
  ctx.logger.info({ signal }, 'stopping');
  await stopSteps(ctx.logger, [
    ['live push', () => live?.close()],
    ['ingest worker', () => service.close()],
  ]);
  return 0;
}

/** `hazardwatch demo [--port N] [--host ADDRESS] [--reset]`: the whole chain on this machine until Ctrl-C. */
export async function demoCommand(
  ctx: ServiceCommandContext,
  options: { port: number; host: string; reset: boolean },
): Promise<number> {
  const config = loadRuntimeConfig(ctx.env);
  const started = Date.now();
  // Loaded here: the demo's OPC-UA plant brings node-opcua, whose start-up self-check costs a
  // second of CPU and prints to stdout — no other command may pay for it or carry its output.
  const { exposureWarning, startDemo } = await import('./demo.js');
  const exposure = exposureWarning(options.host);
  if (exposure) (ctx.stderr ?? ctx.stdout).write(`hazardwatch: ${exposure}\n`);
  const demo = await startDemo(
    config,
    { ...options, onProgress: (step) => ctx.stdout.write(`… ${step}\n`) },
    ctx.logger,
  );
  ctx.stdout.write(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  ctx.stdout.write(`${demo.summary}\n`);
  const progress = setInterval(() => {
    const c = demo.service.app.counters;
    ctx.logger.info(
      { readings: c.accepted, rowsWritten: c.rowsWritten, rejected: c.rejected },
      'demo progress',
    );
  }, 10_000);
  const signal = await ctx.stopSignal;
  clearInterval(progress);
  const stopping = Date.now();
  ctx.logger.info({ signal }, 'stopping');
  ctx.stdout.write('… stopping: plants, API, ingestion (storing what it received), broker, PostgreSQL\n');
  await demo.close();
  ctx.stdout.write(
    `stopped in ${((Date.now() - stopping) / 1000).toFixed(1)} s; ${demo.service.app.counters.rowsWritten} readings stored by this run\n`,
  );
  return 0;
}

/** `hazardwatch alarms kpi [--hours H] [--enterprise CODE]`: ISA-18.2 alarm KPIs from the event log. */
export async function alarmKpiCommand(
  ctx: ServiceCommandContext,
  options: { hours: number; enterprise?: string },
): Promise<number> {
  const config = loadRuntimeConfig(ctx.env);
  const infra = await resolveInfrastructure(config, ctx.logger, { needsBroker: false });
  try {
    const store = await openStore(infra.databaseUrl, config, ctx.logger);
    try {
      const toMs = Date.now();
      const report = await new AlarmRepository(store.client).kpiReport(
        { fromMs: toMs - options.hours * 3_600_000, toMs },
        options.enterprise !== undefined ? { enterprise: options.enterprise } : {},
      );
      ctx.stdout.write(`${JSON.stringify(report)}\n`);
      return report.alerts.length > 0 ? 3 : 0;
    } finally {
      await store.close();
    }
  } finally {
    await infra.stop();
  }
}

/** `hazardwatch serve`: ingestion, the alarm engine and the REST API in one process, until a signal. */
export async function serveCommand(ctx: ServiceCommandContext): Promise<number> {
  const config = loadRuntimeConfig(ctx.env);
  // Both ports are ours before anything is stored: the ingest stores HW_SITE_FILE as a new
  // version at start, which every running process puts in force (issue 17 item 11). The API's is
  // held until the API listens; the health port is taken by the ingest service itself.
  const ports = await reservePorts(
    [
      { what: 'REST API', setting: 'HW_API_PORT', host: config.api.host, port: config.api.port },
      healthClaim(config),
    ],
    ctx.logger,
  );
  const tap = new LiveValueTap();
  let service;
  // With broker.dynsec, the ingest's account on Mosquitto exists before the ingest logs in.
  let broker;
  try {
    broker = await startBrokerAccounts(config, ctx.logger);
  } catch (error) {
    await ports.release();
    throw error;
  }
  try {
    await ports.release('health');
    service = await startIngestService(config, ctx.logger, { observers: [tap] });
  } catch (error) {
    await ports.release();
    await broker?.close();
    throw error;
  }
  try {
    await broker?.follow();
  } catch (error) {
    await service.close();
    await broker?.close();
    throw error;
  }
  let api;
  try {
    await ports.release();
    api = await startApiBeside(service, config, ctx.logger, config.api.port, tap, broker?.accounts);
  } catch (error) {
    await service.close();
    await broker?.close();
    throw error;
  }
  const signal = await ctx.stopSignal;
  ctx.logger.info({ signal }, 'stopping');
  await stopSteps(ctx.logger, [
    ['REST API', () => api.close()],
    ['ingest service', () => service.close()],
    ['broker accounts', () => broker?.close()],
  ]);
  return 0;
}
