import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ingestMetricsText, type IngestCountersSnapshot } from '@hazardwatch/ingest';
import {
  CountingTicket,
  goodMessage,
  goodRows,
  harness,
  NOW,
  settle,
  TOPIC_NAME,
  type WriteCall,
} from './pipeline-harness.js';

/** What the database driver reports while PostgreSQL is unreachable: transient, retried. */
const connectionRefused = (): Error =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const dropped = (c: IngestCountersSnapshot): number =>
  Object.values(c.deadLettersDropped).reduce((a, b) => a + b, 0);

describe('IngestPipeline: group commit and acknowledgement', () => {
  it('writes a message on a quiet system at once and releases its ticket only after the write', async () => {
    const h = harness();
    const ticket = h.send(goodMessage(3));
    await settle();
    const write = h.writer.only();
    expect(write.rows).toEqual(goodRows(3));
    expect(ticket.count).toBe(0);
    write.resolve();
    await settle();
    expect(ticket.count).toBe(1);
    expect(h.counters.snapshot()).toMatchObject({
      messages: 1,
      messagesDurable: 1,
      accepted: 3,
      rowsWritten: 3,
      batchesWritten: 1,
    });
  });

  it('gathers messages arriving during a write into the next single batch', async () => {
    const h = harness({ maxInFlightWrites: 1 });
    const first = h.send(goodMessage(1, NOW - 10_000));
    await settle();
    const write1 = h.writer.only();
    const later = [
      h.send(goodMessage(2, NOW - 9000)),
      h.send(goodMessage(3, NOW - 8000)),
      h.send(goodMessage(1, NOW - 7000)),
    ];
    await settle();
    // Still one write: the others wait for the writer slot.
    expect(h.writer.calls).toHaveLength(1);
    write1.resolve();
    await settle();
    expect(first.count).toBe(1);
    expect(later.map((t) => t.count)).toEqual([0, 0, 0]);
    const write2 = h.writer.only();
    expect(write2.rows).toEqual([
      ...goodRows(2, NOW - 9000),
      ...goodRows(3, NOW - 8000),
      ...goodRows(1, NOW - 7000),
    ]);
    write2.resolve();
    await settle();
    expect(later.map((t) => t.count)).toEqual([1, 1, 1]);
    expect(h.writer.calls).toHaveLength(2);
  });

  it('uses up to maxInFlightWrites writer slots, each ticket released with its own batch', async () => {
    const h = harness({ maxInFlightWrites: 2 });
    const a = h.send(goodMessage(1, NOW - 3000));
    await settle();
    const b = h.send(goodMessage(1, NOW - 2000));
    await settle();
    expect(h.writer.open).toHaveLength(2);
    const [writeA, writeB] = h.writer.open;
    // The later batch becomes durable first: only its own ticket is released.
    writeB!.resolve();
    await settle();
    expect([a.count, b.count]).toEqual([0, 1]);
    writeA!.resolve();
    await settle();
    expect([a.count, b.count]).toEqual([1, 1]);
  });

  it('cuts a batch once it holds maxBatchRows rows', async () => {
    const h = harness({ maxBatchRows: 3, maxInFlightWrites: 1 });
    h.send(goodMessage(1, NOW - 100_000));
    await settle();
    const blocker = h.writer.only();
    for (let m = 0; m < 7; m++) h.send(goodMessage(1, NOW - 50_000 + m * 1000));
    await settle();
    blocker.resolve();
    const sizes: number[] = [];
    for (let i = 0; i < 5; i++) {
      await settle();
      const open = h.writer.open;
      if (open.length === 0) break;
      sizes.push(open[0]!.rows.length);
      open[0]!.resolve();
    }
    expect(sizes).toEqual([3, 3, 1]);
  });

  it('drain() resolves at once when idle and otherwise only after the last write', async () => {
    const h = harness();
    await h.pipeline.drain();
    h.send(goodMessage(2));
    let drained = false;
    const draining = h.pipeline.drain().then(() => {
      drained = true;
    });
    await settle();
    expect(drained).toBe(false);
    h.writer.only().resolve();
    await draining;
    expect(drained).toBe(true);
    expect(h.pipeline.bufferedRows).toBe(0);
  });

  it('close() gives up waiting after 10 s, starts no queued batch, and resolves once the running write ends', async () => {
    const h = harness({ maxInFlightWrites: 1 });
    h.send(goodMessage(1, NOW - 3000));
    await settle();
    const running = h.writer.only();
    const queued = h.send(goodMessage(1, NOW - 2000));
    let closed = false;
    const closing = h.pipeline.close().then(() => {
      closed = true;
    });
    await settle();
    h.timers.advance(10_000);
    await settle();
    // Past the wait: the write that runs is still awaited (its caller accounts for what it stores).
    expect(closed).toBe(false);
    running.resolve();
    await closing;
    await settle();
    expect(h.writer.calls).toHaveLength(1);
    expect(queued.count).toBe(0);
  });

  it('shows every accepted reading, and only those, to the observers before it is durable', async () => {
    const h = harness();
    h.send(
      JSON.stringify({
        readings: [
          { tag: 'T1', ts: NOW - 5, value: 7.5, quality: 'bad' },
          { tag: 'NOPE', ts: NOW - 5, value: 1 },
          { tag: 'T2', ts: NOW - 4, value: -1 },
        ],
      }),
    );
    expect(h.observed).toEqual([
      [2, NOW - 5, 7.5, 2],
      [3, NOW - 4, -1, 0],
    ]);
    await settle();
    expect(h.writer.only().rows).toEqual(h.observed);
  });
});

