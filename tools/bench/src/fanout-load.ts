import { cpuUsage } from 'node:process';
import { pino } from 'pino';
import { io as connectSocket, type Socket } from 'socket.io-client';
import type { LiveScope, LiveValueFrame } from '@hazardwatch/contracts';
import { AgeHistogram } from './age-histogram.js';
import { epochNow } from './clock.js';
import { runPacedLoad } from './paced-load.js';
import {
  generateSite,
  MqttFleet,
  simulatedSiteFrom,
  type GenerateSiteOptions,
} from '@hazardwatch/simulators';

/**
 * Load side of the fanout benchmark, in child processes so the server's CPU figure
 * (process.cpuUsage of the parent) is the server's alone. Role `fleet`: the simulated gateways
 * publishing every point at 1 Hz over MQTT. Role `clients`: the socket.io clients measuring the
 * age of every value they receive (receipt time − the reading's source timestamp, ms). Apart, so
 * clients busy parsing values never delay a publish (which would count as server latency).
 */
export interface FanoutLoadSpec {
  /**
   * `paced`: the lean load of paced-load.ts instead of the plant fleet; `watch`: one client (the
   * first of `clients`) reporting every alarm event it receives (latency benchmark).
   */
  readonly role: 'fleet' | 'paced' | 'clients' | 'watch';
  readonly mqttUrl: string;
  readonly apiUrl: string;
  readonly site: GenerateSiteOptions;
  readonly clients: ReadonlyArray<{ readonly token: string; readonly scopes: readonly LiveScope[] }>;
  /** `values:interval` each client asks for, ms; undefined keeps the server's default. */
  readonly intervalMs: number | undefined;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly clientIdPrefix: string;
  /** Role `paced`: readings/s in all (default: each point once a second). */
  readonly readingsPerSec?: number;
}

export interface FanoutLoadFigures {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly values: number;
  readonly batches: number;
  /** Clients that received no value while measuring. */
  readonly silentClients: number;
  readonly disconnects: number;
  readonly readingsPublished: number;
  readonly readingsPerSec: number;
  readonly publishErrors: number;
  readonly batchesDropped: number;
  readonly loadCpuPct: number;
}

/** `go`: clients start warming up and measuring; `stop`: the fleet reports and stops. */
export type ParentToLoad =
  | { readonly type: 'start'; readonly spec: FanoutLoadSpec }
  | { readonly type: 'go' }
  | { readonly type: 'stop' };
export type LoadToParent =
  | { readonly type: 'ready'; readonly connected: number }
  | { readonly type: 'measuring' }
  | { readonly type: 'result'; readonly figures: FanoutLoadFigures }
  /** Role `watch`: an alarm event received, `atMs` on the shared clock (epochNow). */
  | { readonly type: 'alarm'; readonly pointId: number | null; readonly to: string; readonly atMs: number }
  | { readonly type: 'error'; readonly message: string };

/** Resolves once the message is handed to the IPC channel (so exiting afterwards never loses it). */
const send = (message: LoadToParent): Promise<void> =>
  new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const command = (type: 'go' | 'stop'): Promise<void> =>
  new Promise((resolve) => {
    const on = (m: ParentToLoad): void => {
      if (m.type !== type) return;
      process.off('message', on);
      resolve();
    };
    process.on('message', on);
  });
const pct = (cpu: NodeJS.CpuUsage, elapsedMs: number): number =>
  Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10;

async function run(spec: FanoutLoadSpec): Promise<void> {
  if (spec.role === 'paced') return await runPaced(spec);
  if (spec.role === 'watch') return await runWatch(spec);
  const logger = pino({ level: 'warn' });
  const fleets = (spec.role === 'fleet' ? gatewaySites(generateSite(spec.site)) : []).map(
    (site) =>
      new MqttFleet(
        { url: spec.mqttUrl, tickIntervalMs: 1000, clientIdPrefix: spec.clientIdPrefix },
        { site: simulatedSiteFrom(site), logger },
      ),
  );
  const counters = () =>
    fleets.reduce(
      (sum, f) => ({
        readings: sum.readings + f.counters.readings,
        publishErrors: sum.publishErrors + f.counters.publishErrors,
        batchesDropped: sum.batchesDropped + f.counters.batchesDropped,
      }),
      { readings: 0, publishErrors: 0, batchesDropped: 0 },
    );
  const sockets: Socket[] = [];
  let measuring = false;
  let histogram = new AgeHistogram();
  let batches = 0;
  let disconnects = 0;
  const received = new Uint32Array(spec.clients.length);
  try {
    await Promise.all(
      spec.clients.map(async (client, i) => {
        const socket = connectSocket(spec.apiUrl, {
          transports: ['websocket'],
          auth: { token: client.token },
          reconnection: true,
        });
        sockets.push(socket);
        socket.on('values', (frame: LiveValueFrame) => {
          if (!measuring) return;
          const now = Date.now();
          batches += 1;
          received[i]! += frame.p.length;
          for (const dt of frame.t) histogram.add(now - (frame.t0 + dt));
        });
        socket.on('disconnect', () => (disconnects += measuring ? 1 : 0));
        const joined = (await socket.timeout(30_000).emitWithAck('subscribe', { scopes: client.scopes })) as {
          ok: boolean;
        };
        if (!joined.ok) throw new Error(`subscribe refused: ${JSON.stringify(joined)}`);
        if (spec.intervalMs !== undefined)
          await socket.timeout(30_000).emitWithAck('values:interval', { intervalMs: spec.intervalMs });
      }),
    );
    if (spec.role === 'fleet') return await runFleet(fleets, counters);
    // Listening before saying ready: the answer may come at once.
    const go = command('go');
    await send({ type: 'ready', connected: sockets.filter((s) => s.connected).length });
    await go;
    await sleep(spec.warmupMs);
    const cpu0 = cpuUsage();
    const t0 = performance.now();
    histogram = new AgeHistogram();
    received.fill(0);
    batches = 0;
    measuring = true;
    await send({ type: 'measuring' });
    await sleep(spec.durationMs);
    measuring = false;
    const elapsedMs = performance.now() - t0;
    await send({
      type: 'result',
      figures: {
        p50Ms: histogram.quantile(0.5),
        p99Ms: histogram.quantile(0.99),
        maxMs: Math.round(histogram.max),
        values: histogram.count,
        batches,
        silentClients: received.filter((n) => n === 0).length,
        disconnects,
        readingsPublished: 0,
        readingsPerSec: 0,
        publishErrors: 0,
        batchesDropped: 0,
        loadCpuPct: pct(cpuUsage(cpu0), elapsedMs),
      },
    });
  } finally {
    for (const s of sockets) s.disconnect();
    // Ends every gateway's MQTT session (retained death status, then disconnect).
    await Promise.all(fleets.map((f) => f.stop().catch(() => undefined)));
  }
}

