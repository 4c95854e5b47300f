import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import type pg from 'pg';
import { PARTITION_COUNT, PartitionSessions, partitionOf } from '@hazardwatch/ingest';
import { waitFor } from '@hazardwatch/testkit';
import { freePort, startProcess, type StartedProcess } from './process-support.js';

/**
 * Test support for fleets of leased `hazardwatch ingest` processes (issue #23, docs/operations.md
 * §5.1): a site of tank farms whose enterprises sit in distinct partitions, a worker process in
 * lease mode, the lease table as the tests read it, and the workers' pino JSON logs read back as
 * tenures (partition, epoch, from when to when a worker acted for it).
 */

export const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url));

const person = { name: '王建国', phone: '+8613800000001' };

/** `count` fresh enterprise codes in distinct partitions (nothing another test publishes arrives). */
export function enterpriseCodes(count: number): string[] {
  const codes: string[] = [];
  const used = new Set<number>();
  while (codes.length < count) {
    const code = `91320623L${randomBytes(5).toString('hex').toUpperCase()}`.slice(0, 18);
    const p = partitionOf(code);
    if (used.has(p)) continue;
    used.add(p);
    codes.push(code);
  }
  return codes;
}

/**
 * One tank farm per enterprise: PT-1 (pressure, H 1.0, HH 1.2, no delay) and TT-1 (temperature,
 * H 150, the steady flow), one gateway GW01.
 */
export function tankFarmSite(codes: readonly string[]): unknown {
  return {
    version: 1,
    regions: [
      { code: '320000', name: '江苏省', kind: 'province' },
      { code: '320600', name: '南通市', kind: 'city', parent: '320000' },
      { code: '320623', name: '如东县', kind: 'county', parent: '320600' },
      { code: 'PARK1', name: '洋口化工园区', kind: 'park', parent: '320623' },
    ],
    enterprises: codes.map((code, i) => ({
      code,
      name: `示例化工${i + 1}号有限公司`,
      region: 'PARK1',
      location: { lon: 121 + i / 100, lat: 32.5 },
    })),
    hazards: codes.map((enterprise, i) => ({
      code: 'TF1',
      enterprise,
      name: '储罐区',
      declaredLevel: 4,
      type: 'tank_farm',
      responsible: { principal: person, technical: person, operational: person },
      location: { lon: 121.001 + i / 100, lat: 32.501 },
      inventory: [{ substance: 'Cl2', designMaxTonnes: 10 }],
      exposedPopulation: 1,
    })),
    gateways: codes.map((enterprise) => ({ code: 'GW01', enterprise, name: '网关' })),
    points: codes.flatMap((enterprise) => [
      {
        tag: 'PT-1',
        enterprise,
        hazard: 'TF1',
        gateway: 'GW01',
        name: '储罐压力',
        kind: 'pressure',
        unit: 'MPa',
        range: { min: 0, max: 2.5 },
        limits: { h: 1.0, hh: 1.2 },
      },
      {
        tag: 'TT-1',
        enterprise,
        hazard: 'TF1',
        gateway: 'GW01',
        name: '储罐温度',
        kind: 'temperature',
        unit: '°C',
        range: { min: 0, max: 200 },
        limits: { h: 150 },
      },
    ]),
  };
}

/** Lease timing of a fleet (HW_INGEST_LEASE_MS, HW_INGEST_HEARTBEAT_MS, HW_INGEST_LEASE_MARGIN_MS). */
export interface LeaseTiming {
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  readonly marginMs: number;
}

export interface LeasedWorker {
  /** The configured worker id (`w1`); the lease table holds `w1-{random}`. */
  readonly name: string;
  readonly proc: StartedProcess;
  readonly health: number;
}

export interface LeasedWorkerOptions {
  readonly name: string;
  readonly databaseUrl: string;
  readonly mqttUrl: string;
  readonly sitePath: string;
  /** HW_INGEST_CLIENT_ID: the prefix of the partitions' sessions, the same on every worker. */
  readonly clientIdPrefix: string;
  readonly timing: LeaseTiming;
  /** HW_DB_POOL_SIZE. @default 4 */
  readonly poolSize?: number;
}

/** A `hazardwatch ingest` process in lease mode, ready (/readyz) before this resolves. */
export async function startLeasedWorker(options: LeasedWorkerOptions): Promise<LeasedWorker> {
  const { name, timing } = options;
  const health = await freePort();
  const proc = startProcess(process.execPath, [CLI, 'ingest'], {
    env: {
      PATH: process.env['PATH'],
      DATABASE_URL: options.databaseUrl,
      MQTT_URL: options.mqttUrl,
      HW_SITE_FILE: options.sitePath,
      HW_HEALTH_PORT: String(health),
      HW_INGEST_CLIENT_ID: options.clientIdPrefix,
      HW_INGEST_PARTITIONS: 'leased',
      HW_INGEST_WORKER_ID: name,
      HW_INGEST_LEASE_MS: String(timing.leaseMs),
      HW_INGEST_HEARTBEAT_MS: String(timing.heartbeatMs),
      HW_INGEST_LEASE_MARGIN_MS: String(timing.marginMs),
      HW_DB_POOL_SIZE: String(options.poolSize ?? 4),
      LOG_LEVEL: 'info',
    },
  });
  await waitFor(
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`${name} exited:\n${proc.output()}`);
      return fetch(`http://127.0.0.1:${health}/readyz`).then(
        async (r) => (r.ok ? ((await r.json()) as { ready?: boolean }) : null),
        () => null,
      );
    },
    (r) => r?.ready === true,
    `${name} ready`,
    30_000,
  );
  return { name, proc, health };
}

