import type { StoreDialect } from '../dialect.js';
import type { SqlClient } from '../sql-client.js';

/**
 * One versioned schema step. Versions are shared by both dialects (version 2 is "readings" in
 * either) so a database's version number means the same thing whatever it runs on.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Runs inside the migration's transaction; must not commit or use non-transactional DDL. */
  up(tx: SqlClient): Promise<void>;
}

export interface DialectMigrations {
  readonly dialect: StoreDialect;
  readonly migrations: readonly Migration[];
}
