import { describe, expect, it } from 'vitest';
import { EvaluationEngine, SiteIndex, coreErrors, validateSite } from '@hazardwatch/core';
import { baseSite } from '../site-fixture.js';
import { E1, GW1, RecordingSink, engineWith, feed, gateway, isLadder, point } from './evaluation-fixture.js';

const ladder = { ll: 0, l: 10, h: 50, hh: 80 };

describe('restart semantics: the first sample after construction emits the current state', () => {
  it('clears every normal condition once, then emits transitions only', () => {
    const { engine, sink } = engineWith(
      [point({ limits: { h: 50 }, staleAfterMs: 60_000 })],
      [gateway(GW1, 60_000)],
    );
    engine.tick(0);
    engine.observe(1, 1000, 40, 0);
    expect(sink.log()).toEqual([
      'GW1:GATEWAY_OFFLINE-@0',
      'STALE-@0',
      'ROC_RISE-@1000',
      'ROC_FALL-@1000',
      'NO_LIMITS-@1000',
      'SENSOR_BAD-@1000',
      'OUT_OF_RANGE-@1000',
      'HH-@1000',
      'H-@1000',
      'LL-@1000',
      'L-@1000',
    ]);
    sink.clear();
    feed(engine, [
      [2000, 40],
      [3000, 41],
    ]);
    expect(sink.changes).toEqual([]);
  });

  it('an alarm that still holds is raised (after its on-delay); the others are cleared', () => {
    const { engine, sink } = engineWith([point({ limits: ladder, onDelayMs: 2000 })]);
    feed(engine, [
      [0, 5],
      [1000, 5],
      [2000, 5],
    ]);
    expect(sink.log(isLadder)).toEqual(['HH-@0', 'H-@0', 'LL-@0', 'L+@2000']);
  });

  it('a first sample of bad quality raises SENSOR_BAD and leaves the limits undecided', () => {
    const { engine, sink } = engineWith([point({ limits: ladder })]);
    engine.observe(1, 0, 40, 2);
    expect(sink.log()).toEqual([
      'GW1:GATEWAY_OFFLINE-@0',
      'STALE-@0',
      'ROC_RISE-@0',
      'ROC_FALL-@0',
      'NO_LIMITS-@0',
      'SENSOR_BAD+@0',
    ]);
  });
});

describe('NO_LIMITS (REFERENCE §1, §8 item 1)', () => {
  it('is raised once per point without LL/L/H/HH at the first tick', () => {
    const { engine, sink } = engineWith([point({ id: 1 }), point({ id: 2, limits: { h: 1 } })]);
    engine.tick(500);
    engine.tick(1500);
    feed(engine, [
      [1000, 40],
      [2000, 40],
    ]);
    expect(sink.raises()).toEqual(['NO_LIMITS+@500']);
  });
});

describe('observeRows (columnar batches)', () => {
  it('emits exactly what observe() emits for the same rows, within [start, end)', () => {
    const spec = { limits: ladder, deadband: 1, onDelayMs: 1000 };
    const samples: Array<[number, number, number, number]> = [
      [1, 0, 40, 0],
      [2, 0, 95, 0],
      [1, 1000, 85, 0],
      [1, 1000, 85, 0],
      [2, 500, 40, 0],
      [1, 2500, 85, 2],
      [1, 3000, 85, 0],
      [9, 3000, 85, 0],
      [2, 4000, 40, 0],
    ];
    const one = engineWith([point({ id: 1, ...spec }), point({ id: 2, ...spec })]);
    for (const [id, ts, v, q] of samples) one.engine.observe(id, ts, v, q);
    const batched = engineWith([point({ id: 1, ...spec }), point({ id: 2, ...spec })]);
    const rows = {
      pointIds: Int32Array.from([0, ...samples.map((r) => r[0]), 1]),
      ts: Float64Array.from([0, ...samples.map((r) => r[1]), 99_999]),
      values: Float64Array.from([0, ...samples.map((r) => r[2]), 99]),
      qualities: Uint8Array.from([0, ...samples.map((r) => r[3]), 0]),
    };
    batched.engine.observeRows(rows, 1, samples.length + 1);
    expect(batched.sink.log()).toEqual(one.sink.log());
    expect(batched.engine.counters()).toEqual(one.engine.counters());
    expect(one.sink.raises()).toEqual(['SENSOR_BAD+@2500', 'HH+@3000']);
  });
});

