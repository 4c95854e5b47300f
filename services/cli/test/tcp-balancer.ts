import { createHash } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A layer-4 load balancer for tests (issue #23: "test two API instances behind a local TCP
 * balancer"): it picks a backend once per TCP connection and then only copies bytes, as HAProxy in
 * `mode tcp` or nginx's `stream` module do. It never looks at HTTP, so it cannot route by cookie.
 *
 * - `round-robin`: each new connection goes to the next backend (HAProxy `balance roundrobin`).
 * - `source-hash`: the client's address picks the backend, so every connection of one client
 *   lands on the same instance while it is up (HAProxy `balance source`, nginx `ip_hash`).
 *
 * A backend that refuses the connection is skipped for the next one, as nginx's
 * `proxy_next_upstream error` and HAProxy's `option redispatch` do; a client whose backend dies
 * mid-connection loses that connection (what a real balancer does too).
 */
export type BalancerMode = 'round-robin' | 'source-hash';

export interface TcpBalancer {
  readonly port: number;
  mode: BalancerMode;
  /** Backend index of each connection taken so far, in order (for assertions). */
  readonly routed: readonly number[];
  /** The backend `round-robin` gives the next connection (before skipping a refusing one). */
  readonly nextRoundRobin: number;
  /** Connections open now through each backend. */
  open(backend: number): number;
  /** The backend `source-hash` gives a client address while every backend is up. */
  backendFor(address: string): number;
  /** Refuses new connections (the balancer itself is unreachable) until `resume()`. */
  hold(): void;
  resume(): void;
  close(): Promise<void>;
}

export interface BalancerBackend {
  readonly host: string;
  readonly port: number;
}

export async function startTcpBalancer(
  backends: readonly BalancerBackend[],
  mode: BalancerMode,
): Promise<TcpBalancer> {
  if (backends.length === 0) throw new Error('a balancer needs at least one backend');
  const sockets = new Set<Socket>();
  const openBy = backends.map(() => 0);
  const routed: number[] = [];
  let next = 0;
  let held = false;

  const hashed = (address: string): number =>
    createHash('sha1').update(address).digest().readUInt32BE(0) % backends.length;

  const first = (client: Socket): number => {
    if (balancer.mode === 'round-robin') {
      const i = next;
      next = (next + 1) % backends.length;
      return i;
    }
    return hashed(client.remoteAddress ?? '');
  };

  /** Connects to backend `i`, then the following ones in turn when refused. */
  const pipeTo = (client: Socket, i: number, tries: number): void => {
    const backend = backends[i]!;
    const upstream = connect({ host: backend.host, port: backend.port });
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      routed.push(i);
      openBy[i]! += 1;
      sockets.add(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    const teardown = (): void => {
      if (connected) {
        connected = false;
        openBy[i]! -= 1;
      }
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    upstream.once('error', () => {
      if (!connected && tries + 1 < backends.length && !client.destroyed) {
        upstream.destroy();
        pipeTo(client, (i + 1) % backends.length, tries + 1);
        return;
      }
      teardown();
    });
    upstream.once('close', () => {
      if (connected || tries + 1 >= backends.length) teardown();
    });
    client.once('close', teardown);
  };

  const server = createServer({ pauseOnConnect: true }, (client) => {
    if (held) {
      client.destroy();
      return;
    }
    sockets.add(client);
    client.on('error', () => client.destroy());
    pipeTo(client, first(client), 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));

  const balancer: TcpBalancer = {
    port: (server.address() as AddressInfo).port,
    mode,
    routed,
    get nextRoundRobin() {
      return next;
    },
    open: (backend) => openBy[backend] ?? 0,
    backendFor: hashed,
    hold: () => {
      held = true;
    },
    resume: () => {
      held = false;
    },
    close: async () => {
      held = true;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return balancer;
}
