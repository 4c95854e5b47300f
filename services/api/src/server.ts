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
}

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
  let closing: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    app.log.info({ signal }, 'closing on signal');
    void close().catch((err: unknown) => app.log.error({ err }, 'close failed'));
  };
  const close = (): Promise<void> => {
    closing ??= (async () => {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      await app.close();
    })();
    return closing;
  };
  if (options.handleSignals === true) process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  app.log.info({ host: settings.host, port }, 'api listening');
  return { app, port, close };
}