/**
 * Ends the broker sessions an ingest with this client id may have left: its own (a single worker)
 * and the 64 partitions' (`{prefix}-p00` …, a leased one, the default of `hazardwatch ingest`),
 * each by connecting once with a clean session.
 */
export async function endIngestSessions(mqttUrl: string, prefix: string): Promise<void> {
  const ids = [
    prefix,
    ...Array.from({ length: PARTITION_COUNT }, (_, p) => PartitionSessions.clientId(prefix, p)),
  ];
  for (const clientId of ids) await (await mqtt.connectAsync(mqttUrl, { clientId, clean: true })).endAsync();
}

/** The configured name of a lease owner (`w1` of `w1-3fa2…`). */
export const workerName = (owner: string): string => owner.split('-')[0]!;

/** Live owners and how many partitions each holds, by worker name. */
export async function leaseShares(check: pg.Client): Promise<Map<string, number>> {
  const { rows } = await check.query<{ owner: string; n: number }>(
    `SELECT owner, count(*)::int AS n FROM partition_leases
      WHERE owner IS NOT NULL AND expires_at > now() GROUP BY owner`,
  );
  return new Map(rows.map((r) => [workerName(r.owner), r.n]));
}

/** The live holder of a partition, its epoch and when it acquired it (database clock, ms). */
export async function holderOf(
  check: pg.Client,
  partition: number,
): Promise<{ name: string; epoch: number; acquiredAtMs: number } | undefined> {
  const { rows } = await check.query<{ owner: string; epoch: string; at: string }>(
    `SELECT owner, epoch::text, (extract(epoch FROM acquired_at) * 1000)::text AS at FROM partition_leases
      WHERE partition = $1 AND owner IS NOT NULL AND expires_at > now()`,
    [partition],
  );
  const row = rows[0];
  return row
    ? { name: workerName(row.owner), epoch: Number(row.epoch), acquiredAtMs: Number(row.at) }
    : undefined;
}

/** The partitions a worker holds now (live leases), with their epochs. */
export async function leasesOf(check: pg.Client, name: string): Promise<Map<number, number>> {
  const { rows } = await check.query<{ owner: string; partition: number; epoch: string }>(
    `SELECT owner, partition, epoch::text FROM partition_leases
      WHERE owner IS NOT NULL AND expires_at > now()`,
  );
  return new Map(rows.filter((r) => workerName(r.owner) === name).map((r) => [r.partition, Number(r.epoch)]));
}

/** One line of a worker's pino JSON log (the fields the tests read). */
export interface LogLine {
  readonly time: number;
  readonly level: number;
  readonly msg: string;
  readonly partition?: number;
  readonly partitions?: number[];
  readonly epoch?: number;
  readonly reason?: string;
  readonly unacknowledged?: number;
  readonly err?: { readonly code?: string; readonly message?: string };
  readonly [field: string]: unknown;
}

/** The JSON lines of a process's output (anything else it printed is skipped). */
export function logLines(output: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const text of output.split('\n')) {
    if (!text.startsWith('{')) continue;
    try {
      const line = JSON.parse(text) as LogLine;
      if (typeof line.time === 'number' && typeof line.msg === 'string') lines.push(line);
    } catch {
      // A line cut off at the end of the output so far.
    }
  }
  return lines;
}

/** A worker's tenure of one partition at one epoch, as its log tells it. */
export interface Tenure {
  readonly worker: string;
  readonly partition: number;
  readonly epoch: number;
  /** 'partition taken': restored, routed to and its session open (host clock, ms). */
  readonly takenAt: number;
  /** 'partition given up' (host clock, ms); undefined while still held. */
  readonly endedAt?: number;
  readonly reason?: string;
}

/**
 * The tenures in a worker's log (PartitionOwner's 'partition taken' and 'partition given up'). A
 * partition given up before it was taken (lost while restoring, or while its session connected:
 * detached at the loss, the takeover's 'partition taken' may still follow) is no tenure.
 */
export function tenures(worker: string, lines: readonly LogLine[]): Tenure[] {
  const open = new Map<string, Tenure>();
  const ended = new Set<string>();
  const done: Tenure[] = [];
  for (const l of lines) {
    if (l.partition === undefined || l.epoch === undefined) continue;
    const key = `${l.partition}:${l.epoch}`;
    if (l.msg === 'partition taken') {
      if (!ended.has(key)) open.set(key, { worker, partition: l.partition, epoch: l.epoch, takenAt: l.time });
    } else if (l.msg === 'partition given up') {
      ended.add(key);
      const t = open.get(key);
      if (t === undefined) continue;
      open.delete(key);
      done.push({ ...t, endedAt: l.time, ...(l.reason !== undefined ? { reason: l.reason } : {}) });
    }
  }
  return [...done, ...open.values()];
}
