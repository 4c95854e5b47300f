import { cpuUsage } from 'node:process';
import type { Logger } from 'pino';
import { generateSite, MqttFleet, simulatedSiteFrom } from '@hazardwatch/simulators';

export interface FleetBenchOptions {
  readonly mqttUrl: string;
  readonly points: number;
  readonly durationMs: number;
  readonly logger: Logger;
}

export interface FleetBenchResult {
  readonly bench: 'fleet';
  readonly points: number;
  readonly gateways: number;
  /** Readings published per second (target: every point once per second). */
  readonly readingsPerSec: number;
  /** Share of the 1 Hz target reached, 1 = every point every second. */
  readonly ratioToTarget: number;
  /** Readings published per tick ÷ enabled points: 1 = no tick ever skipped a point. */
  readonly completenessPerTick: number;
  readonly ticks: number;
  readonly cpuPctOfCore: number;
  readonly rssMb: number;
  readonly publishErrors: number;
  readonly batchesDropped: number;
}

/**
 * Load-generator capacity (issue: 100,000 points at 1 Hz from one process): a generated site of
 * `points` points publishes through the MQTT gateway fleet at 1 Hz for `durationMs`, one client
 * per gateway, QoS 1 batches; readings actually published, CPU and memory are measured.
 */
export async function runFleetBench(options: FleetBenchOptions): Promise<FleetBenchResult> {
  const siteDoc = generateSite({
    cities: 3,
    enterprises: Math.max(1, Math.round(options.points / 2500)),
    points: options.points,
    seed: 7,
  });
  const site = simulatedSiteFrom(siteDoc);
  const fleet = new MqttFleet(
    { url: options.mqttUrl, tickIntervalMs: 1000, clientIdPrefix: `hw-bench-${process.pid}` },
    { site, logger: options.logger },
  );
  await fleet.start();
  const cpu0 = cpuUsage();
  const c0 = fleet.counters.readings;
  const ticks0 = fleet.counters.ticks;
  const t0 = performance.now();
  let rss = 0;
  const sampler = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 500);
  await new Promise((r) => setTimeout(r, options.durationMs));
  const seconds = (performance.now() - t0) / 1000;
  const readings = fleet.counters.readings - c0;
  const ticks = fleet.counters.ticks - ticks0;
  const cpu = cpuUsage(cpu0);
  clearInterval(sampler);
  const counters = fleet.counters;
  await fleet.stop();
  const enabled = site.points.filter((p) => p.enabled).length;
  const readingsPerSec = Math.round(readings / seconds);
  return {
    bench: 'fleet',
    points: enabled,
    gateways: site.gateways.length,
    readingsPerSec,
    ratioToTarget: Math.round((readingsPerSec / enabled) * 100) / 100,
    completenessPerTick: ticks > 0 ? Math.round((readings / (ticks * enabled)) * 1000) / 1000 : 0,
    ticks,
    cpuPctOfCore: Math.round(((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 1000) / 10,
    rssMb: Math.round(rss / 1048576),
    publishErrors: counters.publishErrors,
    batchesDropped: counters.batchesDropped,
  };
}
