import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';

/**
 * A redis-server of a test's own, for tests that stop, pause or cut Redis: never the machine's
 * Redis on 6379, which other suites share. Keeps nothing on disk.
 */

/** True where redis-server is not installed: such tests skip (`describe.skipIf`). */
export const redisServerMissing: boolean = spawnSync('redis-server', ['--version']).error !== undefined;

/** A TCP port free on 127.0.0.1 at the time of asking. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts redis-server on 127.0.0.1:`port` (wait for it with `tcpOpen`). */
export function startPrivateRedis(port: number): ChildProcess {
  return spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
}

/** Stops it and waits for its exit; resumes it first in case the test paused it (SIGSTOP). */
export async function stopPrivateRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGCONT');
  child.kill('SIGTERM');
  await exited;
}
