import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ACTION_DONE_CHANNEL,
  ACTION_REQUEST_CHANNEL,
  ActionRequestRepository,
  migrate,
  NOT_APPLIED,
  PgListener,
  sqlClientFromPg,
  type ClaimedActionRequest,
  type NewActionRequest,
  type SqlClient,
} from '@hazardwatch/store';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';

const request = (over: Partial<NewActionRequest> = {}): NewActionRequest => ({
  enterprise: 'E1',
  kind: 'alarm.act',
  targetId: 'a1',
  actor: 'alice',
  request: { action: 'ack' },
  ttlMs: 60_000,
  ...over,
});

/** Resolves with the next notification on `channel` that satisfies `match`. */
function nextNotification(
  url: string,
  channel: string,
  match: (payload: string) => boolean,
): { listener: PgListener; ready: Promise<void>; heard: Promise<string>; listenings: () => number } {
  let listenings = 0;
  let ready!: () => void;
  let heard!: (payload: string) => void;
  const readyP = new Promise<void>((r) => (ready = r));
  const heardP = new Promise<string>((r) => (heard = r));
  const listener = new PgListener({
    connectionString: url,
    channels: [channel],
    onNotification: (_c, payload) => {
      if (match(payload)) heard(payload);
    },
    onListening: () => {
      listenings += 1;
      ready();
    },
    logger: silentLogger,
    retryInitialMs: 50,
  });
  return { listener, ready: readyP, heard: heardP, listenings: () => listenings };
}

