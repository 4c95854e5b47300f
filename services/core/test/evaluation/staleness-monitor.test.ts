import { describe, expect, it } from 'vitest';
import type { EvaluationEngine } from '@hazardwatch/core';
import { E1, GW1, engineWith, gateway, point, type RecordingSink } from './evaluation-fixture.js';

const limits = { h: 50 };
const isComms = (c: { condition: string }) => c.condition === 'STALE' || c.condition === 'GATEWAY_OFFLINE';
const comms = (sink: RecordingSink) => sink.log((c) => isComms(c) && c.active);
const commsAll = (sink: RecordingSink) => sink.log(isComms);

/** Tick every second from `from` to `to` inclusive, calling `each(now)` after each tick. */
function clock(
  engine: EvaluationEngine,
  from: number,
  to: number,
  each: (now: number) => void = () => {},
): void {
  for (let now = from; now <= to; now += 1000) {
    engine.tick(now);
    each(now);
  }
}

describe('point staleness (REFERENCE §8 item 18)', () => {
  it('raises STALE when nothing arrived for staleAfterMs of the evaluation clock, clears on the next sample', () => {
    const { engine, sink } = engineWith([point({ limits, staleAfterMs: 10_000 })]);
    clock(engine, 0, 2000, (now) => now === 2000 && engine.observe(1, 1_700_000_000_000, 40, 0));
    clock(engine, 3000, 15_000);
    expect(commsAll(sink)).toEqual(['GW1:GATEWAY_OFFLINE-@2000', 'STALE-@2000', 'STALE+@12000']);
    expect(engine.isStale(1)).toBe(true);
    clock(engine, 16_000, 16_000, () => engine.observe(1, 1_700_000_001_000, 40, 0));
    expect(commsAll(sink).slice(3)).toEqual(['STALE-@16000']);
    expect(engine.isStale(1)).toBe(false);
  });

  it('stays fresh while samples keep coming, whatever their source timestamps', () => {
    const { engine, sink } = engineWith([point({ limits, staleAfterMs: 10_000 })]);
    let ts = 5_000_000;
    clock(engine, 0, 120_000, (now) => now % 9000 === 0 && engine.observe(1, (ts += 9000), 40, 0));
    expect(comms(sink)).toEqual([]);
  });

  it('duplicates and late samples do not refresh a point', () => {
    const { engine, sink } = engineWith([point({ limits, staleAfterMs: 10_000 })]);
    clock(engine, 0, 0, () => engine.observe(1, 100, 40, 0));
    clock(engine, 1000, 20_000, () => engine.observe(1, 100, 40, 0));
    expect(comms(sink)).toEqual(['STALE+@10000']);
  });

  it('a point that never reports after start goes stale after its timeout', () => {
    const { engine, sink } = engineWith([point({ limits, staleAfterMs: 10_000 })]);
    clock(engine, 0, 10_000, (now) => engine.gatewayOnline(E1, GW1, now));
    expect(comms(sink)).toEqual(['STALE+@10000']);
  });

  it('staleAfterMs 0 disables the timeout', () => {
    const { engine, sink } = engineWith([point({ limits, staleAfterMs: 0 })]);
    clock(engine, 0, 100_000);
    expect(comms(sink)).toEqual([]);
  });

  it('only the silent point goes stale on a gateway whose other points keep reporting', () => {
    const { engine, sink } = engineWith(
      [point({ id: 1, limits, staleAfterMs: 20_000 }), point({ id: 2, limits, staleAfterMs: 20_000 })],
      [gateway(GW1, 30_000)],
    );
    clock(engine, 0, 60_000, (now) => {
      engine.observe(2, now, 40, 0);
      if (now < 5000) engine.observe(1, now, 40, 0);
    });
    expect(comms(sink)).toEqual(['STALE+@24000']);
  });
});

