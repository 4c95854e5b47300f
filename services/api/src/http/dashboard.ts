import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import { Type } from '@sinclair/typebox';
import { defineRoute } from './route.js';

/** An answer that is a file, not JSON: documented by media type, never serialized. */
const fileOf = (mediaType: string, description: string) =>
  Type.Unsafe<unknown>({ description, content: { [mediaType]: { schema: { type: 'string' } } } });

/** Vite puts hashed bundles under assets/; they never change under a name, so cache for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The same URL answers br, gzip or the file itself: a shared cache must key on the request's
 * Accept-Encoding (the static plugin does not say so). Added to what is there already — the CORS
 * plugin's `Origin` — through the reply, since a header set on the raw response would be replaced
 * by the reply's own `vary`.
 */
function varyOnEncoding(reply: FastifyReply): FastifyReply {
  const current = reply.getHeader('vary');
  const names = (Array.isArray(current) ? current.join(',') : String(current ?? ''))
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (!names.some((v) => v.toLowerCase() === 'accept-encoding')) names.push('Accept-Encoding');
  return reply.header('vary', names.join(', '));
}

/**
 * Serves the built control-room dashboard: `index.html` at `/` (never cached, so a deploy takes
 * effect at the next load) and its bundles under `/assets/`. The dashboard routes with the URL
 * hash, so no server-side fallback is needed. Public: the app shell holds no data.
 *
 * The build writes `x.br` and `x.gz` beside each compressible file (issue #21,
 * dashboards/control-room/scripts/precompress.mjs); the plugin answers the best one the request's
 * Accept-Encoding allows (br, then gzip, then the file itself when a sibling is missing), with
 * Content-Encoding and the original's Content-Type. Nothing is compressed per request.
 */
export async function serveDashboard(app: FastifyInstance, dir: string): Promise<void> {
  if (!existsSync(join(dir, 'index.html'))) {
    app.log.warn({ dir }, 'dashboard not built (npm run build): / is not served');
    return;
  }
  const assets = join(dir, 'assets') + sep;
  await app.register(fastifyStatic, {
    root: dir,
    serve: false,
    preCompressed: true,
    // Our own cache headers: the plugin's default (max-age=0) would apply to the hashed bundles
    // too. Set only on a file actually sent, so a 404 for a bundle gone after a deploy is never
    // kept for a year.
    cacheControl: false,
    setHeaders: (res, path) => {
      res.setHeader('cache-control', path.startsWith(assets) ? IMMUTABLE : 'no-cache');
    },
  });
  defineRoute(app, {
    method: 'GET',
    url: '/',
    scope: { kind: 'public' },
    summary: 'The control-room dashboard',
    tags: ['dashboard'],
    schema: {
      querystring: Type.Object({}, { additionalProperties: true }),
      response: { 200: fileOf('text/html', 'the app shell') },
    },
    handler: (_request, reply) => varyOnEncoding(reply).sendFile('index.html'),
  });
  defineRoute(app, {
    method: 'GET',
    url: '/assets/*',
    scope: { kind: 'public' },
    summary: 'Dashboard bundles',
    tags: ['dashboard'],
    schema: {
      querystring: Type.Object({}, { additionalProperties: true }),
      response: { 200: fileOf('application/octet-stream', 'a bundle (script, style, font, image)') },
    },
    handler: (request, reply) =>
      varyOnEncoding(reply).sendFile(`assets/${(request.params as { '*': string })['*']}`),
  });
}
