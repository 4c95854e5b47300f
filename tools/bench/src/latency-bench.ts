import { writeFile } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import mqtt from 'mqtt';
import type { Logger } from 'pino';
import { telemetryTopic } from '@hazardwatch/contracts';
import { generateSite, type GenerateSiteOptions } from '@hazardwatch/simulators';
import { LiveValueTap } from '@hazardwatch/ingest';
import { ensureUsers, startApiBeside, startIngestService, type RuntimeConfig } from 'hazardwatch';
import { prepareBenchSystem } from './bench-system.js';
import { epochNow } from './clock.js';
import { spawnLoad, stopLoad, type LoadChild } from './load-child.js';

export interface LatencyBenchOptions {
  readonly adminDatabaseUrl: string;
  readonly mqttUrl: string;
  /** Background load, readings/s. */
  readonly loadReadingsPerSec: number;
  /**
   * Points the paced load spreads them over (each reports loadReadingsPerSec / loadPoints times a
   * second); the fleet always has one point per reading/s (1 Hz) and ignores this.
   */
  readonly loadPoints: number;
  readonly samples: number;
  /**
   * The values interval the watching client asks for (undefined: the server's default). An alarm
   * console that shows no trends asks for the longest.
   */
  readonly watchValuesIntervalMs?: number;
  /** `paced`: lean load (paced-load.ts); `fleet`: the plant simulators. */
  readonly generator: 'paced' | 'fleet';
  /** Writes one JSON line per sample here: sent at (epoch ms), latency (null: none in 5 s), stages. */
  readonly traceFile?: string;
  /**
   * Keep the ingest's default future skew (5 min), so the run includes its start-up minutes, which
   * it rolls up from the raw rows. @default false: 10 s, the steady state from the first minute.
   */
  readonly withStartup?: boolean;
  readonly base: RuntimeConfig;
  readonly logger: Logger;
}

export interface LatencyBenchResult {
  readonly bench: 'latency';
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly samples: number;
  readonly loadReadingsPerSec: number;
  readonly generator: 'paced' | 'fleet';
  /** The ingest's start-up minutes were included (see LatencyBenchOptions.withStartup). */
  readonly withStartup: boolean;
  /** The load generator's process, % of one core (it shares the machine with the system). */
  readonly loadCpuPct: number;
  /** The system under test (ingestion, alarm engine, API, live push: one process), % of one core. */
  readonly serverCpuPct: number;
  /** Event-loop delay of that process while sampling (a busy loop delays every step), ms. */
  readonly serverLoopDelayP99Ms: number;
  /** Publish → the crossing reading decoded by the ingest (broker and intake), ms. */
  readonly decodedP50Ms: number;
  readonly decodedP99Ms: number;
  /** Publish → its alarm event committed (evaluation, batch, database), ms. */
  readonly storedP50Ms: number;
  readonly storedP99Ms: number;
}

const PROBE_TAG = 'PROBE-PT-1';

/**
 * End-to-end alarm latency: a probe reading that crosses a limit is published over MQTT while a
 * simulated fleet keeps the system under load; the time runs until a socket.io client, logged in
 * as a regulator of the province and subscribed to it, receives the alarm event. The whole chain
 * is real: broker, ingestion, evaluators, alarm book, database commit (the event is pushed only
 * once stored), live gateway.
 */