describe('gateway loss (one GATEWAY_OFFLINE, no per-point STALE)', () => {
  const three = [1, 2, 3].map((id) => point({ id, limits, staleAfterMs: 10_000 }));

  it('host-reported offline: one GATEWAY_OFFLINE, points stale but silent; back online, silent points go stale individually', () => {
    const { engine, sink } = engineWith(three, [gateway(GW1, 0)]);
    clock(engine, 0, 1000, (now) => [1, 2, 3].forEach((id) => engine.observe(id, now, 40, 0)));
    sink.clear();
    engine.gatewayOffline(E1, GW1, 1500);
    clock(engine, 2000, 60_000);
    expect(commsAll(sink)).toEqual(['GW1:GATEWAY_OFFLINE+@1500']);
    expect([1, 2, 3].map((id) => engine.isStale(id))).toEqual([true, true, true]);
    expect(engine.isGatewayOffline(E1, GW1)).toBe(true);

    engine.gatewayOnline(E1, GW1, 60_000);
    expect(engine.isStale(2)).toBe(false);
    clock(engine, 61_000, 61_000, () => engine.observe(1, 61_000, 40, 0));
    clock(engine, 62_000, 75_000, (now) => engine.observe(1, now, 40, 0));
    expect(commsAll(sink)).toEqual([
      'GW1:GATEWAY_OFFLINE+@1500',
      'GW1:GATEWAY_OFFLINE-@60000',
      '#2:STALE+@70000',
      '#3:STALE+@70000',
    ]);
  });

  it('missed heartbeats and telemetry: GATEWAY_OFFLINE after offlineAfterMs, even though points time out first', () => {
    const { engine, sink } = engineWith(
      [1, 2, 3].map((id) => point({ id, limits, staleAfterMs: 20_000 })),
      [gateway(GW1, 30_000)],
    );
    // Points report at different phases, then the whole gateway goes quiet after 5 s.
    clock(
      engine,
      0,
      5000,
      (now) => [1000, 3000, 5000].includes(now) && engine.observe((now + 1000) / 2000, now, 40, 0),
    );
    clock(engine, 6000, 120_000);
    expect(comms(sink)).toEqual(['GW1:GATEWAY_OFFLINE+@35000']);
    expect([1, 2, 3].map((id) => engine.isStale(id))).toEqual([true, true, true]);
  });

  it('telemetry brings an offline gateway back', () => {
    const { engine, sink } = engineWith(three, [gateway(GW1, 30_000)]);
    clock(engine, 0, 40_000);
    clock(engine, 41_000, 41_000, () => engine.observe(2, 41_000, 40, 0));
    expect(commsAll(sink)).toEqual([
      'GW1:GATEWAY_OFFLINE+@30000',
      'GW1:GATEWAY_OFFLINE-@41000',
      '#2:STALE-@41000',
    ]);
    expect(engine.isGatewayOffline(E1, GW1)).toBe(false);
  });

  it('a gateway alive by heartbeat: its silent points go stale individually', () => {
    const { engine, sink } = engineWith(three, [gateway(GW1, 30_000)]);
    // At 10 s the gateway has been quiet for 5 s (half the point timeout): the points wait for
    // the gateway's next sign of life (the heartbeat just after that tick), then go stale.
    clock(engine, 0, 20_000, (now) => now % 5000 === 0 && engine.gatewayOnline(E1, GW1, now));
    expect(comms(sink)).toEqual(['STALE+@11000', '#2:STALE+@11000', '#3:STALE+@11000']);
  });

  it('a gateway back from a short outage with a burst of spooled data raises nothing', () => {
    const { engine, sink } = engineWith(three, [gateway(GW1, 30_000)]);
    const all = (now: number) => [1, 2, 3].forEach((id) => engine.observe(id, now, 40, 0));
    clock(engine, 0, 2000, all);
    clock(engine, 3000, 19_000);
    clock(engine, 20_000, 20_000, () => {
      for (let ts = 3000; ts <= 20_000; ts += 1000) [1, 2, 3].forEach((id) => engine.observe(id, ts, 40, 0));
    });
    clock(engine, 21_000, 25_000, all);
    expect(comms(sink)).toEqual([]);
  });

  it('a point already stale before its gateway went offline keeps its STALE, no duplicate', () => {
    const { engine, sink } = engineWith(three, [gateway(GW1, 0)]);
    clock(engine, 0, 15_000, (now) => {
      engine.observe(2, now, 40, 0);
      engine.observe(3, now, 40, 0);
    });
    engine.gatewayOffline(E1, GW1, 15_500);
    clock(engine, 16_000, 40_000);
    expect(comms(sink)).toEqual(['STALE+@10000', 'GW1:GATEWAY_OFFLINE+@15500']);
  });

  it('repeated offline reports raise once; unknown gateways are rejected', () => {
    const { engine, sink } = engineWith(three, [gateway(GW1, 0)]);
    engine.tick(0);
    expect(engine.gatewayOffline(E1, GW1, 100)).toBe(true);
    expect(engine.gatewayOffline(E1, GW1, 200)).toBe(true);
    expect(engine.gatewayOffline(E1, 'NOPE', 200)).toBe(false);
    expect(engine.gatewayOnline('E9', GW1, 200)).toBe(false);
    expect(engine.isGatewayOffline(E1, 'NOPE')).toBeUndefined();
    expect(comms(sink)).toEqual(['GW1:GATEWAY_OFFLINE+@100']);
  });

  it('a clock going backwards is ignored', () => {
    const { engine, sink } = engineWith(three, [gateway(GW1, 0)]);
    engine.tick(50_000);
    engine.tick(0);
    engine.tick(Number.NaN);
    engine.tick(59_000);
    expect(comms(sink)).toEqual([]);
    engine.tick(60_000);
    expect(comms(sink)).toEqual(['STALE+@60000', '#2:STALE+@60000', '#3:STALE+@60000']);
  });
});
