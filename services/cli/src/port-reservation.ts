import { createServer, type Server } from 'node:net';
import type { Logger } from 'pino';
import { PortInUseError } from './errors.js';

/** A port a command will listen on. */
export interface PortClaim {
  /** What listens there, for the message: `REST API`, `health`. */
  readonly what: string;
  /** The setting that chose it, for the message: `HW_API_PORT`. */
  readonly setting: string;
  readonly host: string;
  /** 0 (a free port picked at listen time) needs no reservation. */
  readonly port: number;
}

export interface PortReservation {
  /**
   * Lets the port go, right before the real server listens on it (named by `what`; all when
   * omitted). Idempotent.
   */
  release(what?: string): Promise<void>;
}

/**
 * Listens on every claimed port before a command stores or starts anything, and keeps listening
 * until the real server is about to take the port over: a process that cannot run (its port is
 * another's) stops here, with nothing written — before, a second `serve` stored its site file,
 * which the running one then put in force (issue 17 item 11). A connection reaching a held port is
 * closed at once. Between `release` and the real listen another process could still take the
 * port: that window is the real server's start, not the whole start-up.
 *
 * @throws PortInUseError (HW_CLI_PORT_IN_USE) naming the first claim that is taken; other
 *   listen errors (EADDRNOTAVAIL, EACCES) as Node raises them. Nothing is held on failure.
 */
export async function reservePorts(claims: readonly PortClaim[], logger: Logger): Promise<PortReservation> {
  const held = new Map<string, Server>();
  const release = async (what?: string): Promise<void> => {
    for (const [name, server] of [...held]) {
      if (what !== undefined && name !== what) continue;
      held.delete(name);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  };
  try {
    for (const claim of claims) {
      if (claim.port === 0) continue;
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) =>
          reject(err.code === 'EADDRINUSE' ? new PortInUseError(claim, { cause: err }) : err),
        );
        server.listen({ port: claim.port, host: claim.host, exclusive: true }, () => resolve());
      });
      // Connections reaching a held port are not served: closed at once.
      server.on('connection', (socket) => socket.destroy());
      held.set(claim.what, server);
    }
  } catch (error) {
    await release();
    throw error;
  }
  logger
    .child({ component: 'ports' })
    .debug({ ports: claims.filter((c) => c.port !== 0).map((c) => `${c.host}:${c.port}`) }, 'ports reserved');
  return { release };
}

/**
 * The first of `count` ports from `from` that can be listened on at `host` right now, or
 * undefined. Checked by listening (not by connecting: a port bound on another interface only
 * answers no connection on loopback, yet cannot be bound on every interface).
 */
export async function firstFreePort(host: string, from: number, count: number): Promise<number | undefined> {
  for (let port = from; port < from + count && port <= 65_535; port++) {
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen({ port, host, exclusive: true }, () => resolve(true));
    });
    if (free) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    }
  }
  return undefined;
}