async function runFleet(
  fleets: readonly MqttFleet[],
  counters: () => { readings: number; publishErrors: number; batchesDropped: number },
): Promise<void> {
  // Each gateway ticks on its own phase, spread over the second, as real gateways do: one fleet
  // ticking all of them at once would stamp 20,000 readings with one time and then spend its
  // own CPU building every batch before the first goes out — the generator's lag, not ours.
  for (const fleet of fleets) {
    await fleet.start();
    await sleep(1000 / fleets.length);
  }
  const stop = command('stop');
  await send({ type: 'ready', connected: 0 });
  const cpu0 = cpuUsage();
  const t0 = performance.now();
  await stop;
  const elapsedMs = performance.now() - t0;
  const c = counters();
  await sendPublisherResult({
    readingsPublished: c.readings,
    readingsPerSec: Math.round((c.readings / elapsedMs) * 1000),
    publishErrors: c.publishErrors,
    batchesDropped: c.batchesDropped,
    loadCpuPct: pct(cpuUsage(cpu0), elapsedMs),
  });
}

/** A load generator's figures (the client-side ones do not apply). */
const sendPublisherResult = (
  figures: Pick<
    FanoutLoadFigures,
    'readingsPublished' | 'readingsPerSec' | 'publishErrors' | 'batchesDropped' | 'loadCpuPct'
  >,
): Promise<void> =>
  send({
    type: 'result',
    figures: {
      p50Ms: NaN,
      p99Ms: NaN,
      maxMs: NaN,
      values: 0,
      batches: 0,
      silentClients: 0,
      disconnects: 0,
      ...figures,
    },
  });

async function runWatch(spec: FanoutLoadSpec): Promise<void> {
  const client = spec.clients[0];
  if (!client) throw new Error('watch: no client given');
  const stop = command('stop');
  const socket = connectSocket(spec.apiUrl, { transports: ['websocket'], auth: { token: client.token } });
  try {
    socket.on('alarm', (e: { pointId: number | null; to: string }) => {
      const atMs = epochNow();
      void send({ type: 'alarm', pointId: e.pointId, to: e.to, atMs });
    });
    const joined = (await socket.timeout(30_000).emitWithAck('subscribe', { scopes: client.scopes })) as {
      ok: boolean;
    };
    if (!joined.ok) throw new Error(`subscribe refused: ${JSON.stringify(joined)}`);
    if (spec.intervalMs !== undefined)
      await socket.timeout(30_000).emitWithAck('values:interval', { intervalMs: spec.intervalMs });
    await send({ type: 'ready', connected: 1 });
    await stop;
  } finally {
    socket.disconnect();
  }
}

async function runPaced(spec: FanoutLoadSpec): Promise<void> {
  const stop = command('stop');
  const cpu0 = cpuUsage();
  const t0 = performance.now();
  const figures = runPacedLoad(
    {
      mqttUrl: spec.mqttUrl,
      site: spec.site,
      readingsPerSec: spec.readingsPerSec ?? spec.site.points,
      clientId: `${spec.clientIdPrefix}-paced`,
      readingsPerMessage: 100,
      windowMessages: 1000,
    },
    stop,
  );
  await send({ type: 'ready', connected: 0 });
  const f = await figures;
  const elapsedMs = performance.now() - t0;
  await sendPublisherResult({
    readingsPublished: f.readingsPublished,
    readingsPerSec: f.readingsPerSec,
    publishErrors: f.publishErrors,
    batchesDropped: f.turnsSkipped,
    loadCpuPct: pct(cpuUsage(cpu0), elapsedMs),
  });
}

/** One site document per gateway (its enterprise's context, its own points). */
function gatewaySites(site: Record<string, unknown>): Array<Record<string, unknown>> {
  const points = site['points'] as Array<{ enterprise: string; gateway: string }>;
  return (site['gateways'] as Array<{ enterprise: string; code: string }>).map((g) => ({
    ...site,
    gateways: [g],
    points: points.filter((p) => p.enterprise === g.enterprise && p.gateway === g.code),
  }));
}

process.once('message', (message: ParentToLoad) => {
  // The fleet child also hears 'stop', the clients child 'go' (see `command`).
  if (message.type !== 'start') return;
  void run(message.spec).then(
    () => process.disconnect?.(),
    async (error: unknown) => {
      await send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
      process.exitCode = 1;
      process.disconnect?.();
    },
  );
});
