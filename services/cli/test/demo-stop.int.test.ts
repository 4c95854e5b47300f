import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import pg from 'pg';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '@hazardwatch/store/embedded-postgres';
import { ended } from './process-support.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const E1 = '91320623MA1W000001';
const E2 = '91320623MA1W000002';
/** What the issue allows for Ctrl-C: everything stopped, acknowledged data stored. */
const STOP_BOUND_MS = 15_000;
/** Start-up on a busy 2-core machine (about 12 s when idle). */
const START_BOUND_MS = 120_000;

interface DemoProcess {
  readonly child: ChildProcess;
  readonly dataDir: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
  stdout(): string;
  stderr(): string;
}

const started: DemoProcess[] = [];

/**
 * The built command line as a user runs it from a terminal: its own process group (a terminal
 * sends Ctrl-C's SIGINT to the whole foreground group), an empty data directory (embedded
 * PostgreSQL, as root run as `postgres`, must reach it), no DATABASE_URL or MQTT_URL.
 */
function startDemo(args: readonly string[] = ['--port', '0'], env: Record<string, string> = {}): DemoProcess {
  const dataDir = mkdtempSync(join(tmpdir(), 'hw-demo-stop-'));
  chmodSync(dataDir, 0o755);
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('HW_') && !['DATABASE_URL', 'MQTT_URL', 'LOG_LEVEL'].includes(k),
    ),
  );
  const child = spawn(process.execPath, [MAIN, 'demo', ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...inherited, HW_DATA_DIR: dataDir, HW_MQTT_EMBEDDED_PORT: '0', ...env },
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  // When it exited, answered once its output is read (process-support's ended()).
  const exitedAt = new Promise<number>((resolve) => child.once('exit', () => resolve(Date.now())));
  const exited = Promise.all([ended(child), exitedAt]).then(([exit, atMs]) => ({ ...exit, atMs }));
  const demo = { child, dataDir, exited, stdout: () => out, stderr: () => err };
  started.push(demo);
  return demo;
}

afterEach(async () => {
  for (const demo of started.splice(0)) {
    if (demo.child.exitCode === null && demo.child.signalCode === null) {
      process.kill(-demo.child.pid!, 'SIGKILL');
      await demo.exited;
    }
    // An embedded PostgreSQL the demo left would hold the directory: stop it before removing it.
    await waitFor(() => processesUsing(demo.dataDir).length === 0, 15_000).catch(() => {
      for (const pid of processesUsing(demo.dataDir)) process.kill(pid, 'SIGKILL');
    });
    rmSync(demo.dataDir, { recursive: true, force: true });
  }
});

async function waitFor(check: () => boolean, timeoutMs: number, interval = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Waits for the demo's "ready" line; fails early, with its output, if it exits instead. */
async function ready(demo: DemoProcess): Promise<{ apiPort: number; mqttPort: number }> {
  await waitFor(() => /^ready in /m.test(demo.stdout()) || demo.child.exitCode !== null, START_BOUND_MS, 250);
  expect(demo.child.exitCode, `demo exited during start-up:\n${demo.stderr()}`).toBeNull();
  // Both printed in the summary below the ready line; give it the moment to be written.
  await waitFor(() => /Ctrl-C stops/.test(demo.stdout()), 5_000);
  const apiPort = Number(/dashboard http:\/\/127\.0\.0\.1:(\d+)\//.exec(demo.stdout())![1]);
  const mqttPort = Number(/MQTT {5}mqtt:\/\/127\.0\.0\.1:(\d+)/.exec(demo.stdout())![1]);
  return { apiPort, mqttPort };
}

/** Processes (any user) whose command line names the directory: the embedded server and its keeper. */
function processesUsing(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const state = /\) (\w)/.exec(readFileSync(`/proc/${entry}/stat`, 'utf8'))?.[1];
      if (cmdline.includes(dir) && state !== 'Z') pids.push(Number(entry));
    } catch {
      // Gone between listing and reading.
    }
  }
  return pids;
}

