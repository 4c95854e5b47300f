import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  OutboxWorker,
  SIGNATURE_HEADER,
  type NotificationChannel,
  TIMESTAMP_HEADER,
  WebhookChannel,
  webhookSignature,
} from '@hazardwatch/ingest';
import { ManualClock } from '@hazardwatch/kit';
import { migrate, NotificationOutbox, sqlClientFromPg } from '@hazardwatch/store';
import { createTestDatabase, openTestPool, providedServices, type TestDatabase } from '@hazardwatch/testkit';

const logger = pino({ level: 'silent' });
const SECRET = 'webhook-secret';
const noTimers = new ManualClock();

interface Received {
  body: string;
  headers: IncomingMessage['headers'];
}

describe('notification outbox delivered through a signed webhook', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let server: Server;
  let url: string;
  let received: Received[];
  let statuses: number[];
  let outbox: NotificationOutbox;
  let now: number;

  beforeEach(async () => {
    db = await createTestDatabase(providedServices().postgresAdminUrl);
    pool = openTestPool(db.url, { max: 2 });
    await migrate(sqlClientFromPg(pool), { logger, dialect: 'postgres' });
    outbox = new NotificationOutbox(sqlClientFromPg(pool));
    received = [];
    statuses = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ body, headers: req.headers });
        res.writeHead(statuses.shift() ?? 200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    now = Date.UTC(2026, 10, 23, 8, 0, 0);
  });

  afterEach(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await pool.end();
    await db.drop();
  });

  const worker = (maxAttempts = 5): OutboxWorker =>
    new OutboxWorker(
      outbox,
      [new WebhookChannel({ name: 'regulator-hook', url, secret: SECRET, now: () => now })],
      // A fixed jitter draw: the first retry waits 500 ms, never 0 (full jitter may draw 0).
      { logger, now: () => now, timers: noTimers, random: () => 0.5 },
      { maxAttempts, retryInitialDelayMs: 1000, retryMaxDelayMs: 60_000 },
    );

  it('delivers with a signature the receiver can verify, once', async () => {
    await outbox.enqueue([{ channel: 'regulator-hook', payload: { warningId: 'w1', colour: 'red' } }], now);
    const w = worker();
    expect(await w.runOnce()).toBe(1);
    expect(await w.runOnce()).toBe(0);
    expect(received).toHaveLength(1);
    const { body, headers } = received[0]!;
    expect(JSON.parse(body)).toEqual({ warningId: 'w1', colour: 'red' });
    expect(headers[SIGNATURE_HEADER]).toBe(webhookSignature(SECRET, String(headers[TIMESTAMP_HEADER]), body));
    expect(headers[SIGNATURE_HEADER]).not.toBe(
      webhookSignature('wrong', String(headers[TIMESTAMP_HEADER]), body),
    );
    expect(await outbox.counts()).toEqual({ pending: 0, delivered: 1, failed: 0 });
  });

  it('retries a failing receiver with backoff, then delivers', async () => {
    statuses = [503, 500];
    await outbox.enqueue([{ channel: 'regulator-hook', payload: { n: 1 } }], now);
    const w = worker();
    await w.runOnce();
    // Not due again before its backoff has passed.
    expect(await w.runOnce()).toBe(0);
    now += 2_000;
    await w.runOnce();
    now += 5_000;
    await w.runOnce();
    expect(received).toHaveLength(3);
    expect(w.counters).toEqual({ delivered: 1, retried: 2, failed: 0 });
    expect(await outbox.counts()).toEqual({ pending: 0, delivered: 1, failed: 0 });
  });

  it('gives up at once on a refusal, after maxAttempts on repeated failures, and on an unknown channel — counted, kept', async () => {
    statuses = [400, 500, 500];
    await outbox.enqueue(
      [
        { channel: 'regulator-hook', payload: { n: 'refused' } },
        { channel: 'regulator-hook', payload: { n: 'flaky' } },
        { channel: 'sms', payload: { n: 'nowhere' } },
      ],
      now,
    );
    const w = worker(2);
    await w.runOnce();
    now += 10_000;
    await w.runOnce();
    expect(w.counters).toEqual({ delivered: 0, retried: 1, failed: 3 });
    expect(await outbox.counts()).toEqual({ pending: 0, delivered: 0, failed: 3 });
  });

  it('a slow channel delays only its own deliveries; counts are kept per channel', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slow: NotificationChannel = { name: 'slow-smtp', deliver: () => held };
    await outbox.enqueue(
      [
        { channel: 'slow-smtp', payload: { n: 'held' } },
        { channel: 'regulator-hook', payload: { n: 'fast' } },
      ],
      now,
    );
    const w = new OutboxWorker(
      outbox,
      [slow, new WebhookChannel({ name: 'regulator-hook', url, secret: SECRET, now: () => now })],
      { logger, now: () => now, timers: noTimers },
    );
    const run = w.runOnce();
    await expect.poll(() => received.length, { timeout: 5_000 }).toBe(1);
    expect(w.byChannel.get('regulator-hook')).toEqual({ delivered: 1, retried: 0, failed: 0 });
    expect(w.byChannel.get('slow-smtp')).toBeUndefined();
    release();
    expect(await run).toBe(2);
    expect(w.byChannel.get('slow-smtp')).toEqual({ delivered: 1, retried: 0, failed: 0 });
  });

  it('stops a channel at half the lease: the rest is not attempted and comes due when the lease ends', async () => {
    // A peer that takes 40 s per message (a 60 s lease): the second item must not be sent late,
    // when another worker may already have claimed it.
    const sent: unknown[] = [];
    const sluggish: NotificationChannel = {
      name: 'sluggish',
      deliver: (payload) => {
        sent.push(payload);
        now += 40_000;
        return Promise.resolve();
      },
    };
    await outbox.enqueue(
      [
        { channel: 'sluggish', payload: { n: 1 } },
        { channel: 'sluggish', payload: { n: 2 } },
      ],
      now,
    );
    const w = new OutboxWorker(
      outbox,
      [sluggish],
      { logger, now: () => now, timers: noTimers },
      { leaseMs: 60_000 },
    );
    await w.runOnce();
    expect(sent).toEqual([{ n: 1 }]);
    expect(await outbox.counts()).toEqual({ pending: 1, delivered: 1, failed: 0 });
    expect(await w.runOnce()).toBe(0); // still leased
    now += 30_000;
    await w.runOnce();
    expect(sent).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await outbox.counts()).toEqual({ pending: 0, delivered: 2, failed: 0 });
  });

  it('never rejects when the outbox itself is unreachable', async () => {
    const unreachable = new pg.Pool({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      connectionTimeoutMillis: 500,
    });
    const broken = new OutboxWorker(new NotificationOutbox(sqlClientFromPg(unreachable)), [], {
      logger,
      now: () => now,
      timers: noTimers,
    });
    await expect(broken.runOnce()).resolves.toBe(0);
    await unreachable.end();
  });
});
