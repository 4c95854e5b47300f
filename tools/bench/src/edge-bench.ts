import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuUsage } from 'node:process';
import mqtt from 'mqtt';
import type { Logger } from 'pino';
import type { Reading } from '@hazardwatch/contracts';
import { OpcuaSource, parseEdgeConfig, startCollector } from '@hazardwatch/edge';

export interface EdgeBenchOptions {
  readonly mqttUrl: string;
  readonly points: number;
  /** Steady-state measurement window. */
  readonly durationMs: number;
  /** Outage length simulated for the backlog (readings = points × seconds). */
  readonly outageSec: number;
  /** The collector's replay limit during the run. */
  readonly replayReadingsPerSec: number;
  readonly logger: Logger;
}

export interface EdgeBenchResult {
  readonly bench: 'edge';
  readonly points: number;
  /** Readings per second the collector forwarded at steady state (target: points × 1 Hz). */
  readonly steadyReadingsPerSec: number;
  readonly cpuPctOfCore: number;
  readonly rssMb: number;
  readonly backlogReadings: number;
  /** Readings/s written into the spool while the uplink was down (durable appends, fsync on). */
  readonly spoolAppendReadingsPerSec: number;
  readonly replayLimitPerSec: number;
  /** Backlog readings/s replayed after the uplink returned, live data flowing beside it. */
  readonly replayReadingsPerSec: number;
  readonly replaySeconds: number;
}

/**
 * Issue #5's benchmark: `points` OPC-UA monitored items at 1 Hz (plant server in a child process)
 * through the collector into the uplink (a real broker): CPU share and RSS of the collector at
 * steady state; then the uplink is cut and `outageSec` of readings are spooled (simulated time:
 * synthetic readings for the whole window, appended as fast as the spool takes them), the uplink
 * returns and the backlog replay rate is measured while live data keeps flowing.
 */
export async function runEdgeBench(options: EdgeBenchOptions): Promise<EdgeBenchResult> {
  const log = options.logger.child({ component: 'edge-bench' });
  const dir = mkdtempSync(join(tmpdir(), 'hw-edge-bench-'));
  const child = fork(
    new URL('./opcua-plant-child.js', import.meta.url),
    [String(options.points), join(dir, 'pki')],
    {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  const plant = await new Promise<{ endpointUrl: string; nodeIds: string[] }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { endpointUrl: string; nodeIds: string[] }));
    child.once('exit', (code) => reject(new Error(`OPC-UA plant server exited (${code})`)));
  });
  const broker = new URL(options.mqttUrl);
  const proxy = await startProxy(broker.hostname, Number(broker.port || 1883));
  const enterprise = `BENCH${process.pid}`;
  const config = parseEdgeConfig({
    gateway: { enterprise, code: 'GW01' },
    uplink: {
      url: `mqtt://127.0.0.1:${proxy.port}`,
      replayReadingsPerSec: options.replayReadingsPerSec,
      heartbeatSec: 10,
    },
    spool: { dir: join(dir, 'spool'), maxMb: 4096 },
    healthPort: 0,
    sources: [
      {
        kind: 'opcua',
        name: 'plant',
        endpointUrl: plant.endpointUrl,
        tags: [{ nodeId: 'ns=1;s=x', tag: 'x' }],
      },
    ],
  });
  const tags = plant.nodeIds.map((nodeId, i) => ({ nodeId, tag: `T${i}` }));
  const source = new OpcuaSource({
    name: 'plant',
    endpointUrl: plant.endpointUrl,
    tags,
    logger: options.logger,
  });
  const collector = await startCollector(config, { logger: options.logger, sources: [source] });
  try {
    // Warm-up: every item reporting.
    await until(() => source.status().readings >= options.points * 3, 120_000, 'every item reporting');
    const stats0 = collector.forwarder.stats();
    const cpu0 = cpuUsage();
    const t0 = performance.now();
    let rss = 0;
    const sampler = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 250);
    await new Promise((r) => setTimeout(r, options.durationMs));
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuUsage(cpu0);
    clearInterval(sampler);
    const steady = (collector.forwarder.stats().acknowledged - stats0.acknowledged) / seconds;
    log.info({ steady, seconds }, 'steady state measured');

    // Outage: the uplink is cut and the backlog of `outageSec` is spooled.
    proxy.cut();
    await until(() => !collector.uplink.connected, 30_000, 'uplink down');
    const backlog = options.points * options.outageSec;
    const depth0 = collector.spool.depth().readings;
    const a0 = performance.now();
    const start = Date.now() - options.outageSec * 1000;
    const perBatch = 1000;
    for (let s = 0; s < options.outageSec; s++) {
      for (let from = 0; from < options.points; from += perBatch) {
        const batch: Reading[] = [];
        for (let i = from; i < Math.min(options.points, from + perBatch); i++)
          batch.push({ tag: `T${i}`, ts: start + s * 1000 + 1, value: i % 100 });
        collector.forwarder.submit(batch);
      }
      // Let the spool's group commit keep up rather than queueing the whole window in memory.
      await until(
        () => collector.spool.depth().readings >= depth0 + (s + 1) * options.points * 0.99,
        60_000,
        'spooled',
      );
    }
    const appendRate = backlog / ((performance.now() - a0) / 1000);
    const replayed0 = collector.forwarder.stats().replayed;
    proxy.restore();
    const r0 = performance.now();
    await until(() => collector.spool.depth().readings < options.points * 2, 600_000, 'backlog replayed');
    const replaySeconds = (performance.now() - r0) / 1000;
    const replayed = collector.forwarder.stats().replayed - replayed0;
    return {
      bench: 'edge',
      points: options.points,
      steadyReadingsPerSec: Math.round(steady),
      cpuPctOfCore: round1(((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100),
      rssMb: Math.round(rss / 1048576),
      backlogReadings: backlog,
      spoolAppendReadingsPerSec: Math.round(appendRate),
      replayLimitPerSec: options.replayReadingsPerSec,
      replayReadingsPerSec: Math.round(replayed / replaySeconds),
      replaySeconds: round1(replaySeconds),
    };
  } finally {
    await collector.close();
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
    await proxy.close();
    // The bench's retained status messages and session are removed from the broker.
    const cleanup = await mqtt.connectAsync(options.mqttUrl, {
      clientId: `hw-edge-${enterprise}-GW01`,
      clean: true,
    });
    await cleanup.publishAsync(`hw/v1/${enterprise}/GW01/status`, '', { retain: true, qos: 1 });
    await cleanup.endAsync();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`edge bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A TCP forwarder whose `cut` drops the uplink like a network outage. */
async function startProxy(host: string, port: number) {
  const sockets = new Set<Socket>();
  let open = true;
  const server = createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = connect({ host, port });
    sockets.add(client).add(upstream);
    const down = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', down).on('close', down);
    upstream.on('error', down).on('close', down);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    cut: () => {
      open = false;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore: () => (open = true),
    close: () =>
      new Promise<void>((resolve) => {
        open = false;
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
