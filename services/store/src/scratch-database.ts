import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** An empty, uniquely named database for one run (a test, a benchmark, a scenario check). */
export interface ScratchDatabase {
  readonly name: string;
  /** `adminUrl` with this database in its path. */
  readonly url: string;
  /** DROP DATABASE … WITH (FORCE): connections still open are ended. */
  drop(): Promise<void>;
}

/**
 * Creates `<prefix>_<12 hex digits>` on the server of `adminUrl` (a role that may create
 * databases); nothing is migrated.
 */
export async function createScratchDatabase(adminUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await adminStatement(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => adminStatement(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** One statement on a connection of its own, closed at once: nothing else uses the admin URL. */
async function adminStatement(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  // A connection lost mid-statement rejects the awaited call below; the 'error' event it also
  // emits must not become an uncaught exception.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