export async function runLatencyBench(options: LatencyBenchOptions): Promise<LatencyBenchResult> {
  const points = options.generator === 'fleet' ? options.loadReadingsPerSec : options.loadPoints;
  const siteOptions: GenerateSiteOptions = {
    cities: 2,
    enterprises: Math.max(2, Math.round(points / 2500)),
    points,
    seed: 11,
  };
  const site = generateSite(siteOptions);
  const sitePoints = site['points'] as Array<Record<string, unknown>>;
  const first = sitePoints[0]!;
  const enterprise = first['enterprise'] as string;
  const gateway = first['gateway'] as string;
  const hazard = (site['hazards'] as Array<{ code: string; enterprise: string }>).find(
    (h) => h.enterprise === enterprise,
  )?.code;
  // The probe: no on-delay, so the figure is the system's latency, not a configured delay.
  sitePoints.push({
    enterprise,
    gateway,
    tag: PROBE_TAG,
    name: 'latency probe',
    kind: 'pressure',
    unit: 'MPa',
    range: { min: 0, max: 10 },
    limits: { h: 5, hh: 8 },
    onDelaySec: 0,
    offDelaySec: 0,
    ...(hazard ? { hazard } : {}),
  });
  const province = (site['regions'] as Array<{ code: string; kind: string }>).find(
    (r) => r.kind === 'province',
  )!.code;
  const enterprises = [...new Set(sitePoints.map((p) => p['enterprise'] as string))];
  const system = await prepareBenchSystem({
    name: 'latency',
    adminDatabaseUrl: options.adminDatabaseUrl,
    mqttUrl: options.mqttUrl,
    base: options.base,
    site,
    api: true,
    logger: options.logger,
    ingest: {
      // The steady state: with the default 5 min, the minutes a just-started ingest cannot vouch
      // for (start + accepted future skew) are rolled up from the raw rows — the first six minutes
      // of every run. Readings here are stamped as sent (docs/operations.md §2).
      ...(options.withStartup ? {} : { limits: { maxFutureSkewMs: 10_000 } }),
      mqtt: {
        // MQTT 5, as in production (docs/operations.md): the ingest's Receive Maximum sets the
        // in-flight window, not a stock broker's 20 unacknowledged messages under 3.1.1.
        protocolVersion: 5,
        subscriptions: enterprises.flatMap((e) => [`hw/v1/${e}/+/telemetry`, `hw/v1/${e}/+/status`]),
      },
    },
  });
  const { config } = system;
  const tap = new LiveValueTap();
  // Where the time goes: the probe's crossing reading decoded by the ingest, its alarm event stored.
  let probeId = -1;
  const stage: { decodedAt?: number; storedAt?: number } = {};
  const probeSeen = {
    observe: (pointId: number, _ts: number, value: number) => {
      if (pointId === probeId && value > 5) stage.decodedAt ??= epochNow();
    },
  };
  // The service's start migrates the scratch database: a failure on the way must not leave it behind.
  const service = await startIngestService(config, options.logger, { observers: [tap, probeSeen] }).catch(
    async (err: unknown) => {
      await system.release();
      throw err;
    },
  );
  service.alarms.onStored((events) => {
    if (events.alarmEvents.some((e) => e.pointId === probeId && e.to === 'UNACK'))
      stage.storedAt ??= epochNow();
  });
  let api: Awaited<ReturnType<typeof startApiBeside>> | undefined;
  let probe: mqtt.MqttClient;
  try {
    api = await startApiBeside(service, config, options.logger, 0, tap);
    probe = await mqtt.connectAsync(options.mqttUrl, { clientId: `hw-bench-probe-${process.pid}` });
  } catch (err) {
    await api?.close();
    await service.close();
    await system.release();
    throw err;
  }
  let fleet: LoadChild | undefined;
  let watcher: LoadChild | undefined;
  try {
    await ensureUsers(service, [
      { username: 'bench-province', password: 'bench-password-1', role: 'regulator', regionCode: province },
    ]);
    const login = await fetch(`http://127.0.0.1:${api.port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bench-province', password: 'bench-password-1' }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    probeId = service.site!.pointByKey(enterprise, PROBE_TAG)!.id;
    const child = (role: 'paced' | 'fleet' | 'watch'): LoadChild =>
      spawnLoad({
        role,
        mqttUrl: options.mqttUrl,
        apiUrl: `http://127.0.0.1:${api.port}`,
        site: siteOptions,
        readingsPerSec: options.loadReadingsPerSec,
        clients:
          role === 'watch' ? [{ token: accessToken, scopes: [{ type: 'region', code: province }] }] : [],
        intervalMs: role === 'watch' ? options.watchValuesIntervalMs : undefined,
        warmupMs: 0,
        durationMs: 0,
        clientIdPrefix: `hw-bench-latency-${process.pid}`,
      });
    // The regulator's socket.io client runs in its own process, as a control-room client does: it
    // neither adds its own parsing to the server's event loop nor waits on it. It stamps each alarm
    // event on receipt with the clock this process uses for the publish time.
    watcher = child('watch');
    await watcher.next('ready');
    let pending: { sentAt: number; resolve: (atMs: number) => void } | undefined;
    const alarms = watcher;
    void (async () => {
      for (;;) {
        const m = await alarms.next('alarm');
        // A late answer to an earlier probe (after its time-out) is older than the current one.
        if (m.pointId === probeId && m.to === 'UNACK' && pending && m.atMs >= pending.sentAt)
          pending.resolve(m.atMs);
      }
    })().catch(() => undefined);
    // The background load, in its own process: paced (lean) or the plant fleet.
    fleet = child(options.generator);
    await fleet.next('ready');
    await new Promise((r) => setTimeout(r, 3000)); // load running
    const topic = telemetryTopic({ enterprise, gateway });
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const latencies: number[] = [];
    const decoded: number[] = [];
    const stored: number[] = [];
    const trace: string[] = [];
    for (let i = 0; i < options.samples; i++) {
      delete stage.decodedAt;
      delete stage.storedAt;
      const sentAt = epochNow();
      const received = new Promise<number>((resolve) => (pending = { sentAt, resolve }));
      await probe.publishAsync(
        topic,
        JSON.stringify({ readings: [{ tag: PROBE_TAG, ts: Date.now(), value: 6 }] }),
        { qos: 1 },
      );
      const receivedAt = await Promise.race([
        received,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000)),
      ]);
      pending = undefined;
      trace.push(
        JSON.stringify({
          sentAtMs: Math.round(sentAt),
          latencyMs: receivedAt === undefined ? null : Math.round((receivedAt - sentAt) * 10) / 10,
          decodedMs: stage.decodedAt === undefined ? null : Math.round(stage.decodedAt - sentAt),
          storedMs: stage.storedAt === undefined ? null : Math.round(stage.storedAt - sentAt),
        }),
      );
      if (receivedAt !== undefined) {
        latencies.push(receivedAt - sentAt);
        if (stage.decodedAt !== undefined) decoded.push(stage.decodedAt - sentAt);
        if (stage.storedAt !== undefined) stored.push(stage.storedAt - sentAt);
      }
      // Back to normal (the H alarm returns unacknowledged; the next crossing re-alarms it).
      await new Promise((r) => setTimeout(r, 100));
      await probe.publishAsync(
        topic,
        JSON.stringify({ readings: [{ tag: PROBE_TAG, ts: Date.now(), value: 1 }] }),
        { qos: 1 },
      );
      await new Promise((r) => setTimeout(r, 250));
    }
    const cpu = process.cpuUsage(cpu0);
    loopDelay.disable();
    if (options.traceFile) await writeFile(options.traceFile, trace.map((l) => `${l}\n`).join(''));
    const serverLoopDelayP99Ms = Math.round(loopDelay.percentile(99) / 1e5) / 10;
    const serverCpuPct = Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - t0)) * 1000) / 10;
    fleet.send({ type: 'stop' });
    const load = (await fleet.next('result')).figures;
    const at = (q: number, xs: number[] = latencies): number => {
      const sorted = [...xs].sort((a, b) => a - b);
      return (
        Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN) * 10) / 10
      );
    };
    return {
      bench: 'latency',
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: at(1),
      samples: latencies.length,
      loadReadingsPerSec: load.readingsPerSec,
      generator: options.generator,
      withStartup: options.withStartup ?? false,
      loadCpuPct: load.loadCpuPct,
      serverCpuPct,
      serverLoopDelayP99Ms,
      decodedP50Ms: at(0.5, decoded),
      decodedP99Ms: at(0.99, decoded),
      storedP50Ms: at(0.5, stored),
      storedP99Ms: at(0.99, stored),
    };
  } finally {
    await probe.endAsync();
    await stopLoad([fleet, watcher].filter((c): c is LoadChild => c !== undefined));
    await api.close();
    await service.close();
    await system.release();
  }
}
