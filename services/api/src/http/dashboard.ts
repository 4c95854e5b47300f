import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { Type } from '@sinclair/typebox';
import { defineRoute } from './route.js';

/** An answer that is a file, not JSON: documented by media type, never serialized. */
const fileOf = (mediaType: string, description: string) =>
  Type.Unsafe<unknown>({ description, content: { [mediaType]: { schema: { type: 'string' } } } });

/** Vite puts hashed bundles under assets/; they never change under a name, so cache for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the built control-room dashboard: `index.html` at `/` (never cached, so a deploy takes
 * effect at the next load) and its bundles under `/assets/`. The dashboard routes with the URL
 * hash, so no server-side fallback is needed. Public: the app shell holds no data.
 */
export async function serveDashboard(app: FastifyInstance, dir: string): Promise<void> {
  if (!existsSync(join(dir, 'index.html'))) {
    app.log.warn({ dir }, 'dashboard not built (npm run build): / is not served');
    return;
  }
  // Our own cache headers: the plugin's default (max-age=0) would apply to the hashed bundles too.
  await app.register(fastifyStatic, { root: dir, serve: false, cacheControl: false });
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
    handler: (_request, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html'),
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
      reply.header('cache-control', IMMUTABLE).sendFile(`assets/${(request.params as { '*': string })['*']}`),
  });
}
