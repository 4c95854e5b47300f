import { describe, expect, it } from 'vitest';
import { RECENT_LIVE_SAMPLES } from '@hazardwatch/core';
import { engineWith, feed, isLadder, isLive, point } from './evaluation-fixture.js';

/** A combustible-gas detector (GB/T 50493-2019 §5.5.2: level-1 = H 20 %LEL, level-2 = HH 40 %LEL). */
const gas = (spec: Parameters<typeof point>[0] = {}) =>
  point({
    kind: 'combustible_gas',
    limits: { h: 20, hh: 40 },
    range: { min: 0, max: 100 },
    deadband: 1,
    ...spec,
  });

/** Samples every second from `from` to `to` (inclusive) at `value`. */
const hold = (from: number, to: number, value: number): Array<[number, number]> => {
  const out: Array<[number, number]> = [];
  for (let ts = from; ts <= to; ts += 1000) out.push([ts, value]);
  return out;
};

describe('late lane: replayed readings older than the live newest are evaluated in source-time order', () => {
  it('issue #16 item 2: 45 %LEL held for 20 s during an uplink outage raises and clears a late HH after replay', () => {
    const { engine, sink } = engineWith([gas()]);
    feed(engine, hold(0, 1000, 5)); // before the outage
    sink.clear();
    // Link back at 30 s: live data goes first …
    feed(engine, hold(30_000, 32_000, 5));
    // … then the spool replays what it held, oldest first.
    feed(engine, [...hold(2000, 4000, 5), ...hold(5000, 24_000, 45), ...hold(25_000, 29_000, 5)]);
    expect(sink.log(isLadder)).toEqual(['HH+@5000 late', 'HH-@25000 late']);
    // The live state of the point is not disturbed.
    expect(engine.activeConditions(1)).toEqual([]);
    expect(engine.counters()).toMatchObject({ accepted: 5, late: 28, outOfOrder: 0 });
  });

  it('the late lane applies the point on-delay, deadband and ladder like the live one', () => {
    const { engine, sink } = engineWith([gas({ onDelayMs: 3000, offDelayMs: 2000 })]);
    feed(engine, [[100_000, 5]]);
    sink.clear();
    feed(engine, [
      [1000, 25], // H condition starts
      [2000, 5], // back: on-delay restarts
      [3000, 25],
      [6000, 25], // 3 s held: H raised
      [7000, 45],
      [10_000, 45], // HH after on-delay: H hands over to HH
      [11_000, 39.5], // inside the deadband: holds
      [12_000, 10],
      [14_000, 10], // off-delay complete: back to normal
    ]);
    expect(sink.log(isLadder)).toEqual(['H+@6000 late', 'HH+@10000 late', 'H-@10000 late', 'HH-@14000 late']);
  });

  it('a live alarm is neither cleared nor duplicated by replayed data (late changes are separate)', () => {
    const { engine, sink } = engineWith([gas()]);
    feed(engine, [
      [0, 5],
      [30_000, 45],
    ]);
    feed(engine, [
      [10_000, 5],
      [20_000, 45],
    ]);
    expect(sink.log(isLadder).filter((e) => e.includes('+'))).toEqual(['HH+@30000', 'HH+@20000 late']);
    expect(engine.activeConditions(1)).toEqual(['HH']);
  });

  it('a replayed sample older than the lane newest (replay redelivered) is dropped, not re-evaluated', () => {
    const { engine, sink } = engineWith([gas()]);
    feed(engine, [[30_000, 5]]);
    sink.clear();
    feed(engine, [
      [10_000, 45],
      [11_000, 5],
      [10_000, 45],
      [11_000, 5],
    ]);
    expect(sink.log(isLadder)).toEqual(['HH+@10000 late', 'HH-@11000 late']);
    expect(engine.counters()).toMatchObject({ late: 2, outOfOrder: 2 });
  });

  it('a QoS 1 copy of samples the live lane evaluated, arriving after newer ones, is a duplicate: no late alarm for the episode again', () => {
    const { engine, sink } = engineWith([gas()]);
    // Raised and returned live …
    feed(engine, [
      [0, 5],
      [1000, 45],
      [2000, 45],
      [3000, 5],
      [4000, 5],
    ]);
    expect(sink.log(isLadder).filter((e) => !e.endsWith('@0'))).toEqual(['HH+@1000', 'HH-@3000']);
    sink.clear();
    // … then the gateway, its PUBACK lost, re-sends the message with the high readings.
    feed(engine, [
      [1000, 45],
      [2000, 45],
    ]);
    expect(sink.log()).toEqual([]);
    expect(engine.counters()).toMatchObject({ accepted: 5, duplicate: 2, late: 0, outOfOrder: 0 });
  });

  it('a copy of a sample the live alarm rests on is a duplicate, not a late note on the live alarm', () => {
    const { engine, sink } = engineWith([gas()]);
    feed(engine, [
      [0, 5],
      [1000, 45],
      [2000, 44],
    ]);
    sink.clear();
    feed(engine, [[1000, 45]]);
    expect(sink.log()).toEqual([]);
    expect(engine.activeConditions(1)).toEqual(['HH']);
    expect(engine.counters()).toMatchObject({ duplicate: 1, late: 0 });
  });

  it(`remembers the newest ${RECENT_LIVE_SAMPLES} live samples: a replayed sample between them, or older, is still evaluated late`, () => {
    const { engine, sink } = engineWith([gas()]);
    // Live: 1 s apart up to 10 s, then the link drops until 30 s.
    feed(engine, [...hold(0, 10_000, 5), [30_000, 5]]);
    sink.clear();
    // The spool fills the gap; the copy of 10 s (remembered) is a duplicate, 1 s (forgotten) is not.
    feed(engine, [[10_000, 5], [1000, 5], ...hold(11_000, 20_000, 45), [21_000, 5]]);
    expect(sink.log(isLadder)).toEqual(['HH+@11000 late', 'HH-@21000 late']);
    expect(engine.counters()).toMatchObject({ accepted: 12, duplicate: 1, late: 12, outOfOrder: 0 });
  });

  it('a late condition still active when the replay stops is reconciled with the live state at the next tick', () => {
    const { engine, sink } = engineWith([gas()]);
    engine.tick(0);
    feed(engine, [[30_000, 5]]);
    sink.clear();
    feed(engine, hold(20_000, 29_000, 45)); // the spool's last readings are still high
    expect(sink.log(isLadder)).toEqual(['HH+@20000 late']);
    engine.tick(30_000); // replay still fresh: nothing decided yet
    expect(sink.log(isLadder)).toEqual(['HH+@20000 late']);
    engine.tick(100_000); // the lane has been quiet: live data (normal at 30 s) decides
    expect(sink.log(isLadder)).toEqual(['HH+@20000 late', 'HH-@30000 late']);
    expect(sink.changes.at(-1)?.active).toBe(false);
    expect(engine.activeConditions(1)).toEqual([]);
  });

  it('live changes are never marked late', () => {
    const { engine, sink } = engineWith([gas()]);
    feed(engine, [
      [0, 5],
      [1000, 45],
      [2000, 5],
    ]);
    expect(sink.changes.every(isLive)).toBe(true);
  });
});
