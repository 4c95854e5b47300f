import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WarningColour } from '@hazardwatch/contracts';
import {
  AlarmRepository,
  LeaseRepository,
  migrate,
  sqlClientFromPg,
  storeErrors,
  type EnterpriseColourState,
  type SqlClient,
} from '@hazardwatch/store';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';

const T0 = Date.UTC(2026, 11, 6, 8, 0, 0);
const LEASE_MS = 60_000;

/** Park P1 in county C1; park P2 in county C1 too. */
const inP1 = ['P1', 'C1'];
const inP2 = ['P2', 'C1'];

const state = (
  enterprise: string,
  colour: WarningColour | null,
  regions: string[],
): EnterpriseColourState => ({
  enterprise,
  colour,
  regions,
});
const step = (enterprises: EnterpriseColourState[], ts = T0, regions: string[] = []) => ({
  alarms: [],
  events: [],
  colourChanges: [],
  regionRollup: { enterprises, regions, ts },
});

/**
 * The region roll-up in the database (migration 22, docs/operations.md §5.1 item 5): each worker
 * stores its own enterprises' colours, and a region's colour is the highest over every enterprise
 * stored in it, whichever worker wrote it.
 */
describe('region colours rolled up in PostgreSQL (hw_region_colours)', () => {
  let db: TestDatabase;
  let client: SqlClient;
  let other: SqlClient;
  let alarms: AlarmRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = sqlClientFromPg(db.pool());
    // A second pool: another worker's connection.
    other = sqlClientFromPg(db.pool());
    await migrate(client, { logger: silentLogger, dialect: 'postgres' });
    alarms = new AlarmRepository(client);
  });
  afterAll(() => db.drop());
  beforeEach(async () => {
    await client.exec(
      'DELETE FROM colour_events; DELETE FROM enterprise_colours; DELETE FROM region_colours; DELETE FROM partition_leases',
    );
  });

  async function regions(): Promise<Record<string, string | null>> {
    const { rows } = await client.query<{ code: string; colour: string | null }>(
      'SELECT code, colour FROM region_colours ORDER BY code',
    );
    return Object.fromEntries(rows.map((r) => [r.code, r.colour]));
  }

  it('rolls up over enterprises stored by different writers, and returns each change it stored once', async () => {
    const first = await alarms.write(step([state('X', 'red', inP1)]));
    expect(first.map((c) => [c.code, c.from, c.to])).toEqual([
      ['C1', null, 'red'],
      ['P1', null, 'red'],
    ]);
    expect(first.every((c) => c.level === 'region' && c.ts === T0 && typeof c.seq === 'number')).toBe(true);
    // Another writer's enterprise, lower: nothing changes, nothing to push.
    expect(await new AlarmRepository(other).write(step([state('Y', 'yellow', inP1)], T0 + 1))).toEqual([]);
    // X returns: the park follows Y, not "normal" (the writer of X knows nothing of Y).
    const back = await alarms.write(step([state('X', null, inP1)], T0 + 2));
    expect(back.map((c) => [c.code, c.from, c.to])).toEqual([
      ['C1', 'red', 'yellow'],
      ['P1', 'red', 'yellow'],
    ]);
    // The stored history says the same, each change once, numbered in order.
    const { rows } = await client.query<{ id: string; code: string; to_colour: string | null }>(
      "SELECT id, code, to_colour FROM colour_events WHERE level = 'region' ORDER BY id",
    );
    expect(rows.map((r) => [Number(r.id), r.code, r.to_colour])).toEqual(
      [...first, ...back].map((c) => [c.seq, c.code, c.to]),
    );
    expect(await regions()).toEqual({ C1: 'yellow', P1: 'yellow' });
  });

  it('lets the second of two concurrent writers compute from both (it waits for the region lock)', async () => {
    // Writer A's step is under way: stored, not committed, holding the lock of P1 and C1.
    let commitA!: () => void;
    const held = new Promise<void>((resolve) => (commitA = resolve));
    let aStored!: () => void;
    const aHasWritten = new Promise<void>((resolve) => (aStored = resolve));
    const a = client.transaction(async (tx) => {
      const changes = await alarms.write(step([state('X', 'red', inP1)]), tx);
      aStored();
      await held;
      return changes;
    });
    await aHasWritten;
    // Writer B changes another enterprise of P1 meanwhile: it waits for A ...
    let bDone = false;
    const b = new AlarmRepository(other).write(step([state('Y', 'yellow', inP1)], T0 + 1)).then((c) => {
      bDone = true;
      return c;
    });
    const deadline = Date.now() + 5_000;
    let waiting = 0;
    while (waiting === 0 && Date.now() < deadline) {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
      );
      waiting = rows[0]?.n ?? 0;
    }
    expect(waiting).toBe(1);
    expect(bDone).toBe(false);
    commitA();
    // ... and then sees A's red: P1 stays red, B stores and pushes nothing for it.
    expect((await a).map((c) => [c.code, c.to])).toEqual([
      ['C1', 'red'],
      ['P1', 'red'],
    ]);
    expect(await b).toEqual([]);
    expect(await regions()).toEqual({ C1: 'red', P1: 'red' });
  });

  it('an enterprise moved to another region leaves the old one; a site edit can name regions to recompute', async () => {
    await alarms.write(step([state('X', 'red', inP1), state('Y', 'blue', inP2)]));
    expect(await regions()).toEqual({ C1: 'red', P1: 'red', P2: 'blue' });
    const moved = await alarms.write(step([state('X', 'red', inP2)], T0 + 1));
    expect(moved.map((c) => [c.code, c.from, c.to])).toEqual([
      ['P1', 'red', null],
      ['P2', 'blue', 'red'],
    ]);
    // A region nothing is stored in any more, named by a site edit: normal, and stays so.
    expect(await alarms.write(step([], T0 + 2, ['P1', 'P9']))).toEqual([]);
    expect(await regions()).toEqual({ C1: 'red', P1: null, P2: 'red' });
  });

  it('a fenced writer whose lease was taken over stores nothing of its roll-up', async () => {
    const leases = new LeaseRepository(client);
    await leases.ensurePartitions(1);
    const [old] = await leases.acquire('w-a', [0], 0);
    const [taken] = await leases.acquire('w-b', [0], LEASE_MS);
    const stale = alarms.write(step([state('X', 'red', inP1)]), undefined, {
      partitions: [0],
      epochs: [old!.epoch],
    });
    await expect(stale).rejects.toSatisfy((err: unknown) => storeErrors.is(err, 'HW_STORE_LEASE_STALE'));
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM enterprise_colours');
    expect(rows[0]?.n).toBe(0);
    expect(await regions()).toEqual({});
    // The owner's write is stored.
    await alarms.write(step([state('X', 'red', inP1)]), undefined, {
      partitions: [0],
      epochs: [taken!.epoch],
    });
    expect(await regions()).toEqual({ C1: 'red', P1: 'red' });
  });
});