describe('IngestPipeline: storage failures', () => {
  it('retries a failing write with backoff and releases the tickets once, after success', async () => {
    const initial = 100;
    // Full jitter: each delay is uniform in [0, cap]; a draw of 0.5 gives half the cap.
    const h = harness({ retryInitialDelayMs: initial, retryMaxDelayMs: 10_000 }, {}, () => 0.5);
    const ticket = h.send(goodMessage(2));
    await settle();
    for (let attempt = 0; attempt < 3; attempt++) {
      h.writer.only().reject(connectionRefused());
      await settle();
      expect(h.pipeline.storageHealthy).toBe(false);
      expect(h.counters.storageRetries).toBe(attempt + 1);
      expect(ticket.count).toBe(0);
      const cap = initial * 2 ** attempt;
      // Nothing before the drawn delay (cap/2), the retry at it.
      h.timers.advance(cap / 2 - 1);
      await settle();
      expect(h.writer.calls).toHaveLength(attempt + 1);
      h.timers.advance(1);
      await settle();
      expect(h.writer.calls).toHaveLength(attempt + 2);
    }
    const last = h.writer.only();
    expect(last.rows).toEqual(goodRows(2));
    last.resolve();
    await settle();
    expect(ticket.count).toBe(1);
    expect(h.pipeline.storageHealthy).toBe(true);
    expect(h.counters.snapshot()).toMatchObject({
      batchesWritten: 1,
      rowsWritten: 2,
      storageRetries: 3,
      messagesDurable: 1,
    });
    // Nothing else is scheduled and a further drain finds the pipeline idle.
    expect(h.timers.pendingTimers).toBe(0);
    await h.pipeline.drain();
    expect(ticket.count).toBe(1);
  });

  it('caps the backoff at retryMaxDelayMs', async () => {
    const h = harness({ retryInitialDelayMs: 100, retryMaxDelayMs: 300 });
    h.writer.respond = () => connectionRefused();
    h.send(goodMessage(1));
    await settle();
    for (let attempt = 0; attempt < 6; attempt++) {
      h.timers.advance(300);
      await settle();
    }
    // Every retry fires within the cap: one write per 300 ms step, never a longer wait.
    expect(h.writer.calls).toHaveLength(7);
  });

  it('poisons a batch whose write fails permanently (TypeError): its rows are dead-lettered and counted, later batches flow', async () => {
    const h = harness({ maxInFlightWrites: 1 });
    const poisoned = h.send(goodMessage(2, NOW - 20_000));
    await settle();
    h.writer.only().reject(new TypeError("Cannot read properties of undefined (reading 'ts')"));
    await settle();
    // No backoff, no retry of the same rows: the batch's rows come back as dead letters.
    const letters = h.writer.only();
    expect(letters.rows).toEqual([]);
    expect(letters.deadLetters).toEqual([
      expect.objectContaining({ reason: 'storage_rejected', topic: TOPIC_NAME }),
      expect.objectContaining({ reason: 'storage_rejected', topic: TOPIC_NAME }),
    ]);
    expect(letters.deadLetters[0]!.detail).toContain('TypeError');
    expect(JSON.parse(letters.deadLetters[0]!.raw!.toString())).toMatchObject({ ts: NOW - 20_000 });
    letters.resolve();
    await settle();
    expect(poisoned.count).toBe(1);
    // A later batch is stored and acknowledged.
    const later = h.send(goodMessage(1, NOW - 10_000));
    await settle();
    expect(h.writer.only().rows).toEqual(goodRows(1, NOW - 10_000));
    h.writer.only().resolve();
    await settle();
    expect(later.count).toBe(1);
    expect(h.timers.pendingTimers).toBe(0);
    expect(h.counters.snapshot()).toMatchObject({
      batchesPoisoned: 1,
      storageRetries: 0,
      rejected: 2,
      rowsWritten: 1,
      messagesDurable: 2,
    });
    expect(h.counters.rejectedByReason.storage_rejected).toBe(2);
  });

  it('still retries a transient error (ECONNRESET) with backoff instead of poisoning', async () => {
    const h = harness({ retryInitialDelayMs: 100, retryMaxDelayMs: 1000 });
    const ticket = h.send(goodMessage(2));
    await settle();
    h.writer.only().reject(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    await settle();
    expect(h.writer.calls).toHaveLength(1);
    expect(h.counters.storageRetries).toBe(1);
    h.timers.advance(100);
    await settle();
    const retry = h.writer.only();
    expect(retry.rows).toEqual(goodRows(2));
    retry.resolve();
    await settle();
    expect(ticket.count).toBe(1);
    expect(h.counters.snapshot()).toMatchObject({ batchesPoisoned: 0, rowsWritten: 2, rejected: 0 });
  });

  it('gives up the dead letters of a poisoned batch the writer refuses too, counted, and acknowledges', async () => {
    const h = harness();
    h.writer.respond = (call) =>
      call.rows.length > 0 || call.deadLetters.length > 0 ? new TypeError('bug') : 'ok';
    const ticket = h.send(goodMessage(3));
    await h.pipeline.drain();
    expect(ticket.count).toBe(1);
    expect(h.writer.calls).toHaveLength(2);
    const c = h.counters.snapshot();
    expect(c.batchesPoisoned).toBe(1);
    expect(c.rejected).toBe(3);
    expect(c.deadLettersDropped.refused).toBe(3);
  });

  it('counts duplicates (already stored) apart from accepted rows, keeping received = accepted + duplicates + rejected', async () => {
    const h = harness();
    const message = goodMessage(4);
    h.send(message);
    await settle();
    h.writer.only().resolve();
    await settle();
    // Redelivered: valid again, but the database already holds three of its four rows.
    h.send(message);
    await settle();
    h.writer.only().resolve({ duplicates: 3 });
    await h.pipeline.drain();
    const c = h.counters.snapshot();
    expect(c).toMatchObject({ received: 8, accepted: 5, duplicates: 3, rejected: 0, rowsWritten: 5 });
    expect(c.byGateway['E1/GW1']).toEqual({ valid: 8, rejected: 0 });
  });

  it('counts storage-refused rows as rejected, not accepted, keeping the sum', async () => {
    const h = harness();
    h.send(goodMessage(4));
    await settle();
    h.writer.only().resolve({ storageRejected: 1 });
    await h.pipeline.drain();
    const c = h.counters.snapshot();
    expect(c.accepted).toBe(3);
    expect(c.rejected).toBe(1);
    expect(c.rejectedByReason.storage_rejected).toBe(1);
  });
});

describe('IngestPipeline: flow control', () => {
  it('pauses intake above maxBufferedRows (pending, queued and in flight) and resumes once the backlog has drained', async () => {
    const h = harness({ maxBatchRows: 2, maxBufferedRows: 4, maxInFlightWrites: 1 });
    h.send(goodMessage(2, NOW - 100_000));
    await settle();
    const blocker = h.writer.only();
    expect(h.intake.pauses).toBe(0);
    expect(h.pipeline.bufferedRows).toBe(2);
    h.send(goodMessage(2, NOW - 90_000));
    // 2 rows being written + 2 queued behind them: at the limit.
    expect(h.pipeline.bufferedRows).toBe(4);
    expect(h.intake.pauses).toBe(1);
    h.send(goodMessage(2, NOW - 80_000));
    expect(h.intake.pauses).toBe(1);
    blocker.resolve();
    let resumedAt: number | undefined;
    for (let i = 0; i < 5 && resumedAt === undefined; i++) {
      await settle();
      if (h.intake.resumes > 0) resumedAt = h.pipeline.bufferedRows;
      else h.writer.only().resolve();
    }
    expect(h.intake).toEqual({ pauses: 1, resumes: 1 });
    expect(resumedAt).toBeLessThan(2);
    while (h.writer.open.length > 0) {
      h.writer.only().resolve();
      await settle();
    }
    await h.pipeline.drain();
    expect(h.intake).toEqual({ pauses: 1, resumes: 1 });
    expect(h.counters.rowsWritten).toBe(6);
  });

  // Regression: the pause check once ran only when a batch was cut, so rows gathering in the
  // pending batch behind a slow write never paused intake while maxBufferedRows < maxBatchRows.
  it('pauses intake when rows pending behind a slow write exceed maxBufferedRows', async () => {
    const h = harness({ maxBatchRows: 1000, maxBufferedRows: 10, maxInFlightWrites: 1 });
    h.send(goodMessage(1, NOW - 100_000));
    await settle();
    for (let m = 0; m < 10; m++) h.send(goodMessage(5, NOW - 50_000 + m * 1000));
    await settle();
    // 50 pending + 1 being written.
    expect(h.pipeline.bufferedRows).toBe(51);
    expect(h.intake.pauses).toBe(1);
  });
});

describe('IngestPipeline: dead letters', () => {
  const badReadings = (n: number): string =>
    JSON.stringify({
      readings: Array.from({ length: n }, (_, i) => ({ tag: `NOPE-${i}`, ts: NOW - 1000, value: i })),
    });

  const written = (h: ReturnType<typeof harness>): number =>
    h.writer.calls.reduce((n, call) => n + call.deadLetters.length, 0);

  it('keeps at most maxDeadLettersQueued letters waiting for storage and counts the rest as queue_full', async () => {
    const h = harness({ maxDeadLettersQueued: 5, maxInFlightWrites: 1 });
    h.send(badReadings(3));
    await settle();
    const first = h.writer.only();
    expect(first.deadLetters).toHaveLength(3);
    // Three wait in the write, so two more fit while it runs.
    h.send(badReadings(4));
    expect(h.pipeline.deadLettersQueued).toBe(5);
    expect(h.counters.deadLettersDropped.queue_full).toBe(2);
    first.resolve();
    await settle();
    // Written letters leave the queue: room again.
    h.send(badReadings(3));
    h.writer.respond = () => 'ok';
    h.writer.only().resolve();
    await h.pipeline.drain();
    expect(written(h)).toBe(8);
    expect(h.pipeline.deadLettersQueued).toBe(0);
    expect(h.counters.snapshot()).toMatchObject({
      rejected: 10,
      deadLettersWritten: 8,
      deadLettersDropped: { queue_full: 2, rate_limited: 0, refused: 0 },
      messagesDurable: 3,
    });
  });

  it('bounds the bytes waiting for storage too (maxDeadLetterQueuedBytes)', async () => {
    const h = harness({ maxDeadLetterQueuedBytes: 1200, maxDeadLetterRawBytes: 400, maxInFlightWrites: 1 });
    for (let i = 0; i < 5; i++) h.send(`{"readings": [ ${'x'.repeat(500)}`);
    await settle();
    // Each letter holds 400 raw bytes plus its texts (~500 bytes): two fit in 1200 bytes, not three.
    expect(h.writer.only().deadLetters).toHaveLength(2);
    expect(h.counters.deadLettersDropped.queue_full).toBe(3);
    expect(h.counters.deadLettersTruncated).toBe(2);
  });

  it('rate-limits dead letters per gateway (token bucket), counted as rate_limited', async () => {
    const h = harness({ deadLetterRatePerSec: 10, deadLetterBurst: 20 });
    h.writer.respond = () => 'ok';
    h.send(badReadings(50));
    // Another gateway has its own allowance (made-up gateways share one).
    h.pipeline.acceptTelemetry(
      { enterprise: 'E1', gateway: 'FAKE', kind: 'telemetry' },
      'hw/v1/E1/FAKE/telemetry',
      Buffer.from(goodMessage(1)),
      new CountingTicket(),
    );
    await h.pipeline.drain();
    expect(written(h)).toBe(21);
    expect(h.counters.deadLettersDropped.rate_limited).toBe(30);
    // One second later: ten more.
    h.clock.ms += 1000;
    h.send(badReadings(50));
    await h.pipeline.drain();
    expect(written(h)).toBe(31);
    expect(h.counters.snapshot()).toMatchObject({
      rejected: 101,
      deadLettersWritten: 31,
      deadLettersDropped: { rate_limited: 70, queue_full: 0 },
    });
  });

  it('describes each dead letter (topic, partition, reason, detail, tag, the reading as raw)', async () => {
    const h = harness();
    h.send(JSON.stringify({ readings: [{ tag: 'NOPE', ts: NOW - 1000, value: 1 }] }));
    await settle();
    const [letter] = h.writer.only().deadLetters;
    expect(letter).toMatchObject({
      receivedAtMs: NOW,
      topic: TOPIC_NAME,
      enterprise: 'E1',
      gateway: 'GW1',
      reason: 'unknown_point',
      tag: 'NOPE',
    });
    expect(letter!.detail).toContain('readings/0');
    expect(JSON.parse(letter!.raw!.toString())).toEqual({ tag: 'NOPE', ts: NOW - 1000, value: 1 });
  });

  it.each([
    ['a message-level payload', '{"readings": [ truncated here', '{"readings": [ t'],
    [
      'a rejected reading',
      JSON.stringify({ readings: [{ tag: 'NOPE-LONG-TAG', ts: NOW - 1000, value: 1 }] }),
      '{"tag":"NOPE-LON',
    ],
    ['a short payload (kept whole)', '{"x', '{"x'],
  ])('truncates the raw bytes of %s to maxDeadLetterRawBytes', async (_name, payload, raw) => {
    const h = harness({ maxDeadLetterRawBytes: 16 });
    h.send(payload);
    await settle();
    const [letter] = h.writer.only().deadLetters;
    expect(letter!.raw!.toString()).toBe(raw);
    expect(h.counters.deadLettersTruncated).toBe(raw.length < Buffer.byteLength(payload) ? 1 : 0);
  });

  it('keeps a message refused before decoding (bad topic) with its raw payload and releases its ticket', async () => {
    const h = harness();
    const ticket = new CountingTicket();
    h.pipeline.rejectMessage(
      'hw/v1/E1/GW 1/telemetry',
      Buffer.from('payload'),
      'bad_topic',
      'not a hw/v1 gateway topic',
      ticket,
    );
    await settle();
    const write = h.writer.only();
    expect(write.rows).toEqual([]);
    expect(write.deadLetters).toEqual([
      expect.objectContaining({
        reason: 'bad_topic',
        topic: 'hw/v1/E1/GW 1/telemetry',
        raw: Buffer.from('payload'),
      }),
    ]);
    expect(ticket.count).toBe(0);
    write.resolve();
    await settle();
    expect(ticket.count).toBe(1);
    expect(h.counters.snapshot()).toMatchObject({ messages: 1, rejected: 1, accepted: 0 });
  });

  it("keeps a message's letters in reading order; across messages they follow the order batches are stored in", async () => {
    const h = harness({ maxInFlightWrites: 2 });
    const stored: string[] = [];
    const store = (write: WriteCall): void => {
      stored.push(...write.deadLetters.map((d) => d.reason));
      write.resolve();
    };
    h.send(
      JSON.stringify({
        readings: [
          { tag: 'NOPE', ts: NOW - 1000, value: 1 },
          { tag: 'T0', ts: NOW - 1000, value: 1 },
          { tag: 'T1', ts: NOW + 3_600_000, value: 1 },
        ],
      }),
    );
    await settle();
    h.send('{"readings": [');
    await settle();
    const [mixed, malformed] = h.writer.open;
    expect(mixed!.deadLetters.map((d) => d.reason)).toEqual(['unknown_point', 'ts_in_future']);
    // Both writer slots busy: the unknown gateway's message waits, then takes the slot that frees.
    const unknownGateway = new CountingTicket();
    h.pipeline.acceptTelemetry(
      { enterprise: 'E1', gateway: 'GW9', kind: 'telemetry' },
      'hw/v1/E1/GW9/telemetry',
      Buffer.from(goodMessage(1)),
      unknownGateway,
    );
    store(malformed!);
    await settle();
    const badEnvelope = h.send(JSON.stringify({ data: [] }));
    store(mixed!);
    await settle();
    const [gw9Write, envelopeWrite] = h.writer.open;
    expect(gw9Write!.deadLetters.map((d) => d.reason)).toEqual(['unknown_gateway']);
    // The later message's batch is stored first (a slower connection, a retry): its letter lands
    // before the earlier one's, as CI saw through PostgreSQL. Not a fault: no order is promised
    // across messages, and each ticket waits only for its own batch.
    store(envelopeWrite!);
    await settle();
    expect([unknownGateway.count, badEnvelope.count]).toEqual([0, 1]);
    store(gw9Write!);
    await settle();
    expect(stored).toEqual([
      'malformed_json',
      'unknown_point',
      'ts_in_future',
      'bad_envelope',
      'unknown_gateway',
    ]);
    expect(unknownGateway.count).toBe(1);
  });

  // BUG (ingest-pipeline.ts line 122): a rejected reading is serialised with JSON.stringify before the
  // dead-letter cap and the raw-size cap apply. A deeply nested reading (valid JSON well under the
  // default maxPayloadBytes, e.g. 100 000 nested arrays in 200 KB) makes JSON.stringify throw
  // RangeError, so acceptTelemetry throws. Through the real app the error escapes mqtt.js's packet
  // handler as an uncaught exception (a crash in production; the broker redelivers the message
  // after restart), and the connection processes no further message. Not exercised at integration
  // level because an uncaught exception fails the whole vitest run.
  it('never throws for a deeply nested reading: it is dead-lettered like any bad reading', async () => {
    const h = harness();
    const depth = 100_000;
    const payload = `{"readings":[${goodMessage(1).slice(13, -2)},${'['.repeat(depth)}${']'.repeat(depth)}]}`;
    const ticket = h.send(payload);
    await settle();
    const write = h.writer.only();
    expect(write.rows).toHaveLength(1);
    expect(write.deadLetters.map((d) => d.reason)).toEqual(['bad_reading']);
    write.resolve();
    await settle();
    expect(ticket.count).toBe(1);
  });
});

describe('IngestPipeline: bounded metric labels', () => {
  it('counts made-up gateways and enterprises under _unknown: the series stay bounded', async () => {
    const h = harness();
    h.writer.respond = () => 'ok';
    const send = (enterprise: string, gateway: string): void =>
      h.pipeline.acceptTelemetry(
        { enterprise, gateway, kind: 'telemetry' },
        `hw/v1/${enterprise}/${gateway}/telemetry`,
        Buffer.from(goodMessage(1)),
        new CountingTicket(),
      );
    for (let g = 0; g < 1000; g++) send('E1', `FAKE${g}`);
    for (let e = 0; e < 1000; e++) send(`X${e}`, 'GW1');
    h.send(goodMessage(2));
    await h.pipeline.drain();
    const text = await ingestMetricsText(h.counters, {
      bufferedRows: 0,
      unacknowledgedMessages: 0,
      storageHealthy: true,
      brokerConnected: true,
    });
    const series = text.split('\n').filter((l) => l.startsWith('hw_ingest_gateway_readings_total{'));
    expect(series.sort()).toEqual([
      'hw_ingest_gateway_readings_total{enterprise="E1",gateway="GW1",outcome="rejected"} 0',
      'hw_ingest_gateway_readings_total{enterprise="E1",gateway="GW1",outcome="valid"} 2',
      'hw_ingest_gateway_readings_total{enterprise="E1",gateway="_unknown",outcome="rejected"} 1000',
      'hw_ingest_gateway_readings_total{enterprise="E1",gateway="_unknown",outcome="valid"} 0',
      'hw_ingest_gateway_readings_total{enterprise="_unknown",gateway="_unknown",outcome="rejected"} 1000',
      'hw_ingest_gateway_readings_total{enterprise="_unknown",gateway="_unknown",outcome="valid"} 0',
    ]);
    expect(text).not.toContain('FAKE');
    expect(text).not.toContain('X1');
  });
});

describe('IngestPipeline: counters add up', () => {
  it('stores the readings of a message with a bad seq and counts the seq in hw_ingest_seq_invalid_total', async () => {
    const h = harness();
    const good = JSON.parse(goodMessage(2)) as { readings: unknown[] };
    const ticket = h.send(JSON.stringify({ seq: -3, readings: good.readings }));
    await settle();
    h.writer.only().resolve();
    await settle();
    expect(ticket.count).toBe(1);
    const c = h.counters.snapshot();
    expect(c).toMatchObject({ accepted: 2, rejected: 0, seqInvalid: 1 });
    expect(
      await ingestMetricsText(h.counters, {
        bufferedRows: 0,
        unacknowledgedMessages: 0,
        storageHealthy: true,
        brokerConnected: true,
      }),
    ).toContain('hw_ingest_seq_invalid_total 1');
  });

  // A message is either well formed (each reading counts once, accepted or rejected) or refused as
  // a whole (counts once). The generator knows which, so the expected total is computed apart.
  const reading = fc.oneof(
    fc.record({
      tag: fc.constantFrom('T0', 'T1', 'T2', 'NOPE'),
      ts: fc.integer({ min: NOW - 90_000_000, max: NOW + 400_000 }),
      value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant('x')),
    }),
    fc.anything({ maxDepth: 2 }),
  );
  const message = fc.oneof(
    fc
      .array(reading, { minLength: 1, maxLength: 20 })
      .map((readings) => ({ payload: JSON.stringify({ readings }), units: readings.length })),
    fc.string({ maxLength: 40 }).map((s) => ({ payload: s, units: 1 })),
    fc.constant({ payload: '{"readings":[]}', units: 1 }),
  );

  it('accepted + rejected equals readings of well-formed messages plus refused messages', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(message, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        async (messages, maxBatchRows) => {
          const h = harness({
            maxBatchRows,
            maxDeadLettersQueued: 5,
            deadLetterBurst: 10,
            maxInFlightWrites: 2,
          });
          h.writer.respond = () => 'ok';
          const tickets = messages.map((m) => h.send(m.payload));
          await h.pipeline.drain();
          const c = h.counters.snapshot();
          expect(c.messages).toBe(messages.length);
          const units = messages.reduce((n, m) => n + m.units, 0);
          expect(c.received).toBe(units);
          expect(c.accepted + c.duplicates + c.rejected).toBe(units);
          expect(Object.values(c.rejectedByReason).reduce((a, b) => a + b, 0)).toBe(c.rejected);
          expect(c.rowsWritten).toBe(c.accepted);
          expect(h.observed).toHaveLength(c.accepted);
          const letters = h.writer.calls.reduce((n, call) => n + call.deadLetters.length, 0);
          expect(letters + dropped(c)).toBe(c.rejected);
          expect(c.deadLettersWritten).toBe(letters);
          expect(tickets.every((t) => t.count === 1)).toBe(true);
          expect(c.messagesDurable).toBe(messages.length);
        },
      ),
      { seed: 4242, numRuns: 150 },
    );
  });
});
