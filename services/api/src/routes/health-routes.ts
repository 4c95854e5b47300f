import type { FastifyInstance } from 'fastify';
import { LivenessSchema, ReadinessSchema } from '@hazardwatch/contracts';
import { defineRoute } from '../http/route.js';
import { NoQuery } from '../http/schemas.js';
import type { RouteContext } from './context.js';

const PROBE_TIMEOUT_MS = 2000;

async function probe(check: () => boolean | Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>(
    (resolve) => (timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS)),
  );
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Liveness and readiness (database and injected probes, e.g. the broker). No /metrics here: the
 * process serves `app.metrics` on its internal health port (issue 17 item 4).
 */
export function healthRoutes(app: FastifyInstance, ctx: RouteContext): void {
  defineRoute(app, {
    method: 'GET',
    url: '/healthz',
    scope: { kind: 'public' },
    summary: 'Liveness: the process answers',
    tags: ['health'],
    schema: { querystring: NoQuery, response: { 200: LivenessSchema } },
    handler: () => ({ status: 'ok' as const }),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/readyz',
    scope: { kind: 'public' },
    summary:
      'Readiness: database and every injected dependency probe reachable; beside an ingest, degraded TimescaleDB jobs',
    tags: ['health'],
    schema: {
      querystring: NoQuery,
      response: { 200: ReadinessSchema, 503: ReadinessSchema },
    },
    handler: async (_request, reply) => {
      const checks: Record<string, boolean> = {
        database: await probe(async () => (await ctx.client.query('SELECT 1')).rows.length === 1),
      };
      for (const [name, check] of Object.entries(ctx.readiness)) checks[name] = await probe(check);
      const ready = Object.values(checks).every(Boolean);
      // Degraded is not unready: a stuck TimescaleDB job stops compression, retention or rollups,
      // not readings and alarms (docs/operations.md §6.2). A job only `effective` (it reports the
      // known clash, its effect is met) is listed but does not degrade.
      const jobs = ctx.degradedJobs?.();
      const live = ctx.liveStatus?.();
      const jobsDegraded = jobs !== undefined && jobs.some((j) => j.verdict !== 'effective');
      const liveDegraded = live !== undefined && !live.live;
      const status =
        jobs === undefined && live === undefined
          ? {}
          : { status: jobsDegraded || liveDegraded ? ('degraded' as const) : ('ok' as const) };
      const liveFields =
        live === undefined
          ? {}
          : live.live
            ? { live: 'ok' as const }
            : { live: 'degraded' as const, liveReason: live.reason, liveDegradedSince: live.since };
      return reply
        .status(ready ? 200 : 503)
        .send({ ready, checks, ...status, ...(jobs === undefined ? {} : { jobs }), ...liveFields });
    },
  });
}
