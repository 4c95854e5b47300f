import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A TCP forwarder between a service and a real server, used to cut the network between them
 * mid-stream (database or broker outage) and restore it. The server itself stays real.
 */
export interface TcpProxy {
  readonly port: number;
  /** Drops every open connection and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/**
 * Rewrites what the server sends back on one connection: called once per connection, its result
 * gets each chunk and returns what to pass on (state may span chunks, e.g. protocol framing).
 */
export type DownstreamFilter = () => (chunk: Buffer) => Buffer;

export async function startTcpProxy(
  targetHost: string,
  targetPort: number,
  filterDownstream?: DownstreamFilter,
): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let open = true;
  const server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: targetHost, port: targetPort });
    sockets.add(client).add(upstream);
    const teardown = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', teardown).on('close', teardown);
    upstream.on('error', teardown).on('close', teardown);
    client.pipe(upstream);
    if (filterDownstream) {
      const filter = filterDownstream();
      upstream.on('data', (chunk: Buffer) => {
        const out = filter(chunk);
        if (out.length > 0) client.write(out);
      });
    } else {
      upstream.pipe(client);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    cut: () => {
      open = false;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    restore: () => {
      open = true;
    },
    close: async () => {
      open = false;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
