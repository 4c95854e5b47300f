import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import type pg from 'pg';
import { PARTITION_COUNT } from '@hazardwatch/ingest';

/**
 * Leased `hazardwatch ingest` workers as separate processes of the real CLI entry (the bench
 * spawns and kills them as an operator's supervisor would), and the lease table read back to tell
 * which worker holds which partition (docs/operations.md §5.1).
 */

/** The CLI entry the image runs (`hazardwatch` = services/cli/dist/main.js). */
export function cliEntry(): string {
  return join(dirname(createRequire(import.meta.url).resolve('hazardwatch')), 'main.js');
}

/** Lease timing passed to the workers; undefined: the production defaults (4000/1000/500 ms). */
export interface LeaseTiming {
  readonly leaseMs?: number;
  readonly heartbeatMs?: number;
  readonly marginMs?: number;
}

export interface WorkerSpec {
  readonly databaseUrl: string;
  readonly mqttUrl: string;
  readonly siteFile: string;
  /** Prefix of the partitions' MQTT sessions, the same for every worker of the fleet. */
  readonly clientPrefix: string;
  readonly timing: LeaseTiming;
  /** Each worker's output (pino, JSON) is appended here. */
  readonly logFile: string;
}

export interface LeasedWorker {
  /** The name given (HW_INGEST_WORKER_ID); the lease owner is `<name>-<random>`. */
  readonly name: string;
  readonly child: ChildProcess;
  readonly healthPort: number;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts a worker and resolves once its /readyz says ready (throws if it exits or after timeoutMs). */
export async function startLeasedWorker(
  spec: WorkerSpec,
  name: string,
  timeoutMs = 60_000,
): Promise<LeasedWorker> {
  const healthPort = await freePort();
  const { timing } = spec;
  const out = openSync(spec.logFile, 'a');
  const child = spawn(process.execPath, [cliEntry(), 'ingest'], {
    env: {
      PATH: process.env['PATH'],
      DATABASE_URL: spec.databaseUrl,
      MQTT_URL: spec.mqttUrl,
      HW_SITE_FILE: spec.siteFile,
      HW_HEALTH_PORT: String(healthPort),
      HW_INGEST_CLIENT_ID: spec.clientPrefix,
      HW_INGEST_PARTITIONS: 'leased',
      HW_INGEST_WORKER_ID: name,
      ...(timing.leaseMs !== undefined ? { HW_INGEST_LEASE_MS: String(timing.leaseMs) } : {}),
      ...(timing.heartbeatMs !== undefined ? { HW_INGEST_HEARTBEAT_MS: String(timing.heartbeatMs) } : {}),
      ...(timing.marginMs !== undefined ? { HW_INGEST_LEASE_MARGIN_MS: String(timing.marginMs) } : {}),
      // info: the bench reads each takeover's timed steps ('partition taken') from the log.
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const worker = { name, child, healthPort };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`worker ${name} exited (${child.exitCode ?? child.signalCode}); see ${spec.logFile}`);
    const ready = await fetch(`http://127.0.0.1:${healthPort}/readyz`).then(
      async (r) => (r.ok ? ((await r.json()) as { ready?: boolean }).ready === true : false),
      () => false,
    );
    if (ready) return worker;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker ${name} not ready after ${timeoutMs} ms; see ${spec.logFile}`);
    }
    await sleep(200);
  }
}

/** SIGTERM, SIGKILL after `graceMs`; resolves when it has exited. */
export async function stopLeasedWorker(worker: LeasedWorker, graceMs = 10_000): Promise<void> {
  const { child } = worker;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

export interface LeaseRow {
  readonly partition: number;
  /** Worker name (the part of the owner before its random suffix). */
  readonly name: string;
  readonly epoch: number;
}

/** Partitions held now (owner set, not expired on the database's clock). */
export async function liveLeases(db: pg.Pool | pg.Client): Promise<LeaseRow[]> {
  const { rows } = await db.query<{ partition: number; owner: string; epoch: string }>(
    `SELECT partition, owner, epoch::text FROM partition_leases
      WHERE owner IS NOT NULL AND expires_at > now() ORDER BY partition`,
  );
  return rows.map((r) => ({ partition: r.partition, name: ownerName(r.owner), epoch: Number(r.epoch) }));
}

/** `fo3` of `fo3-9c1e…` (the CLI appends a random suffix to HW_INGEST_WORKER_ID at each start). */
export function ownerName(owner: string): string {
  const i = owner.lastIndexOf('-');
  return i > 0 ? owner.slice(0, i) : owner;
}

/** Waits until the 64 partitions are all held and each of `names` holds at least one. */
export async function waitShared(
  db: pg.Pool,
  names: readonly string[],
  timeoutMs: number,
): Promise<LeaseRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const leases = await liveLeases(db);
    const holders = new Set(leases.map((l) => l.name));
    if (leases.length === PARTITION_COUNT && names.every((n) => holders.has(n))) return leases;
    if (Date.now() > deadline) {
      // Every row as it stands (expired ones too), to tell a dead fleet from a slow one.
      const { rows } = await db.query<{ owner: string | null; n: number; ahead_ms: string | null }>(
        `SELECT owner, count(*)::int AS n, (extract(epoch FROM max(expires_at) - now()) * 1000)::int::text AS ahead_ms
           FROM partition_leases GROUP BY owner ORDER BY owner`,
      );
      const table = rows.map((r) => `${r.owner ?? 'free'}: ${r.n} (expiry ${r.ahead_ms ?? '?'} ms ahead)`);
      throw new Error(
        `partitions not shared by ${names.join(', ')} after ${timeoutMs} ms: ${leases.length} held by ${[...holders].join(', ')}; leases: ${table.join('; ')}`,
      );
    }
    await sleep(200);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
