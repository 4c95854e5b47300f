import { cpuUsage } from 'node:process';
import type { Logger } from 'pino';
import { topicFilter, type LiveScope } from '@hazardwatch/contracts';
import { generateSite, type GenerateSiteOptions } from '@hazardwatch/simulators';
import { LiveValueTap } from '@hazardwatch/ingest';
import {
  ensureUsers,
  startApiBeside,
  startIngestService,
  type DemoUser,
  type RuntimeConfig,
} from 'hazardwatch';
import { prepareBenchSystem } from './bench-system.js';
import { AgeHistogram } from './age-histogram.js';
import type { FanoutLoadFigures, FanoutLoadSpec } from './fanout-load.js';
import { exited, spawnLoad, stopLoad, type LoadChild } from './load-child.js';

export interface FanoutBenchOptions {
  readonly adminDatabaseUrl: string;
  readonly mqttUrl: string;
  /** Points publishing at 1 Hz. */
  readonly points: number;
  readonly clients: number;
  /** Measured window, after the warm-up. */
  readonly durationMs: number;
  /** `values:interval` every client asks for, ms; undefined keeps the server default (1000). */
  readonly intervalMs: number | undefined;
  readonly base: RuntimeConfig;
  readonly logger: Logger;
}

export interface FanoutBenchResult extends Omit<FanoutLoadFigures, 'loadCpuPct'> {
  readonly bench: 'fanout';
  readonly clients: number;
  readonly points: number;
  readonly intervalMs: number;
  /** Server process (ingest + API + live gateway): CPU over the measured window, % of one core. */
  readonly cpuPct: number;
  /** Clients process, % of one core (it shares the machine with the server). */
  readonly loadCpuPct: number;
  /** Fleet process, % of one core. */
  readonly fleetCpuPct: number;
  /** Age of readings when the ingest accepted them (the part of the latency before fan-out), ms. */
  readonly ingestP50Ms: number;
  readonly ingestP99Ms: number;
  readonly rssMb: number;
  readonly heapMb: number;
  readonly valuesPerSec: number;
  readonly readingsPerSec: number;
  readonly durationS: number;
  /** Clients per subscription tier. */
  readonly mix: Readonly<Record<string, number>>;
}

const WARMUP_MS = 5000;
const PASSWORD = 'bench-fanout-password';
const DEFAULT_INTERVAL_MS = 1000;

/**
 * Share of the clients per subscription tier: what a control room's population looks like —
 * a few province and city screens, county regulators, park/town regulators, and mostly
 * enterprise consoles. Each tier's clients are spread round-robin over its codes.
 */
const MIX: ReadonlyArray<{ tier: string; share: number }> = [
  { tier: 'province', share: 0.01 },
  { tier: 'city', share: 0.04 },
  { tier: 'county', share: 0.1 },
  { tier: 'local', share: 0.1 },
  { tier: 'enterprise', share: 0.75 },
];

interface Plan {
  readonly users: DemoUser[];
  readonly clients: Array<{ username: string; scopes: LiveScope[] }>;
  readonly mix: Record<string, number>;
}

/** Users (one per scope code used) and each client's login and subscription. */
export function planFanoutClients(site: Record<string, unknown>, clients: number): Plan {
  const regions = site['regions'] as Array<{ code: string; kind: string }>;
  const enterpriseList = site['enterprises'] as Array<{ code: string; region: string }>;
  const enterprises = enterpriseList.map((e) => e.code);
  // Parks and towns that hold enterprises (a subscription to an empty one would receive nothing).
  const local = new Set(enterpriseList.map((e) => e.region));
  const codes: Record<string, string[]> = {
    province: regions.filter((r) => r.kind === 'province').map((r) => r.code),
    city: regions.filter((r) => r.kind === 'city').map((r) => r.code),
    county: regions.filter((r) => r.kind === 'county').map((r) => r.code),
    local: regions
      .filter((r) => (r.kind === 'park' || r.kind === 'town') && local.has(r.code))
      .map((r) => r.code),
    enterprise: enterprises,
  };
  const users = new Map<string, DemoUser>();
  const planned: Plan['clients'] = [];
  const mix: Record<string, number> = {};
  let assigned = 0;
  MIX.forEach(({ tier, share }, t) => {
    const last = t === MIX.length - 1;
    const count = last ? clients - assigned : Math.max(1, Math.round(clients * share));
    const pool = codes[tier] ?? [];
    if (pool.length === 0 || count <= 0) return;
    mix[tier] = count;
    assigned += count;
    for (let i = 0; i < count; i++) {
      const code = pool[i % pool.length]!;
      const username = `bench-${tier}-${code}`.toLowerCase();
      if (!users.has(username)) {
        users.set(
          username,
          tier === 'enterprise'
            ? { username, password: PASSWORD, role: 'operator', enterpriseCode: code }
            : { username, password: PASSWORD, role: 'regulator', regionCode: code },
        );
      }
      planned.push({
        username,
        scopes: [tier === 'enterprise' ? { type: 'enterprise', code } : { type: 'region', code }],
      });
    }
  });
  return { users: [...users.values()], clients: planned, mix };
}

/**
 * Live value fan-out (issue #4): `points` points update at 1 Hz through the real chain — MQTT
 * fleet → broker → ingest (decode, evaluate, COPY) → live value tap → socket.io gateway →
 * per-client conflation — to `clients` websocket clients logged in as users of different scopes
 * and subscribed across regions and enterprises. Each client measures the age of every value it
 * receives (receipt − source timestamp); the server's CPU and memory are measured in this process,
 * the load (fleet and clients) runs in a child process.
 */