describe('EvaluationEngine construction', () => {
  it('accepts SiteIndex points and the site gateways', () => {
    const r = validateSite(baseSite());
    if (!r.ok) throw new Error('fixture invalid');
    const index = new SiteIndex(r.site);
    const sink = new RecordingSink();
    const engine = new EvaluationEngine({ points: index.points(), gateways: r.site.gateways, sink });
    engine.observe(1, 0, 90, 0);
    expect(engine.activeConditions(1)).toEqual(['HH']);
    expect(engine.isGatewayOffline(E1, GW1)).toBe(false);
  });

  it('works with sparse store ids', () => {
    const { engine } = engineWith([point({ id: 7_000_000_000, limits: ladder })]);
    engine.observe(7_000_000_000, 0, 90, 0);
    expect(engine.activeConditions(7_000_000_000)).toEqual(['HH']);
  });

  it.each([2, 4, 11, 2.5])('rejects rocMinSamples %s', (rocMinSamples) => {
    expect(() => engineWith([point()], [], { rocMinSamples })).toThrow(
      expect.objectContaining({ code: 'HW_CORE_INVALID_NUMBER' }),
    );
  });

  it('rejects duplicate point ids', () => {
    let err: unknown;
    try {
      engineWith([point({ id: 3 }), point({ id: 3 })]);
    } catch (e) {
      err = e;
    }
    expect(coreErrors.is(err, 'HW_CORE_SITE_INDEX_BAD_ID')).toBe(true);
  });
});

describe('reconfigure keeps the state of unchanged points', () => {
  it('an unchanged point keeps its alarm, deadband and running on-delay', () => {
    const p1 = point({ id: 1, limits: ladder, deadband: 2 });
    const p2 = point({ id: 2, limits: ladder, onDelayMs: 5000 });
    const { engine, sink } = engineWith([p1, p2]);
    feed(engine, [[0, 60]]);
    feed(
      engine,
      [
        [0, 40],
        [1000, 60],
      ],
      2,
    );
    sink.clear();
    engine.reconfigure([p1, p2, point({ id: 3, limits: ladder })], [gateway()]);
    feed(engine, [[1000, 49]]);
    feed(engine, [[6000, 60]], 2);
    expect(sink.log()).toEqual(['#2:H+@6000']);
  });

  it('a changed limit is judged at the next sample, keeping what was emitted', () => {
    const { engine, sink } = engineWith([point({ limits: { h: 50 } })]);
    feed(engine, [[0, 60]]);
    engine.reconfigure([point({ limits: { h: 55 }, deadband: 1 })], [gateway()]);
    const h = () => sink.log((c) => c.condition === 'H');
    feed(engine, [[1000, 54.5]]);
    expect(h()).toEqual(['H+@0']);
    feed(engine, [[2000, 53.9]]);
    expect(h()).toEqual(['H+@0', 'H-@2000']);
  });

  it('removing or disabling a point clears its active conditions at the evaluation clock', () => {
    const { engine, sink } = engineWith([point({ id: 1, limits: ladder }), point({ id: 2, limits: ladder })]);
    engine.tick(100);
    feed(engine, [[0, 90]]);
    feed(engine, [[0, 60]], 2);
    sink.clear();
    engine.tick(5000);
    engine.reconfigure([point({ id: 2, limits: ladder, enabled: false })], [gateway()]);
    expect(sink.log()).toEqual(['HH-@5000', '#2:H-@5000']);
    engine.observe(1, 6000, 90, 0);
    expect(engine.counters().unknownPoint).toBe(1);
  });

  it('adding limits clears NO_LIMITS; removing them raises it', () => {
    const { engine, sink } = engineWith([point()]);
    engine.tick(0);
    feed(engine, [[0, 40]]);
    engine.tick(1000);
    engine.reconfigure([point({ limits: { h: 50 } })], [gateway()]);
    engine.tick(2000);
    engine.reconfigure([point()], [gateway()]);
    expect(sink.log((c) => c.condition === 'NO_LIMITS')).toEqual([
      'NO_LIMITS+@0',
      'NO_LIMITS-@1000',
      'NO_LIMITS+@2000',
    ]);
  });

  it('keeps an offline gateway offline, clears the condition of a removed gateway', () => {
    const { engine, sink } = engineWith(
      [point({ staleAfterMs: 10_000, limits: ladder })],
      [gateway(GW1), gateway('GW2')],
    );
    engine.tick(0);
    engine.gatewayOffline(E1, GW1, 100);
    engine.gatewayOffline(E1, 'GW2', 100);
    engine.tick(1000);
    engine.reconfigure([point({ staleAfterMs: 10_000, limits: ladder })], [gateway(GW1)]);
    engine.tick(60_000);
    expect(sink.log()).toEqual([
      'GW1:GATEWAY_OFFLINE+@100',
      'GW2:GATEWAY_OFFLINE+@100',
      'GW2:GATEWAY_OFFLINE-@1000',
    ]);
    expect(engine.isGatewayOffline(E1, GW1)).toBe(true);
    expect(engine.isStale(1)).toBe(true);
  });

  it('a point keeps its staleness deadline across a reconfiguration', () => {
    const p = point({ staleAfterMs: 10_000, limits: ladder });
    const { engine, sink } = engineWith([p]);
    engine.tick(0);
    feed(engine, [[0, 40]]);
    engine.tick(5000);
    engine.reconfigure([p], [gateway()]);
    engine.tick(9000);
    expect(sink.raises()).toEqual([]);
    engine.tick(10_000);
    expect(sink.raises()).toEqual(['STALE+@10000']);
  });
});
