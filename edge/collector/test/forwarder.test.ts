import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@hazardwatch/kit';
import type { Reading, SpoolDropReport } from '@hazardwatch/contracts';
import { EdgeError } from '../src/errors.js';
import { openFileSpool, type FileSpool } from '../src/spool/file-spool.js';
import { Forwarder } from '../src/uplink/forwarder.js';
import type { Uplink, UplinkState } from '../src/uplink/mqtt-uplink.js';
import { waitUntil } from './source-contract.js';

const T0 = Date.now();

/** The uplink is our own seam: a scripted one lets the test decide when each PUBACK comes. */
class ScriptedUplink implements Uplink {
  connected = false;
  readonly sent: Array<{ id: number; readings: number; ack: () => void; fail: () => void }> = [];
  readonly losses: SpoolDropReport[] = [];
  private readonly listeners = new Set<(s: UplinkState) => void>();
  publishBatch(id: number, readings: readonly Reading[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const fail = (): void =>
        reject(new EdgeError('HW_EDGE_UPLINK_PUBLISH', { topic: 't', reason: 'test' }));
      this.sent.push({ id, readings: readings.length, ack: resolve, fail });
    });
  }
  publishDataLoss(dropped: SpoolDropReport): Promise<void> {
    this.losses.push(dropped);
    return Promise.resolve();
  }
  onState(listener: (s: UplinkState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  set(connected: boolean): void {
    this.connected = connected;
    for (const l of this.listeners) l(connected ? 'connected' : 'disconnected');
  }
}

const batch = (name: string, n: number): Reading[] =>
  Array.from({ length: n }, (_, i) => ({ tag: `${name}-${i}`, ts: T0 + i, value: i }));

describe('Forwarder scheduling', () => {
  let dir: string;
  let spool: FileSpool;
  let uplink: ScriptedUplink;
  let forwarder: Forwarder;
  /** Manual clock and timers (STYLE rule 10). */
  let time: ManualClock;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hw-fwd-unit-'));
    spool = await openFileSpool({ dir, fsync: 'none', ageCheckIntervalMs: 0 });
    uplink = new ScriptedUplink();
    time = new ManualClock(0);
  });
  afterEach(async () => {
    for (const s of uplink.sent) s.fail();
    await forwarder.close();
    await spool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const backlog = async (entries: number, readings: number): Promise<void> => {
    for (let i = 0; i < entries; i++) forwarder.submit(batch(`old${i}`, readings));
    await waitUntil(() => spool.depth().entries === entries && spool.take(0).length === 0, 5_000, 'backlog');
  };

  it('replays the backlog oldest first within the token bucket', async () => {
    forwarder = new Forwarder(spool, uplink, {
      replayReadingsPerSec: 1000,
      replayBurstMs: 200,
      now: () => time.now(),
      timers: time,
    });
    await backlog(10, 100);
    expect(uplink.sent).toEqual([]);
    uplink.set(true);
    // A burst of 200 readings: two batches of 100.
    expect(uplink.sent.map((s) => s.readings)).toEqual([100, 100]);
    for (const s of uplink.sent) s.ack();
    await waitUntil(() => spool.depth().entries === 8, 5_000, 'two removed');
    expect(uplink.sent).toHaveLength(2);
    time.advance(100);
    expect(uplink.sent).toHaveLength(3);
    time.advance(100);
    expect(uplink.sent).toHaveLength(4);
    // The rest follows at the rate, about one batch of 100 readings per 100 ms.
    time.advance(300);
    expect(uplink.sent).toHaveLength(7);
    time.advance(1_000);
    expect(uplink.sent).toHaveLength(10);
    const ids = uplink.sent.map((s) => s.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // Idle time (offline, nothing sent) refills the bucket only up to the burst.
    for (const s of uplink.sent) s.ack();
    await waitUntil(() => spool.depth().entries === 0, 5_000, 'all removed');
    uplink.set(false);
    await backlog(4, 100);
    time.advance(10_000);
    uplink.set(true);
    expect(uplink.sent).toHaveLength(12);
  });

  it('publishes live batches at once while replay is throttled, and backlogs them when the window is full', async () => {
    forwarder = new Forwarder(spool, uplink, {
      maxInflight: 3,
      maxReplayInflight: 1,
      replayReadingsPerSec: 1,
      now: () => time.now(),
      timers: time,
    });
    await backlog(3, 10);
    uplink.set(true);
    expect(uplink.sent).toHaveLength(1);
    for (let i = 0; i < 3; i++) forwarder.submit(batch(`live${i}`, 5));
    await waitUntil(() => uplink.sent.length === 3 && spool.depth().entries === 6, 5_000, 'live sent');
    expect(forwarder.stats()).toMatchObject({ liveInflight: 2, replayInflight: 1, published: 10 });
    // The third live batch found the window full and waits in the backlog behind the older ones.
    expect(spool.depth().entries - uplink.sent.length).toBe(3);
  });

  it('releases a failed publish to the backlog and counts it', async () => {
    forwarder = new Forwarder(spool, uplink, { now: () => time.now(), timers: time });
    uplink.set(true);
    forwarder.submit(batch('x', 4));
    await waitUntil(() => uplink.sent.length === 1, 5_000, 'sent');
    uplink.connected = false;
    uplink.sent[0]!.fail();
    await waitUntil(() => forwarder.stats().failed === 4, 5_000, 'failed');
    expect(spool.take(10).map((e) => e.readings)).toEqual([batch('x', 4)]);
  });

  it('keeps data-loss reports while offline, merged per reason, and sends them on reconnect', async () => {
    await spool.close();
    spool = await openFileSpool({ dir, fsync: 'none', ageCheckIntervalMs: 0, maxBytes: 3000 });
    forwarder = new Forwarder(spool, uplink, { now: () => time.now(), timers: time });
    for (let i = 0; i < 30; i++) forwarder.submit(batch(`d${i}`, 10));
    await waitUntil(
      () => forwarder.stats().submitted === 300 && spool.depth().readings + forwarder.stats().dropped === 300,
      5_000,
      'spooled',
    );
    expect(forwarder.stats().dropped).toBeGreaterThan(0);
    expect(uplink.losses).toEqual([]);
    uplink.set(true);
    expect(uplink.losses).toEqual([
      expect.objectContaining({ reason: 'max_bytes', readings: forwarder.stats().dropped }),
    ]);
  });

  it('reports a batch the spool refused as data loss', async () => {
    await spool.close();
    spool = await openFileSpool({ dir, fsync: 'none', ageCheckIntervalMs: 0, maxBytes: 500 });
    forwarder = new Forwarder(spool, uplink, { now: () => time.now(), timers: time });
    uplink.set(true);
    forwarder.submit(batch('huge', 50));
    await waitUntil(() => uplink.losses.length === 1, 5_000, 'loss reported');
    expect(uplink.losses[0]).toMatchObject({ reason: 'spool_rejected', entries: 1, readings: 50 });
    expect(forwarder.stats().rejected).toBe(50);
  });
});
