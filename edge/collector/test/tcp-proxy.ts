import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the OPC-UA server that can fail the way plant networks do: `blackhole`
 * stops forwarding without closing anything (a half-open link: no FIN, no RST, just silence),
 * which only a watchdog can detect.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private holes = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const proxy = new TcpProxy(server, typeof address === 'object' && address !== null ? address.port : 0);
    server.on('connection', (client: Socket) => proxy.accept(client, targetPort));
    return proxy;
  }

  /** While on, bytes in both directions are swallowed; connections stay open. */
  blackhole(on: boolean): void {
    this.holes = on;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, targetPort: number): void {
    const upstream = createConnection(targetPort, '127.0.0.1');
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(from);
      from.on('data', (chunk) => {
        if (!this.holes) to.write(chunk);
      });
      from.on('error', () => to.destroy());
      from.on('close', () => {
        this.sockets.delete(from);
        to.destroy();
      });
    }
  }
}
