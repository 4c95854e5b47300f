import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

export interface Readiness {
  readonly ready: boolean;
  readonly detail: Record<string, unknown>;
}

export interface HealthSource {
  /** Ready: dependencies reachable and work flowing. */
  ready(): Readiness | Promise<Readiness>;
  /** Prometheus text exposition. */
  metrics(): string | Promise<string>;
}

export interface HealthServer {
  /** The address bound (127.0.0.1 unless configured otherwise). */
  readonly host: string;
  readonly port: number;
  /**
   * Adds another component's exposition text to /metrics (the API beside the ingest in `serve`
   * and the demo); the returned function takes it out again (that component closed).
   */
  addMetrics(text: () => string | Promise<string>): () => void;
  /**
   * Adds another component's fields to /readyz's body (the live push of an ingest worker or of
   * the API beside it); they never make it unready. Returns the function that takes them out.
   */
  addReadiness(detail: () => Record<string, unknown>): () => void;
  close(): Promise<void>;
}

/**
 * Minimal HTTP endpoints for a long-running process, on an internal address: GET /healthz
 * (alive), GET /readyz (dependencies reachable; 503 otherwise), GET /metrics (Prometheus text
 * format). Metrics name every enterprise and count logins and alarms, so they never go on the
 * public API port (issue 17 item 4); bind this to a routable address only where just the
 * scraper can reach it.
 */
export async function startHealthServer(
  listen: { readonly host: string; readonly port: number },
  source: HealthSource,
  logger: Logger,
): Promise<HealthServer> {
  const log = logger.child({ component: 'health' });
  const extra = new Set<() => string | Promise<string>>();
  const extraReadiness = new Set<() => Record<string, unknown>>();
  const metricsText = async (): Promise<string> => {
    const parts = [await source.metrics()];
    for (const text of extra) parts.push(await text());
    return parts.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('');
  };
  const answer = async (url: string | undefined): Promise<[number, string | undefined, string]> => {
    if (url === '/healthz') return [200, 'application/json', '{"status":"ok"}'];
    if (url === '/readyz') {
      const { ready, detail } = await source.ready();
      const more = [...extraReadiness].map((d) => d());
      return [
        ready ? 200 : 503,
        'application/json',
        JSON.stringify(Object.assign({ ready, ...detail }, ...more)),
      ];
    }
    if (url === '/metrics') return [200, 'text/plain; version=0.0.4', await metricsText()];
    return [404, undefined, ''];
  };
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    answer(req.url).then(
      ([status, type, body]) => res.writeHead(status, type ? { 'content-type': type } : {}).end(body),
      (err: unknown) => {
        log.error({ err, url: req.url }, 'health endpoint failed');
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  log.info({ host: listen.host, port: actual }, 'health endpoints listening');
  return {
    host: listen.host,
    port: actual,
    addMetrics: (text) => {
      extra.add(text);
      return () => void extra.delete(text);
    },
    addReadiness: (detail) => {
      extraReadiness.add(detail);
      return () => void extraReadiness.delete(detail);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