/** Lines the demo logged (pino JSON on stdout) with the given message. */
function logged(demo: DemoProcess, msg: string): Array<Record<string, unknown>> {
  return demo
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes(`"msg":"${msg}"`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function publish(mqttPort: number, topic: string, payload: object): Promise<void> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: 'hw-stop-test' });
  try {
    await client.publishAsync(topic, JSON.stringify(payload), { qos: 1 });
  } finally {
    await client.endAsync();
  }
}

/** Reads the stopped demo's database: its embedded cluster started again on the same directory. */
async function query<T>(dataDir: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const server = await startEmbeddedPostgres({
    dataDir: join(dataDir, 'postgres'),
    port: 0,
    logger: pino({ level: 'silent' }),
  });
  const client = new pg.Client({ connectionString: server.url });
  try {
    await client.connect();
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end().catch(() => undefined);
    await server.stop();
  }
}

// Each case starts the whole demo (about 12 s of start-up on an idle machine).
describe('stopping the demo', { timeout: 240_000 }, () => {
  it('Ctrl-C (SIGINT to the whole process group) drains, stores what was acknowledged, stops PostgreSQL and exits 0 within 15 s', async () => {
    const demo = startDemo();
    const { mqttPort } = await ready(demo);
    // An alarm in flight when Ctrl-C comes: PT-1101 above its HH limit (1.2 MPa) for longer than
    // its 5-s on-delay, stamped ahead of the plant's own samples (which would end the condition).
    const ts = Date.now() + 10_000;
    const readings = Array.from({ length: 8 }, (_, i) => ({ tag: 'PT-1101', ts: ts + i * 1000, value: 1.5 }));
    await publish(mqttPort, `hw/v1/${E1}/GW01/telemetry`, { readings });
    const signalledAt = Date.now();
    process.kill(-demo.child.pid!, 'SIGINT');
    const exit = await Promise.race([
      demo.exited,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), STOP_BOUND_MS + 5_000)),
    ]);
    expect(
      exit,
      `still running ${STOP_BOUND_MS + 5_000} ms after Ctrl-C:\n${demo.stdout().slice(-3000)}`,
    ).toBeDefined();
    expect(exit!.atMs - signalledAt).toBeLessThanOrEqual(STOP_BOUND_MS);
    expect({ code: exit!.code, signal: exit!.signal, stderr: demo.stderr() }).toMatchObject({
      code: 0,
      signal: null,
    });
    // Nothing of the demo left running: the embedded server stopped before the process ended.
    expect(processesUsing(demo.dataDir)).toEqual([]);
    expect(existsSync(join(demo.dataDir, 'postgres', 'postmaster.pid'))).toBe(false);

    const stopped = logged(demo, 'ingest stopped')[0]?.['counters'] as { rowsWritten: number } | undefined;
    expect(stopped, 'the ingest logs its counters when it has stopped').toBeDefined();
    const [stored] = await query<{ readings: string; ours: string; alarms: string }>(
      demo.dataDir,
      `SELECT (SELECT count(*) FROM readings) AS readings,
              (SELECT count(*) FROM readings r JOIN point_ids p ON p.id = r.point_id
                WHERE p.enterprise_code = $1 AND p.tag = 'PT-1101' AND r.ts >= to_timestamp($2 / 1000.0)
                  AND r.value = 1.5) AS ours,
              (SELECT count(*) FROM alarms a JOIN point_ids p ON p.id = a.point_id
                WHERE p.enterprise_code = $1 AND p.tag = 'PT-1101' AND a.condition = 'HH') AS alarms`,
      [E1, ts],
    );
    expect(Number(stored!.ours)).toBe(readings.length);
    expect(Number(stored!.alarms)).toBeGreaterThanOrEqual(1);
    // Every row the ingest reported written is in the database after the stop.
    expect(Number(stored!.readings)).toBeGreaterThanOrEqual(stopped!.rowsWritten);
  });

  it('a second Ctrl-C forces the exit at once, non-zero, says so, and leaves no PostgreSQL behind', async () => {
    const demo = startDemo();
    await ready(demo);
    process.kill(-demo.child.pid!, 'SIGINT');
    await new Promise((r) => setTimeout(r, 200));
    process.kill(-demo.child.pid!, 'SIGINT');
    const exit = await demo.exited;
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(demo.stderr()).toMatch(/second SIGINT: exiting without finishing the shutdown/);
    // The server's keeper sees its lifeline close and stops it.
    await waitFor(() => processesUsing(demo.dataDir).length === 0, STOP_BOUND_MS);
  });

  it('SIGKILL of the demo leaves no PostgreSQL behind, and the next start on the same data directory works', async () => {
    const demo = startDemo();
    await ready(demo);
    // The process alone, as the OOM killer or `kill -9 PID` does: its children get no signal.
    process.kill(demo.child.pid!, 'SIGKILL');
    await demo.exited;
    await waitFor(() => processesUsing(demo.dataDir).length === 0, STOP_BOUND_MS);
    const [row] = await query<{ n: string }>(demo.dataDir, 'SELECT count(*) AS n FROM point_ids');
    expect(Number(row!.n)).toBeGreaterThan(3000);
  });

  it('with device authentication, its simulated gateways get credentials and their readings are stored; SIGTERM stops it', async () => {
    const demo = startDemo(undefined, { HW_MQTT_DEVICE_AUTH: 'true' });
    const { apiPort } = await ready(demo);
    const base = `http://127.0.0.1:${apiPort}`;
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'hazardwatch-admin' }),
    });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const fresh = async (enterprise: string): Promise<number> => {
      const res = await fetch(`${base}/api/v1/enterprises/${enterprise}/latest`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      const body = (await res.json()) as { items: Array<{ ts: number }> };
      return body.items.filter((r) => Date.now() - r.ts < 15_000).length;
    };
    // E1/GW01 through the OPC-UA server and edge collector, E2 straight from the simulated fleet.
    await expect.poll(() => fresh(E1), { timeout: 60_000, interval: 1000 }).toBeGreaterThan(0);
    await expect.poll(() => fresh(E2), { timeout: 60_000, interval: 1000 }).toBeGreaterThan(0);
    expect(logged(demo, 'MQTT login refused')).toEqual([]);

    const signalledAt = Date.now();
    process.kill(demo.child.pid!, 'SIGTERM');
    const exit = await demo.exited;
    expect(exit.atMs - signalledAt).toBeLessThanOrEqual(STOP_BOUND_MS);
    expect(exit.code).toBe(0);
    expect(processesUsing(demo.dataDir)).toEqual([]);
  });

  describe('a fatal start-up error', () => {
    let blocker: Server | undefined;
    afterEach(async () => {
      await new Promise((r) => (blocker ? blocker.close(r) : r(undefined)));
      blocker = undefined;
    });

    it('(its port taken) ends the process non-zero with a clear message and nothing left running', async () => {
      blocker = createServer();
      await new Promise<void>((r) => blocker!.listen(0, '0.0.0.0', r));
      const port = (blocker.address() as { port: number }).port;
      const demo = startDemo(['--port', String(port)]);
      const exit = await Promise.race([
        demo.exited,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), START_BOUND_MS)),
      ]);
      expect(exit, `still running:\n${demo.stdout().slice(-3000)}`).toBeDefined();
      expect(exit!.code).toBe(1);
      expect(demo.stderr()).toMatch(
        new RegExp(`^hazardwatch: demo failed: .*port ${port} is already in use`, 'm'),
      );
      expect(processesUsing(demo.dataDir)).toEqual([]);
    });
  });
});
