import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApiApp, type ApiDeps } from './app.js';
import { compileApiConfig } from './config.js';

export interface ApiServer {
  readonly app: FastifyInstance;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish, closes the app. Idempotent. */
  close(): Promise<void>;
}

export interface StartApiServerOptions {
  /**
   * Close gracefully on SIGINT/SIGTERM (a standalone API process). Leave false when the caller
   * owns the process signals (`hazardwatch demo`/`serve` run several services). @default false
   */
  readonly handleSignals?: boolean;
  /**
   * How long close() lets requests in progress finish before it drops their connections, ms.
   * @default CLOSE_GRACE_MS
   */
  readonly closeGraceMs?: number;
}

/**
 * How long close() waits for requests in progress, ms. An HTTP server's close waits for every
 * connection with a request under way, and a client that sent half a request and went silent (or
 * a request that never ends) held a service's shutdown until it was killed (CI: compose-stack
 * int, `serve` stuck in this step for the CLI's whole 15 s limit).
 */
export const CLOSE_GRACE_MS = 3000;

/**
 * The API process entry (STYLE rule 7): validates the configuration once, builds the app,
 * listens, and closes gracefully.
 */
export async function startApiServer(
  config: unknown,
  deps: ApiDeps,
  options: StartApiServerOptions = {},
): Promise<ApiServer> {
  const settings = compileApiConfig(config);
  const app = await buildApiApp(settings, deps);
  await app.listen({ host: settings.host, port: settings.port });
  const port = (app.server.address() as AddressInfo).port;
  const graceMs = options.closeGraceMs ?? CLOSE_GRACE_MS;
  let closing: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    app.log.info({ signal }, 'closing on signal');
    void close().catch((err: unknown) => app.log.error({ err }, 'close failed'));
  };
  const close = (): Promise<void> => {
    closing ??= (async () => {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      const force = setTimeout(() => {
        app.log.warn({ graceMs }, 'requests still in progress after the close grace: connections dropped');
        app.server.closeAllConnections();
      }, graceMs);
      try {
        await app.close();
      } finally {
        clearTimeout(force);
      }
    })();
    return closing;
  };
  if (options.handleSignals === true) process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  app.log.info({ host: settings.host, port }, 'api listening');
  return { app, port, close };
}
