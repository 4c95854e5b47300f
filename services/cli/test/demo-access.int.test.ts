import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
/** Start-up on a busy 2-core machine (about 14 s when idle). */
const START_BOUND_MS = 150_000;
const EDITED_NAME = '液氯储罐V-1101温度（现场已改名）';

interface DemoProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

const dataDir = mkdtempSync(join(tmpdir(), 'hw-demo-access-'));
chmodSync(dataDir, 0o755);
const running: DemoProcess[] = [];

afterAll(async () => {
  for (const demo of running) {
    if (demo.child.exitCode === null && demo.child.signalCode === null) {
      process.kill(-demo.child.pid!, 'SIGKILL');
      await demo.exited;
    }
  }
  // The embedded PostgreSQL's keeper stops it when the demo is gone; give it the moment.
  await waitFor(() => processesUsing(dataDir).length === 0, 20_000).catch(() => {
    for (const pid of processesUsing(dataDir)) process.kill(pid, 'SIGKILL');
  });
  rmSync(dataDir, { recursive: true, force: true });
});

/** The built command as a user runs it: own process group, no DATABASE_URL, no MQTT_URL. */
function startDemo(args: readonly string[], env: Record<string, string>): DemoProcess {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('HW_') && !['DATABASE_URL', 'MQTT_URL', 'LOG_LEVEL'].includes(k),
    ),
  );
  const child = spawn(process.execPath, [MAIN, 'demo', ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...inherited, HW_DATA_DIR: dataDir, ...env },
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const demo = { child, exited, stdout: () => out, stderr: () => err };
  running.push(demo);
  return demo;
}

async function waitFor(check: () => boolean, timeoutMs: number, interval = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

async function ready(demo: DemoProcess): Promise<string> {
  await waitFor(() => /Ctrl-C stops/.test(demo.stdout()) || demo.child.exitCode !== null, START_BOUND_MS);
  expect(demo.child.exitCode, `demo exited during start-up:\n${demo.stderr()}`).toBeNull();
  return demo.stdout();
}

async function stop(demo: DemoProcess): Promise<void> {
  process.kill(demo.child.pid!, 'SIGTERM');
  expect(await demo.exited).toBe(0);
}

/** A port free on every interface right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** `0100007F` → 127.0.0.1; IPv6 (32 hex digits) as `::`, `::1` or the mapped IPv4 address. */
function address(hex: string): string {
  if (hex.length === 8)
    return [3, 2, 1, 0].map((i) => String(Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16))).join('.');
  if (hex === '0'.repeat(32)) return '::';
  if (hex === '00000000000000000000000001000000') return '::1';
  if (hex.startsWith('0000000000000000FFFF0000')) return `::ffff:${address(hex.slice(24))}`;
  return `ipv6:${hex}`;
}

/** Listening TCP sockets of the process: port → local address (from /proc, as `ss -ltnp` would). */
function listening(pid: number): Map<number, string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // Closed between listing and reading.
    }
  }
  const found = new Map<number, string>();
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address rem_address st … inode: st 0A is LISTEN.
      if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9]!)) continue;
      const [host, port] = f[1]!.split(':');
      found.set(Number.parseInt(port!, 16), address(host!));
    }
  }
  return found;
}

function processesUsing(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const state = /\) (\w)/.exec(readFileSync(`/proc/${entry}/stat`, 'utf8'))?.[1];
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir) && state !== 'Z')
        pids.push(Number(entry));
    } catch {
      // Gone.
    }
  }
  return pids;
}