export async function runFanoutBench(options: FanoutBenchOptions): Promise<FanoutBenchResult> {
  const log = options.logger.child({ component: 'bench-fanout' });
  const siteOptions: GenerateSiteOptions = {
    cities: 3,
    enterprises: Math.max(2, Math.round(options.points / 500)),
    points: options.points,
    seed: 13,
  };
  const site = generateSite(siteOptions);
  const plan = planFanoutClients(site, options.clients);
  const enterprises = (site['enterprises'] as Array<{ code: string }>).map((e) => e.code);
  const system = await prepareBenchSystem({
    name: 'fanout',
    adminDatabaseUrl: options.adminDatabaseUrl,
    mqttUrl: options.mqttUrl,
    base: options.base,
    site,
    api: true,
    logger: log,
    ingest: {
      mqtt: {
        // MQTT 5: the ingest's Receive Maximum (1000) sets the in-flight window. Under MQTT 3.1.1 a
        // stock Mosquitto allows 20 unacknowledged messages (max_inflight_messages), and since the
        // ingest acknowledges after the commit, 20 messages per commit would be the ceiling
        // (docs/operations.md, broker settings): the figure would be the broker's, not ours.
        protocolVersion: 5,
        subscriptions: enterprises.flatMap((e) => [topicFilter('telemetry', e), topicFilter('status', e)]),
      },
    },
  });
  const { config } = system;
  let service: Awaited<ReturnType<typeof startIngestService>> | undefined;
  let api: Awaited<ReturnType<typeof startApiBeside>> | undefined;
  const children: LoadChild[] = [];
  try {
    const tap = new LiveValueTap();
    let ingestAges = new AgeHistogram();
    const ingestAge = { observe: (_id: number, ts: number) => ingestAges.add(Date.now() - ts) };
    service = await startIngestService(config, options.logger, { observers: [tap, ingestAge] });
    api = await startApiBeside(service, config, options.logger, 0, tap);
    await ensureUsers(service, plan.users);
    const apiUrl = `http://127.0.0.1:${api.port}`;
    const tokens = new Map<string, string>();
    for (const user of plan.users) tokens.set(user.username, await login(apiUrl, user.username));
    log.info({ users: plan.users.length, clients: plan.clients.length, mix: plan.mix }, 'starting load');

    const spawn = (role: FanoutLoadSpec['role']): LoadChild => {
      const load = spawnLoad({
        role,
        mqttUrl: options.mqttUrl,
        apiUrl,
        site: siteOptions,
        clients:
          role === 'clients'
            ? plan.clients.map((c) => ({ token: tokens.get(c.username)!, scopes: c.scopes }))
            : [],
        intervalMs: options.intervalMs,
        warmupMs: WARMUP_MS,
        durationMs: options.durationMs,
        clientIdPrefix: system.clientId,
      });
      children.push(load);
      return load;
    };
    const clients = spawn('clients');
    const ready = await clients.next('ready');
    log.info({ connected: ready.connected }, 'clients subscribed; fleet starting');
    const fleet = spawn('fleet');
    await fleet.next('ready');
    clients.send({ type: 'go' });
    await clients.next('measuring');
    ingestAges = new AgeHistogram();
    const cpu0 = cpuUsage();
    const t0 = performance.now();
    let rss = 0;
    let heap = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      rss = Math.max(rss, m.rss);
      heap = Math.max(heap, m.heapUsed);
    }, 500);
    const result = await clients.next('result');
    clearInterval(sampler);
    const cpu = cpuUsage(cpu0);
    const seconds = (performance.now() - t0) / 1000;
    fleet.send({ type: 'stop' });
    const published = (await fleet.next('result')).figures;
    const f = result.figures;
    await Promise.all(children.map((c) => exited(c.child, 30_000)));
    return {
      p99Ms: f.p99Ms,
      cpuPct: Math.round(((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 1000) / 10,
      clients: ready.connected,
      bench: 'fanout',
      p50Ms: f.p50Ms,
      maxMs: f.maxMs,
      points: options.points,
      intervalMs: options.intervalMs ?? DEFAULT_INTERVAL_MS,
      loadCpuPct: f.loadCpuPct,
      fleetCpuPct: published.loadCpuPct,
      ingestP50Ms: ingestAges.quantile(0.5),
      ingestP99Ms: ingestAges.quantile(0.99),
      rssMb: Math.round(rss / 1048576),
      heapMb: Math.round(heap / 1048576),
      valuesPerSec: Math.round(f.values / seconds),
      readingsPerSec: published.readingsPerSec,
      values: f.values,
      batches: f.batches,
      silentClients: f.silentClients,
      disconnects: f.disconnects,
      readingsPublished: published.readingsPublished,
      publishErrors: published.publishErrors,
      batchesDropped: published.batchesDropped,
      durationS: Math.round(seconds * 10) / 10,
      mix: plan.mix,
    };
  } finally {
    await stopLoad(children);
    await api?.close().catch((err: unknown) => log.warn({ err }, 'api close failed'));
    await service?.close().catch((err: unknown) => log.warn({ err }, 'ingest close failed'));
    await system.release();
  }
}

async function login(apiUrl: string, username: string): Promise<string> {
  const res = await fetch(`${apiUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: HTTP ${res.status}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}
