import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '@hazardwatch/kit';
import { PARTITION_COUNT, PartitionKeeper, partitionOf } from '@hazardwatch/ingest';
import { LeaseRepository, migrate, sqlClientFromPg, type SqlClient } from '@hazardwatch/store';
import {
  createTestDatabase,
  openTestPool,
  providedServices,
  waitFor,
  type TestDatabase,
} from '@hazardwatch/testkit';

// Issue #23, fencing: a worker process paused (SIGSTOP) while holding its partitions, taken over by
// another worker, then resumed (SIGCONT): every alarm write it makes under its old epoch is refused
// by the database, nothing of it is stored after the takeover, and it stops acting by itself.
// The paused worker runs the built packages in its own process (scripts/paused-writer.mjs).

const logger = pino({ level: 'silent' });
const SCRIPT = fileURLToPath(new URL('./scripts/paused-writer.mjs', import.meta.url));
const ENTERPRISE = '91320623MA1W000001';

interface Line {
  readonly at: number;
  readonly acquired?: number;
  readonly lost?: number;
  readonly reason?: string;
  readonly write?: 'stored' | 'refused' | 'failed';
  readonly epoch?: number;
  /** When the write was prepared (its event's time). */
  readonly ts?: number;
}

describe('a paused worker resumed after the takeover', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let client: SqlClient;
  let child: ChildProcess | undefined;
  let keeper: PartitionKeeper | undefined;

  beforeAll(async () => {
    db = await createTestDatabase(providedServices().postgresAdminUrl);
    pool = openTestPool(db.url, { max: 4 });
    client = sqlClientFromPg(pool);
    await migrate(client, { logger, dialect: 'postgres' });
    await new LeaseRepository(client).ensurePartitions(PARTITION_COUNT);
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await keeper?.close();
    await pool.end();
    await db.drop();
  });

  it('is fenced out by the database and stops by itself', async () => {
    const lines: Line[] = [];
    const proc = spawn(process.execPath, [SCRIPT, db.url, 'w-paused', ENTERPRISE], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child = proc;
    let buffered = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buffered.slice(0, nl)) as Line);
        buffered = buffered.slice(nl + 1);
      }
    });
    const partition = partitionOf(ENTERPRISE);
    await waitFor(
      () => Promise.resolve(lines.filter((l) => l.write === 'stored').length),
      (n) => n >= 5,
      'the worker to hold its partitions and write',
      20_000,
    );
    const epoch = lines.find((l) => l.acquired === partition)!.epoch!;

    proc.kill('SIGSTOP');
    const pausedAt = Date.now();
    // Another worker, started now, takes every partition once the paused one's leases expire.
    const taken: Array<{ partition: number; epoch: number; at: number }> = [];
    keeper = new PartitionKeeper({
      workerId: 'w-live',
      count: PARTITION_COUNT,
      leaseMs: 1500,
      heartbeatMs: 300,
      marginMs: 300,
      store: new LeaseRepository(client),
      clock: systemClock,
      logger,
      onAcquired: (g) => {
        taken.push({ ...g, at: Date.now() });
        return Promise.resolve();
      },
      onLost: () => undefined,
    });
    await keeper.start();
    await waitFor(
      () => Promise.resolve(taken.length),
      (n) => n === PARTITION_COUNT,
      'the live worker to take every partition over',
      15_000,
    );
    const takeover = taken.find((t) => t.partition === partition)!;
    expect(takeover.epoch).toBe(epoch + 1);
    expect(takeover.at - pausedAt).toBeLessThan(5000);

    const before = lines.length;
    proc.kill('SIGCONT');
    await waitFor(
      () => Promise.resolve(lines.slice(before)),
      (after) => after.some((l) => l.lost === partition) && after.some((l) => l.write === 'refused'),
      'the resumed worker to be refused and to stop',
      10_000,
    );
    const after = lines.slice(before);
    // Whatever it prepared after resuming, under its old epoch, was refused (a write already in
    // flight at the pause may have been stored before the takeover: that is allowed); it stopped at
    // its deadline by itself.
    expect(lines.filter((l) => l.write === 'stored' && l.ts! > pausedAt)).toEqual([]);
    expect(after.find((l) => l.lost === partition)?.reason).toBe('expired');
    // Nothing it wrote is stored with a time after the takeover.
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM alarm_events WHERE actor = 'w-paused' AND ts >= to_timestamp($1 / 1000.0)`,
      [takeover.at],
    );
    expect(rows[0]?.n).toBe(0);
    // Its stored writes were all made under the epoch it held before the pause.
    expect(lines.filter((l) => l.write === 'stored').every((l) => l.epoch === epoch)).toBe(true);
  }, 60_000);
});
