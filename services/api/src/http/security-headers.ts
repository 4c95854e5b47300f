import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

export interface SecurityHeaderOptions {
  /** Origins map tiles may come from besides this one (`img-src`), e.g. `https://t0.tianditu.gov.cn`. */
  readonly tileOrigins: readonly string[];
}

/**
 * Security headers on every answer (dashboard, API, docs), through @fastify/helmet:
 *
 * - CSP: only this origin's scripts, styles, API and live connection (socket.io over WebSocket and
 *   polling is same-origin: `connect-src 'self'`); images also from `data:` (Leaflet, icons),
 *   `blob:` (floor plans are fetched with the token and shown as object URLs) and the configured
 *   tile origins. No inline script, no plugins, no `<base>`, forms post only here.
 * - Framing refused twice (`frame-ancestors 'none'`, X-Frame-Options DENY for older browsers):
 *   the alarm console's ack/shelve buttons must not be clickjacked from another site.
 * - `nosniff`, so an uploaded plan is never run as script or HTML; `no-referrer`, so URLs with
 *   enterprise codes do not leave for tile servers.
 *
 * No HSTS here: TLS ends at the reverse proxy, which owns that header (operations.md §10).
 */
export async function installSecurityHeaders(
  app: FastifyInstance,
  options: SecurityHeaderOptions,
): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'none'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:', ...options.tileOrigins],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: false,
    // Cross-origin isolation is not needed and would refuse tiles served without CORP headers.
    crossOriginEmbedderPolicy: false,
  });
}
