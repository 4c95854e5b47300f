import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { WARNING_COLOURS } from '@hazardwatch/contracts';
import type { SqlClient } from '@hazardwatch/store';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * This API's metrics, for the process to serve on its internal health port: never on the
     * public port (issue 17: they name every enterprise and count logins and open alarms).
     */
    readonly metrics: ApiMetrics;
  }
}

export interface ApiMetrics {
  readonly registry: Registry;
  /** Prometheus text exposition: this API's metrics, then any extra text (e.g. ingest counters). */
  text(): Promise<string>;
}

export interface ApiMetricsOptions {
  readonly client: SqlClient;
  /** Extra exposition text appended as is (another component's metrics in the same process). */
  readonly extraText?: () => string | Promise<string>;
  /** Process metrics (CPU, memory, event loop). @default true */
  readonly processMetrics?: boolean;
}

/**
 * Request durations by route template (never the raw URL: bounded label cardinality), active
 * alarms by colour read from the database at scrape time, and process metrics; decorated on the
 * app as `app.metrics` (no route serves them).
 */
export function installMetrics(app: FastifyInstance, options: ApiMetricsOptions): ApiMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'hazardwatch_http_request_duration_seconds',
    help: 'REST request duration by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'hazardwatch_active_alarms',
    help: 'Open alarms by 预警 colour',
    labelNames: ['colour'],
    registers: [registry],
    async collect() {
      const { rows } = await options.client.query<{ colour: string | null; n: number }>(
        'SELECT colour, count(*)::int AS n FROM alarms WHERE closed_at IS NULL GROUP BY colour',
      );
      for (const c of WARNING_COLOURS) this.set({ colour: c }, rows.find((r) => r.colour === c)?.n ?? 0);
    },
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  const metrics: ApiMetrics = {
    registry,
    async text() {
      const own = await registry.metrics();
      const extra = options.extraText ? await options.extraText() : '';
      return extra === '' ? own : `${own}\n${extra}`;
    },
  };
  app.decorate('metrics', metrics);
  return metrics;
}
