import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect as tcpConnect, createServer } from 'node:net';

/**
 * Test support for tests that run real programs as processes (the CLI as the image or a systemd
 * unit runs it, a private Mosquitto or Redis): free ports, a process with its output kept, a
 * command run to its end, and a stop by SIGTERM that reports how the process ended.
 */

/**
 * A TCP port nothing listens on right now (127.0.0.1), below Linux's ephemeral range (32768–60999):
 * a port the kernel picked for listen(0) is also one it may give the next outgoing connection of
 * any test running alongside, and a process started seconds later then finds it taken (CI: the
 * compose stack's health port, EADDRINUSE). Ports from 20000–32767 are never handed out that way.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port found in 20000-32767 after 50 tries');
}

/** Resolves once something accepts connections on 127.0.0.1:port; throws after timeoutMs. */
export async function portOpen(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The program runs here (`--version` or `--help` starts it). */
export function hasBinary(file: string, probe = '--help'): boolean {
  return spawnSync(file, [probe], { encoding: 'utf8' }).error === undefined;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface StartedProcess {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  readonly exited: Promise<Exit>;
}

/** Starts a program with its output kept (for assertions and for failure messages). */
export function startProcess(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): StartedProcess {
  const child = spawn(file, args, {
    env: options.env ?? process.env,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
  const exited = ended(child);
  // A spawn failure (no such file) ends the process promise too, with the reason in the output.
  child.once('error', (err) => (out += `spawn failed: ${err.message}\n`));
  return { child, output: () => out, exited };
}

/**
 * How long an ended program's pipes may stay open before its end is reported anyway: a descendant
 * that outlives it holds them open for as long as it runs.
 */
const OUTPUT_DRAIN_MS = 2_000;
const endings = new WeakMap<ChildProcess, Promise<Exit>>();

/**
 * The program's end, answered once its output is read: 'exit' can come before the last of a pipe
 * is (a block-buffered program such as Mosquitto writes all of its log as it ends), so this waits
 * for 'close', at most OUTPUT_DRAIN_MS after 'exit'.
 */
export function ended(child: ChildProcess): Promise<Exit> {
  let ending = endings.get(child);
  if (ending) return ending;
  ending = new Promise<Exit>((resolve) => {
    let exit: Exit | undefined;
    let drain: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(drain);
      resolve(exit!);
    };
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      drain = setTimeout(finish, OUTPUT_DRAIN_MS);
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      exit ??= { code, signal };
      finish();
    });
  });
  endings.set(child, ending);
  return ending;
}

/** A command run to its end (SIGKILL after timeoutMs), optionally fed `input` on stdin. */
export function runToEnd(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs: number },
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      env: options.env ?? process.env,
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (out += s));
    if (options.input !== undefined) child.stdin!.end(options.input);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', (err) => (out += `spawn failed: ${err.message}\n`));
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/**
 * SIGTERM, then SIGKILL if the process is still there after graceMs; answers how it ended (a
 * process that had already ended answers its exit as it was).
 */
export async function stopProcess(child: ChildProcess, graceMs: number): Promise<Exit> {
  const known = endings.get(child);
  if (child.exitCode !== null || child.signalCode !== null)
    return known ?? { code: child.exitCode, signal: child.signalCode };
  const exited = ended(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}
