import { describe, expect, it } from 'vitest';
import { QUALITY_CODES } from '@hazardwatch/contracts';
import { engineWith, feed, isLadder, isLive, point } from './evaluation-fixture.js';

const ladder = { ll: 0, l: 10, h: 50, hh: 80 };
const { good, uncertain, bad } = QUALITY_CODES;
const active = (log: string[]) => log.filter((e) => e.includes('+'));

describe('sensor faults (SENSOR_BAD, OUT_OF_RANGE) are separate from process alarms', () => {
  it('bad quality raises SENSOR_BAD only; the bad value does not drive the limits', () => {
    const { engine, sink } = engineWith([point({ limits: ladder })]);
    engine.observe(1, 0, 40, good);
    sink.clear();
    engine.observe(1, 1000, 95, bad);
    engine.observe(1, 2000, -50, bad);
    expect(sink.log()).toEqual(['SENSOR_BAD+@1000']);
    engine.observe(1, 3000, 40, good);
    expect(sink.log()).toEqual(['SENSOR_BAD+@1000', 'SENSOR_BAD-@3000']);
  });

  it('holds the last good state through bad readings: an active H is neither cleared nor escalated', () => {
    const { engine, sink } = engineWith([point({ limits: ladder })]);
    feed(engine, [[0, 60]]);
    engine.observe(1, 1000, 20, bad);
    engine.observe(1, 2000, 99, bad);
    engine.observe(1, 3000, 60, good);
    expect(active(sink.log())).toEqual(['H+@0', 'SENSOR_BAD+@1000']);
    expect(engine.activeConditions(1)).toEqual(['H']);
  });

  it('an on-delay keeps running through bad readings (hold, not reset)', () => {
    const { engine, sink } = engineWith([point({ limits: ladder, onDelayMs: 5000 })]);
    feed(engine, [
      [0, 40],
      [1000, 55],
    ]);
    engine.observe(1, 3000, 0, bad);
    engine.observe(1, 6000, 55, good);
    expect(active(sink.log(isLadder))).toEqual(['H+@6000']);
  });

  it('a value outside the range raises OUT_OF_RANGE only, with the range bound as limit', () => {
    const { engine, sink } = engineWith([point({ limits: ladder, range: { min: 0, max: 100 } })]);
    feed(engine, [
      [0, 40],
      [1000, 150],
      [2000, -3],
      [3000, 40],
    ]);
    expect(sink.log((c) => c.condition === 'OUT_OF_RANGE')).toEqual([
      'OUT_OF_RANGE-@0',
      'OUT_OF_RANGE+@1000',
      'OUT_OF_RANGE-@3000',
    ]);
    expect(sink.changes.find((c) => c.active && c.condition === 'OUT_OF_RANGE')?.limit).toBe(100);
    expect(active(sink.log(isLadder))).toEqual([]);
  });

  it('range bounds themselves are in range', () => {
    const { engine, sink } = engineWith([point({ range: { min: 0, max: 100 } })]);
    feed(engine, [
      [0, 0],
      [1000, 100],
    ]);
    expect(active(sink.log())).toEqual(['NO_LIMITS+@0']);
  });

  it('a non-finite value is out of range', () => {
    const { engine, sink } = engineWith([point({ limits: ladder })]);
    feed(engine, [
      [0, 40],
      [1000, Number.NaN],
      [2000, Infinity],
    ]);
    expect(active(sink.log())).toEqual(['OUT_OF_RANGE+@1000']);
  });

  it('uncertain quality is evaluated (OPC UA allows its use)', () => {
    const { engine, sink } = engineWith([point({ limits: ladder })]);
    engine.observe(1, 0, 60, uncertain);
    expect(active(sink.log())).toEqual(['H+@0']);
  });
});

describe('out-of-order and duplicate samples never drive the live state machines', () => {
  it('a late sample beyond HH raises nothing live (its late lane reports it: late-lane.test.ts)', () => {
    const { engine, sink } = engineWith([point({ limits: ladder })]);
    feed(engine, [
      [0, 40],
      [2000, 40],
      [1000, 95],
      [1500, 95],
    ]);
    expect(active(sink.log(isLive))).toEqual([]);
    expect(active(sink.log())).toEqual(['HH+@1000 late']);
    expect(engine.counters()).toEqual({ accepted: 2, duplicate: 0, late: 2, outOfOrder: 0, unknownPoint: 0 });
  });

  it('a late normal sample does not clear an active alarm', () => {
    const { engine, sink } = engineWith([point({ limits: ladder })]);
    feed(engine, [
      [0, 40],
      [2000, 90],
      [1000, 40],
    ]);
    expect(sink.log(isLadder).slice(4)).toEqual(['HH+@2000']);
  });

  it('redelivered duplicates (same ts, any value) are ignored', () => {
    const { engine, sink } = engineWith([point({ limits: ladder, deadband: 1 })]);
    feed(engine, [
      [0, 40],
      [1000, 60],
      [1000, 60],
      [1000, 40],
      [0, 40],
      [1000, 20],
    ]);
    expect(sink.log(isLadder)).toEqual(['HH-@0', 'H-@0', 'LL-@0', 'L-@0', 'H+@1000']);
    // [0, 40] after 1000: a copy of a sample the live lane evaluated (late-lane.test.ts), not a replay.
    expect(engine.counters()).toMatchObject({ accepted: 2, duplicate: 4, late: 0, outOfOrder: 0 });
  });

  it('a late sample cannot complete an on-delay early', () => {
    const { engine, sink } = engineWith([point({ limits: ladder, onDelayMs: 5000 })]);
    feed(engine, [
      [0, 40],
      [7000, 55],
      [1000, 55],
      [8000, 55],
    ]);
    expect(active(sink.log())).toEqual([]);
    feed(engine, [[12_000, 55]]);
    expect(active(sink.log())).toEqual(['H+@12000']);
  });

  it('a late bad-quality sample raises no SENSOR_BAD', () => {
    const { engine, sink } = engineWith([point({ limits: ladder })]);
    feed(engine, [
      [0, 40],
      [2000, 40],
    ]);
    engine.observe(1, 1000, 40, bad);
    expect(active(sink.log())).toEqual([]);
  });

  it('unknown and disabled points are counted and ignored', () => {
    const { engine, sink } = engineWith([
      point({ limits: ladder }),
      point({ id: 2, limits: ladder, enabled: false }),
    ]);
    engine.observe(2, 0, 99, good);
    engine.observe(3, 0, 99, good);
    engine.observe(-1, 0, 99, good);
    engine.observe(1.5, 0, 99, good);
    expect(sink.changes).toEqual([]);
    expect(engine.counters().unknownPoint).toBe(4);
  });
});
