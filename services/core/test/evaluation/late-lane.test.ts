import { describe, expect, it } from 'vitest';
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