function printed(out: string, pattern: RegExp): string {
  const m = pattern.exec(out);
  expect(m, `${pattern} not in:\n${out.slice(-3000)}`).not.toBeNull();
  return m![1]!;
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * Issue 17 item 10 and the demo's documentation: what the demo opens is on 127.0.0.1 unless
 * `--host` says otherwise (with a warning that its logins are public); /docs can be turned off;
 * the MQTT port is 1883 when free, else the next free one, and printed with its URL; the embedded
 * database's URL is printed; an edited site file survives a restart.
 */
describe('the demo’s network exposure and what it prints', () => {
  it('listens on 127.0.0.1 only, prints its MQTT and database URLs; --host 0.0.0.0 exposes it with a warning, keeps site edits, /docs off', async () => {
    const healthPort = await freePort();
    const mosquittoOn1883 = await tcpOpen(1883);
    const first = startDemo(['--port', '0', '--reset'], { HW_HEALTH_PORT: String(healthPort) });
    const out = await ready(first);

    const apiPort = Number(printed(out, /dashboard http:\/\/127\.0\.0\.1:(\d+)\//));
    const mqttPort = Number(printed(out, /MQTT {5}mqtt:\/\/127\.0\.0\.1:(\d+)/));
    const opcuaPort = Number(printed(out, /OPC-UA {3}opc\.tcp:\/\/[\w.]+:(\d+)/));
    const databaseUrl = printed(out, /database (postgres:\/\/\S+@127\.0\.0\.1:\d+\/\S+)/);
    // 1883 when free; taken (the test broker), the next free port above it, and it says so.
    if (mosquittoOn1883) {
      expect(mqttPort).toBeGreaterThan(1883);
      expect(mqttPort).toBeLessThan(1983);
      expect(out).toContain('1883 is in use');
    } else expect(mqttPort).toBe(1883);
    expect(out).toContain(`-p ${mqttPort}`);

    const sockets = listening(first.child.pid!);
    for (const port of [apiPort, mqttPort, opcuaPort, healthPort])
      expect(sockets.get(port)).toBe('127.0.0.1');
    expect(
      [...sockets.values()].filter((a) => a !== '127.0.0.1'),
      JSON.stringify([...sockets]),
    ).toEqual([]);
    expect(first.stderr()).not.toMatch(/public/);
    expect((await fetch(`http://127.0.0.1:${apiPort}/docs/json`)).status).toBe(200);

    // The printed database URL works: the demo's site is there.
    const stored = await query<{ n: string }>(databaseUrl, 'SELECT count(*) AS n FROM site_documents');
    expect(Number(stored[0]!.n)).toBeGreaterThanOrEqual(1);
    await stop(first);

    // A site edit, then a restart exposed to the network with /docs off.
    const siteFile = join(dataDir, 'demo-site.yaml');
    const site = readFileSync(siteFile, 'utf8');
    expect(site).toContain('液氯储罐V-1101温度');
    writeFileSync(siteFile, site.replace('液氯储罐V-1101温度', EDITED_NAME));

    const second = startDemo(['--port', '0', '--host', '0.0.0.0'], {
      HW_HEALTH_PORT: String(healthPort),
      HW_API_DOCS: 'false',
    });
    const out2 = await ready(second);
    expect(second.stderr()).toMatch(/--host 0\.0\.0\.0.*demo logins.*public/s);
    const apiPort2 = Number(printed(out2, /dashboard http:\/\/127\.0\.0\.1:(\d+)\//));
    const mqttPort2 = Number(printed(out2, /MQTT {5}mqtt:\/\/127\.0\.0\.1:(\d+)/));
    const opcuaPort2 = Number(printed(out2, /OPC-UA {3}opc\.tcp:\/\/[\w.]+:(\d+)/));
    const databaseUrl2 = printed(out2, /database (postgres:\/\/\S+@127\.0\.0\.1:\d+\/\S+)/);
    const sockets2 = listening(second.child.pid!);
    for (const port of [apiPort2, mqttPort2, opcuaPort2])
      expect(['0.0.0.0', '::']).toContain(sockets2.get(port));
    // Metrics stay internal (HW_HEALTH_HOST), whatever --host says.
    expect(sockets2.get(healthPort)).toBe('127.0.0.1');
    expect((await fetch(`http://127.0.0.1:${apiPort2}/docs`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${apiPort2}/docs/json`)).status).toBe(404);

    // The edit was kept and is the site in force.
    expect(readFileSync(siteFile, 'utf8')).toContain(EDITED_NAME);
    const latest = await query<{ document: unknown }>(
      databaseUrl2,
      'SELECT document FROM site_documents ORDER BY version DESC LIMIT 1',
    );
    expect(JSON.stringify(latest[0]!.document)).toContain(EDITED_NAME);
    await stop(second);
  }, 600_000);
});
