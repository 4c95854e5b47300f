import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { GatewayStatus } from '@hazardwatch/contracts';
import { GatewayFaultRelay, IngestCounters, type GatewayEvaluator } from '@hazardwatch/ingest';
import { ManualClock } from '@hazardwatch/kit';
import type { DataLossRecord } from '@hazardwatch/store';

const evaluator: GatewayEvaluator = {
  gatewayOnline: () => true,
  gatewayOffline: () => true,
  gatewaySources: () => true,
  gatewayDataLoss: () => true,
};
const dataLoss = {
  type: 'data_loss',
  dropped: { reason: 'max_bytes', entries: 2, readings: 40, oldestTs: 1_000, newestTs: 2_000 },
} as GatewayStatus;
const connectionRefused = (): Error =>
  Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};

/** A store failing `failures` times (database unavailable), then storing; records each try's time. */
function flakyStore(clock: ManualClock, failures: number) {
  const tries: number[] = [];
  return {
    tries,
    insert(_record: DataLossRecord): Promise<boolean> {
      tries.push(clock.now());
      return tries.length <= failures ? Promise.reject(connectionRefused()) : Promise.resolve(true);
    },
  };
}

describe('GatewayFaultRelay: storing a data-loss report while storage is down', () => {
  it('retries with kit backoff: 400 ms cap doubling, full jitter drawn from the injected random', async () => {
    const clock = new ManualClock(0);
    const store = flakyStore(clock, 3);
    const counters = new IngestCounters();
    const relay = new GatewayFaultRelay({
      evaluator,
      store,
      counters,
      logger: pino({ level: 'silent' }),
      timers: clock,
      random: () => 0.5,
    });
    const stored = relay.status('E1', 'GW1', dataLoss, 0);
    await settle();
    // Caps 400, 800, 1600; a draw of 0.5 waits half of each.
    for (const wait of [200, 400, 800]) {
      clock.advance(wait - 1);
      await settle();
      const before = store.tries.length;
      clock.advance(1);
      await settle();
      expect(store.tries.length).toBe(before + 1);
    }
    await stored;
    expect(store.tries).toEqual([0, 200, 600, 1400]);
    expect(counters.dataLossStored).toBe(1);
  });

  it('gives up after storeAttempts, counted', async () => {
    const clock = new ManualClock(0);
    const store = flakyStore(clock, 10);
    const counters = new IngestCounters();
    const relay = new GatewayFaultRelay({
      evaluator,
      store,
      counters,
      logger: pino({ level: 'silent' }),
      timers: clock,
      storeAttempts: 3,
      random: () => 0.999_999,
    });
    const stored = relay.status('E1', 'GW1', dataLoss, 0);
    // Small steps, so each retry reads the clock at its due time.
    for (let i = 0; i < 40; i++) {
      await settle();
      clock.advance(100);
    }
    await stored;
    expect(store.tries).toEqual([0, 400, 1200]);
    expect(counters.dataLossNotStored).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });
});