describe('ActionRequestRepository and PgListener (PostgreSQL)', () => {
  let db: TestDatabase;
  let client: SqlClient;
  let repo: ActionRequestRepository;
  const listeners: PgListener[] = [];

  beforeEach(async () => {
    db = await createTestDatabase();
    client = sqlClientFromPg(db.pool());
    await migrate(client, { logger: silentLogger, dialect: 'postgres' });
    repo = new ActionRequestRepository(client);
  });
  afterEach(async () => {
    for (const l of listeners.splice(0)) await l.close();
    await db.drop();
  });

  it('lets only a worker owning the enterprise claim a request, once, oldest first, and stores its outcome', async () => {
    const first = await repo.submit(request({ targetId: 'a1' }));
    const second = await repo.submit(
      request({ targetId: 'a2', request: { action: 'comment', reason: 'x' } }),
    );
    const other = await repo.submit(request({ enterprise: 'E2' }));

    const seen: ClaimedActionRequest[] = [];
    expect(await repo.claimAndApply('w-e3', ['E3'], 10, (r) => seen.push(r))).toBe(0);
    expect(await repo.claimAndApply('w-none', [], 10, (r) => seen.push(r))).toBe(0);
    expect(seen).toEqual([]);

    const applied = await repo.claimAndApply('w-e1', ['E1'], 10, (r) => {
      seen.push(r);
      return { ok: true, before: null, after: { id: r.targetId } };
    });
    expect(applied).toBe(2);
    expect(seen.map((r) => [r.id, r.targetId, r.request])).toEqual([
      [first, 'a1', { action: 'ack' }],
      [second, 'a2', { action: 'comment', reason: 'x' }],
    ]);
    expect(await repo.claimAndApply('w-e1', ['E1'], 10, () => ({}))).toBe(0);
    const outcomes = await repo.outcomes([first, second, other]);
    expect(outcomes.get(first)).toEqual({ ok: true, before: null, after: { id: 'a1' } });
    expect(outcomes.has(other)).toBe(false);
    // An expired request cannot be undone: expire() of a finished one says false and changes nothing.
    expect(await repo.expire(first)).toBe(false);
    expect((await repo.outcomes([first])).get(first)).toMatchObject({ ok: true });
    // A worker owning every enterprise (null) takes the rest.
    expect(await repo.claimAndApply('w-all', null, 10, () => ({ ok: true }))).toBe(1);
  });

  it('leaves a request open for another worker when apply answers NOT_APPLIED (its partition was lost)', async () => {
    const lost = await repo.submit(request({ targetId: 'a1' }));
    const kept = await repo.submit(request({ targetId: 'a2' }));
    const applied = await repo.claimAndApply('w-old', ['E1'], 10, (r) =>
      r.id === lost ? NOT_APPLIED : { ok: true },
    );
    expect(applied).toBe(1);
    const { rows } = await client.query<{ id: string; claimed_by: string | null; done: boolean }>(
      'SELECT id::text AS id, claimed_by, done_at IS NOT NULL AS done FROM alarm_action_requests ORDER BY id',
    );
    expect(rows).toEqual([
      { id: lost, claimed_by: null, done: false },
      { id: kept, claimed_by: 'w-old', done: true },
    ]);
    // The worker holding the partition now applies it, once.
    const seen: string[] = [];
    expect(await repo.claimAndApply('w-new', ['E1'], 10, (r) => seen.push(r.id))).toBe(1);
    expect(seen).toEqual([lost]);
    expect((await repo.outcomes([lost])).has(lost)).toBe(true);
  });

  it('never applies an expired request, and expires overdue ones of its enterprises', async () => {
    const expired = await repo.submit(request());
    expect(await repo.expire(expired)).toBe(true);
    expect(await repo.expire(expired)).toBe(false);
    const overdue = await repo.submit(request({ ttlMs: 0 }));
    const elsewhere = await repo.submit(request({ enterprise: 'E2', ttlMs: 0 }));
    expect(await repo.claimAndApply('w', null, 10, () => ({ ok: true }))).toBe(0);
    expect(await repo.expireOverdue(['E1'])).toBe(1);
    const outcomes = await repo.outcomes([expired, overdue, elsewhere]);
    expect([outcomes.get(expired), outcomes.get(overdue), outcomes.has(elsewhere)]).toEqual([
      { expired: true },
      { expired: true },
      false,
    ]);
  });

  it('serialises a claim and an expiry of the same request: exactly one of them wins', async () => {
    const id = await repo.submit(request());
    let releaseApply!: () => void;
    const applying = new Promise<void>((r) => (releaseApply = r));
    let entered!: () => void;
    const inApply = new Promise<void>((r) => (entered = r));
    // The claim holds the row while "applying"; the expiry must wait for it and then find it done.
    const claim = client.transaction(async (tx) => {
      const held = new ActionRequestRepository(tx);
      let outcome: unknown;
      const n = await held.claimAndApply('w', ['E1'], 10, () => {
        entered();
        outcome = { ok: true };
        return outcome;
      });
      await applying;
      return n;
    });
    await inApply;
    const expiry = repo.expire(id);
    releaseApply();
    expect(await claim).toBe(1);
    expect(await expiry).toBe(false);
    expect((await repo.outcomes([id])).get(id)).toEqual({ ok: true });
  });

  it('notifies workers of a new request and callers of a finished one', async () => {
    const news = nextNotification(db.url, ACTION_REQUEST_CHANNEL, (p) => p === 'E7');
    const done = nextNotification(db.url, ACTION_DONE_CHANNEL, () => true);
    listeners.push(news.listener, done.listener);
    await news.listener.start();
    await done.listener.start();
    await Promise.all([news.ready, done.ready]);
    const id = await repo.submit(request({ enterprise: 'E7' }));
    expect(await news.heard).toBe('E7');
    await repo.claimAndApply('w', ['E7'], 10, () => ({ ok: true }));
    expect(await done.heard).toBe(id);
  });

  it('listens again after its connection is killed, and says so (missed notifications are looked for)', async () => {
    const watch = nextNotification(db.url, ACTION_REQUEST_CHANNEL, (p) => p === 'after');
    listeners.push(watch.listener);
    await watch.listener.start();
    await watch.ready;
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'`,
      );
      while (watch.listenings() < 2) await new Promise((r) => setTimeout(r, 50));
      expect(watch.listener.listening).toBe(true);
      await admin.query(`SELECT pg_notify($1, 'after')`, [ACTION_REQUEST_CHANNEL]);
      expect(await watch.heard).toBe('after');
    } finally {
      await admin.end();
    }
  });
});
