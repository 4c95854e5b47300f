import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

export interface HealthSource {
  /** Ready: dependencies reachable and work flowing. */
  ready(): { ready: boolean; detail: Record<string, unknown> };
  /** Prometheus text exposition. */
  metrics(): string;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Minimal HTTP endpoints for a long-running process: GET /healthz (alive), GET /readyz
 * (dependencies reachable; 503 otherwise), GET /metrics (Prometheus text format).
 */
export async function startHealthServer(
  port: number,
  source: HealthSource,
  logger: Logger,
): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (req.url === '/readyz') {
      const { ready, detail } = source.ready();
      res
        .writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ready, ...detail }));
    } else if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(source.metrics());
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  logger.child({ component: 'health' }).info({ port: actual }, 'health endpoints listening');
  return {
    port: actual,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
