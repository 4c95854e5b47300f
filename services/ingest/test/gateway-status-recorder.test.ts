import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { GatewayStatusRecord } from '@hazardwatch/store';
import {
  GatewayStatusRecorder,
  IngestCounters,
  type GatewayState,
  type GatewayStatusStore,
} from '@hazardwatch/ingest';
import { ManualClock } from '@hazardwatch/kit';

/** A store whose upserts stay open until the test settles them. */
class ScriptedStore implements GatewayStatusStore {
  readonly calls: Array<{
    records: readonly GatewayStatusRecord[];
    resolve: () => void;
    reject: (e: Error) => void;
  }> = [];
  readonly retains: Array<{ resolve: (removed: number) => void; reject: (e: Error) => void }> = [];
  upsert(records: readonly GatewayStatusRecord[]): Promise<void> {
    return new Promise((resolve, reject) => this.calls.push({ records, resolve, reject }));
  }
  retain(): Promise<number> {
    return new Promise((resolve, reject) => this.retains.push({ resolve, reject }));
  }
}

const state = (gateway: string, lastSeenMs: number, over: Partial<GatewayState> = {}): GatewayState => ({
  enterprise: 'E1',
  gateway,
  online: true,
  lastSeenMs,
  spoolDepth: undefined,
  sinceMs: lastSeenMs,
  ...over,
});
const settle = () => new Promise<void>((r) => setImmediate(r));

function setup() {
  const store = new ScriptedStore();
  const timers = new ManualClock();
  const counters = new IngestCounters();
  /** Gateways of E1 the site has; a test edits it as the site changes. */
  const site = new Set(['GW1', 'GW2']);
  const known = (enterprise: string, gateway: string) => enterprise === 'E1' && site.has(gateway);
  const recorder = new GatewayStatusRecorder(
    { store, known, counters, timers, logger: pino({ level: 'silent' }), now: () => 1000 },
    { flushDelayMs: 200, retryDelayMs: 5000 },
  );
  return { store, timers, counters, recorder, site };
}

describe('GatewayStatusRecorder', () => {
  it('coalesces a burst into one upsert holding the newest state per gateway', async () => {
    const { store, timers, counters, recorder } = setup();
    recorder.record(state('GW1', 1, { spoolDepth: 10 }));
    recorder.record(state('GW2', 2));
    recorder.record(state('GW1', 3, { online: false, spoolDepth: 4 }));
    expect(store.calls).toHaveLength(0);
    timers.advance(200);
    expect(store.calls).toHaveLength(1);
    expect(store.calls[0]!.records).toEqual([
      { enterprise: 'E1', gateway: 'GW1', online: false, lastSeenMs: 3, spoolDepth: 4, sinceMs: 3 },
      { enterprise: 'E1', gateway: 'GW2', online: true, lastSeenMs: 2, spoolDepth: null, sinceMs: 2 },
    ]);
    store.calls[0]!.resolve();
    await settle();
    expect(counters.snapshot()).toMatchObject({ gatewayStatusWrites: 1, gatewayStatusWritesFailed: 0 });
  });

  it('keeps one write in flight; what arrives meanwhile goes in the next', async () => {
    const { store, timers, recorder } = setup();
    recorder.record(state('GW1', 1));
    timers.advance(200);
    recorder.record(state('GW1', 2));
    recorder.record(state('GW2', 2));
    timers.advance(1000);
    expect(store.calls).toHaveLength(1);
    store.calls[0]!.resolve();
    await settle();
    timers.advance(200);
    expect(store.calls).toHaveLength(2);
    expect(store.calls[1]!.records.map((r) => [r.gateway, r.lastSeenMs])).toEqual([
      ['GW1', 2],
      ['GW2', 2],
    ]);
  });

  it('counts a failed write, never throws, and retries later unless a newer state replaced it', async () => {
    const { store, timers, counters, recorder } = setup();
    recorder.record(state('GW1', 1));
    recorder.record(state('GW2', 1));
    timers.advance(200);
    recorder.record(state('GW2', 5, { online: false }));
    store.calls[0]!.reject(Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' }));
    await settle();
    expect(counters.snapshot()).toMatchObject({ gatewayStatusWrites: 0, gatewayStatusWritesFailed: 1 });
    // Backs off after a failure instead of hammering a database that is down.
    timers.advance(200);
    expect(store.calls).toHaveLength(1);
    timers.advance(4800);
    expect(store.calls).toHaveLength(2);
    expect(store.calls[1]!.records.map((r) => [r.gateway, r.lastSeenMs, r.online])).toEqual([
      ['GW2', 5, false],
      ['GW1', 1, true],
    ]);
    store.calls[1]!.resolve();
    await settle();
    expect(counters.snapshot()).toMatchObject({ gatewayStatusWrites: 1, gatewayStatusWritesFailed: 1 });
  });

  it('writes only gateways the site has when the write goes out', () => {
    const { store, timers, recorder, site } = setup();
    recorder.record(state('GW1', 1));
    recorder.record(state('GW2', 1));
    recorder.record(state('GW9', 1));
    site.delete('GW2');
    timers.advance(200);
    expect(store.calls[0]!.records.map((r) => r.gateway)).toEqual(['GW1']);
  });

  it('prunes after the write in flight, alone if nothing is pending, and again after a failure', async () => {
    const { store, timers, counters, recorder } = setup();
    recorder.record(state('GW1', 1));
    timers.advance(200);
    recorder.prune();
    timers.advance(200);
    expect(store.retains).toHaveLength(0);
    store.calls[0]!.resolve();
    await settle();
    timers.advance(200);
    expect(store.calls).toHaveLength(1);
    expect(store.retains).toHaveLength(1);
    store.retains[0]!.reject(Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' }));
    await settle();
    expect(counters.snapshot()).toMatchObject({ gatewayStatusWrites: 1, gatewayStatusWritesFailed: 1 });
    timers.advance(5000);
    expect(store.retains).toHaveLength(2);
    store.retains[1]!.resolve(3);
    await settle();
    timers.advance(10_000);
    expect(store.retains).toHaveLength(2);
  });

  it('writes what is pending on close and then takes nothing more', async () => {
    const { store, timers, recorder } = setup();
    recorder.record(state('GW1', 1));
    const closed = recorder.close();
    await settle();
    expect(store.calls).toHaveLength(1);
    store.calls[0]!.resolve();
    await closed;
    recorder.record(state('GW1', 2));
    timers.advance(10_000);
    expect(store.calls).toHaveLength(1);
  });
});
