/**
 * Takeover replay (issue #23 item 3): a new owner rebuilds the evaluators' short-term state from
 * the stored readings of the partition (EvaluationEngine.replay) before its first tick and first
 * live sample. Each case compares the new owner (history replayed, then live) with the previous
 * owner had it lived (every sample live), and with a bare restart (no replay) where that differs.
 */
import { describe, expect, it } from 'vitest';
import {
  AlarmBook,
  coreErrors,
  EvaluationEngine,
  type AlarmLifecycleEvent as AlarmEvent,
  type ConditionChange,
  type EvaluatedGateway,
  type EvaluatedPoint,
  type ReadingColumns,
  replayNeedMs,
  replayWindowMs,
} from '@hazardwatch/core';
import { engineWith, feed, gateway, isLadder, point, RecordingSink } from './evaluation-fixture.js';

type Sample = readonly [number, number];

const rows = (samples: readonly Sample[], id = 1, quality = 0): ReadingColumns => ({
  pointIds: Int32Array.from(samples, () => id),
  ts: Float64Array.from(samples, ([t]) => t),
  values: Float64Array.from(samples, ([, v]) => v),
  qualities: Uint8Array.from(samples, () => quality),
});

/** Samples every `step` ms over [from, to], value f(t). */
const series = (from: number, to: number, step: number, f: (t: number) => number): Sample[] => {
  const out: Sample[] = [];
  for (let t = from; t <= to; t += step) out.push([t, f(t)]);
  return out;
};

/**
 * The previous owner (every sample live) and the new owner (history replayed at the takeover,
 * then the live samples): what each emits for the live samples.
 */
function takeover(
  p: EvaluatedPoint,
  history: readonly Sample[],
  live: readonly Sample[],
): { previous: string[]; next: string[]; atTakeover: string[]; bare: string[] } {
  const previous = engineWith([p], []);
  feed(previous.engine, history);
  previous.sink.clear();
  feed(previous.engine, live);

  const next = engineWith([p], []);
  next.engine.replay(rows(history), live[0]![0]);
  const atTakeover = next.sink.log();
  next.sink.clear();
  feed(next.engine, live);

  const bare = engineWith([p], []);
  feed(bare.engine, live);
  // The first live sample of a new owner also clears STALE and GATEWAY_OFFLINE (restart
  // semantics, staleness-monitor.ts): left out of the comparison with the old owner.
  const process = (log: string[]) => log.filter((c) => !/STALE|GATEWAY_OFFLINE/.test(c));
  return {
    previous: process(previous.sink.log()),
    next: process(next.sink.log()),
    atTakeover,
    bare: process(bare.sink.log()),
  };
}

describe('EvaluationEngine.replay at a takeover', () => {
  it('completes a pending on-delay at first exceed + delay, not at takeover + delay', () => {
    // H = 50 with a 10 s on-delay; beyond from t = 0, the old owner died after 3 s.
    const p = point({ limits: { h: 50 }, onDelayMs: 10_000 });
    const r = takeover(
      p,
      series(0, 3000, 1000, () => 60),
      series(4000, 15_000, 1000, () => 60),
    );
    expect(r.atTakeover.filter((c) => c.startsWith('H'))).toEqual(['HH-@3000']);
    expect(r.next.filter((c) => c.startsWith('H'))).toEqual(['H+@10000']);
    expect(r.next).toEqual(r.previous);
    // Without the replay the wait would restart at the takeover: raised 4 s late.
    expect(r.bare.filter((c) => c.startsWith('H+'))).toEqual(['H+@14000']);
  });

  it('continues a deadband: an active alarm inside the deadband stays raised', () => {
    // H = 50, deadband 5: raised at 60, the value back at 48 (inside the deadband) at the takeover.
    const p = point({ limits: { h: 50 }, deadband: 5 });
    const r = takeover(
      p,
      [
        [0, 60],
        [1000, 48],
      ],
      [
        [2000, 47],
        [3000, 46],
        [4000, 44],
      ],
    );
    expect(r.atTakeover.filter((c) => c.startsWith('H'))).toEqual(['H+@1000', 'HH-@1000']);
    expect(r.next.filter((c) => isLadderLog(c))).toEqual(['H-@4000']);
    expect(r.next).toEqual(r.previous);
    // A bare restart judges 47 alone: normal at once, 2 s early.
    expect(r.bare).toContain('H-@2000');
  });

  it('continues an off-delay', () => {
    const p = point({ limits: { h: 50 }, offDelayMs: 5000 });
    const r = takeover(
      p,
      [
        [0, 60],
        [1000, 40],
        [2000, 40],
      ],
      series(3000, 8000, 1000, () => 40),
    );
    expect(r.next.filter((c) => isLadderLog(c))).toEqual(['H-@6000']);
    expect(r.next).toEqual(r.previous);
  });

  it('continues a rate-of-change window: the slope is judged at once, as the old owner would have', () => {
    // Rising 20 /min over a 60 s window, sampled every 5 s; the takeover after 50 s.
    const p = point({ rateOfChange: [{ direction: 'rising', slopePerMin: 10, windowMs: 60_000 }] });
    const ramp = (t: number) => (t / 60_000) * 20;
    const r = takeover(p, series(0, 50_000, 5000, ramp), series(55_000, 180_000, 5000, ramp));
    const rise = (log: string[]) => log.filter((c) => c.startsWith('ROC_RISE'));
    expect(rise(r.previous)).toHaveLength(1);
    expect(rise(r.next)).toEqual(rise(r.previous));
    // A bare restart needs a whole window of new data first.
    const [raisedAt] = rise(r.previous).map((c) => Number(c.split('@')[1]));
    const [bareAt] = rise(r.bare)
      .filter((c) => c.includes('+'))
      .map((c) => Number(c.split('@')[1]));
    expect(bareAt).toBeGreaterThanOrEqual(raisedAt! + 50_000);
  });

  it('raises nothing for a condition that returned before the takeover, and keeps its returned alarm', () => {
    const p = point({ limits: { h: 50 }, onDelayMs: 2000 });
    const history = [...series(0, 4000, 1000, () => 60), ...series(5000, 8000, 1000, () => 30)];
    const { previous, next } = owners(
      [p],
      history,
      series(9000, 12_000, 1000, () => 30),
    );
    expect(previous.open().map((a) => [a.condition, a.state])).toEqual([['H', 'RTNUN']]);
    expect(next.sink.log(isLadder).filter((c) => c.includes('+'))).toEqual([]);
    expect(next.book.open().map((a) => [a.id, a.condition, a.state])).toEqual(
      previous.open().map((a) => [a.id, a.condition, a.state]),
    );
    expect(next.events.filter((e) => e.condition === 'H')).toEqual([]);
  });

  it('raises no second alarm for a condition restored open, and returns it when the live readings say so', () => {
    const p = point({ limits: { h: 50 }, deadband: 2 });
    const { previous, next } = owners(
      [p],
      series(0, 3000, 1000, () => 60),
      [...series(4000, 6000, 1000, () => 60), [7000, 40]],
    );
    const [restored] = previous.open();
    expect(restored).toMatchObject({ condition: 'H', active: true });
    // The replay re-announced H as raised; the book already held it: no second alarm, no event.
    expect(next.sink.log(isLadder)).toContain('H+@3000');
    const h = next.events.filter((e) => e.condition === 'H');
    expect(h.map((e) => [e.alarmId, e.to])).toEqual([[restored!.id, 'RTNUN']]);
    expect(next.created).toEqual([]);
  });

  it('times a silent point out from its last stored reading, not from the takeover', () => {
    const p = point({ limits: { h: 50 }, staleAfterMs: 60_000 });
    const { engine, sink } = engineWith([p], [gateway('GW1', 0)]);
    engine.replay(rows([[100_000, 20]]), 130_000);
    engine.tick(130_000);
    engine.tick(159_999);
    expect(sink.log().filter((c) => c.startsWith('STALE'))).toEqual([]);
    engine.tick(160_000);
    expect(sink.log().filter((c) => c.startsWith('STALE'))).toEqual(['STALE+@160000']);
    // Without a replay the clock would have started at the takeover: stale at 190 s.
    const bare = engineWith([p], [gateway('GW1', 0)]);
    bare.engine.tick(130_000);
    bare.engine.tick(160_000);
    expect(bare.sink.log().filter((c) => c.startsWith('STALE+'))).toEqual([]);
  });

  it('goes STALE at the first tick for a point whose timeout ran out before the takeover; a live sample clears it', () => {
    const p = point({ limits: { h: 50 }, staleAfterMs: 60_000 });
    const { engine, sink } = engineWith([p], [gateway('GW1', 0)]);
    engine.replay(rows([[100_000, 20]]), 300_000);
    engine.tick(300_000);
    engine.observe(1, 301_000, 20, 0);
    expect(sink.log().filter((c) => c.startsWith('STALE'))).toEqual(['STALE+@300000', 'STALE-@300000']);
  });

  it('counts a gateway silent since before the takeover from its stored last-seen time: GATEWAY_OFFLINE, no STALE per point', () => {
    const p = point({ limits: { h: 50 }, staleAfterMs: 60_000 });
    const gw: EvaluatedGateway = gateway('GW1', 90_000);
    const { engine, sink } = engineWith([p], [gw]);
    engine.replay(rows([[100_000, 20]]), 150_000, [
      { enterprise: gw.enterprise, gateway: 'GW1', lastSeenMs: 100_000, online: true },
    ]);
    engine.tick(150_000);
    engine.tick(189_999);
    expect(sink.log().filter((c) => c.includes('+'))).toEqual([]);
    engine.tick(190_000);
    expect(sink.log().filter((c) => c.includes('+'))).toEqual(['GW1:GATEWAY_OFFLINE+@190000']);
    expect(engine.isStale(1)).toBe(true);
  });

  it('keeps a gateway stored offline offline', () => {
    const { engine, sink } = engineWith([point({ limits: { h: 50 } })], [gateway('GW1', 0)]);
    engine.replay(rows([]), 150_000, [
      { enterprise: 'E1', gateway: 'GW1', lastSeenMs: 100_000, online: false },
    ]);
    expect(sink.log()).toEqual(['GW1:GATEWAY_OFFLINE+@100000']);
    expect(engine.isGatewayOffline('E1', 'GW1')).toBe(true);
  });

  it('treats a redelivered stored reading as a duplicate and skips rows out of order', () => {
    const { engine } = engineWith([point({ limits: { h: 50 } })], []);
    const summary = engine.replay(
      rows([
        [1000, 20],
        [3000, 20],
        [2000, 20],
      ]),
      4000,
    );
    expect(summary).toEqual({ points: 1, readings: 2, skipped: 1 });
    engine.observe(1, 3000, 20, 0);
    expect(engine.counters()).toMatchObject({ accepted: 0, duplicate: 1 });
  });

  it('is refused once the engine has ticked or evaluated a live sample', () => {
    const ticked = engineWith([point()], []);
    ticked.engine.tick(0);
    expect(() => ticked.engine.replay(rows([[0, 1]]), 0)).toThrowError(
      expect.objectContaining({ code: 'HW_CORE_REPLAY_AFTER_START' }) as Error,
    );
    const fed = engineWith([point()], []);
    fed.engine.observe(1, 0, 1, 0);
    expect(() => fed.engine.replay(rows([[1, 1]]), 1)).toThrowError(
      coreErrors.create('HW_CORE_REPLAY_AFTER_START', { reason: 'live samples evaluated' }).message,
    );
  });
});

const isLadderLog = (c: string): boolean => /^(HH|H|L|LL)[+-]/.test(c);

describe('EvaluationEngine.holdActive: the alarm book restored at a restart or takeover', () => {
  // H = 50, deadband 5: raised long before the replayed window, the value has sat at 48 (inside
  // the deadband) ever since. The plant has not cleared it: the alarm must stay.
  const p = point({ limits: { h: 50 }, deadband: 5 });
  const inside = series(0, 60_000, 5000, () => 48);

  it('a takeover keeps an alarm whose value sits inside the deadband for the whole window', () => {
    // Without the book: a fresh machine judges 48 as normal and returns the alarm (the bug).
    const unheld = engineWith([p], []);
    unheld.engine.replay(rows(inside), 61_000);
    expect(unheld.sink.log(isLadder)).toContain('H-@60000');

    const { engine, sink } = engineWith([p], []);
    expect(engine.holdActive([{ pointId: 1, condition: 'H' }])).toBe(1);
    engine.replay(rows(inside), 61_000);
    expect(sink.log(isLadder)).toContain('H+@60000');
    expect(sink.log(isLadder)).not.toContain('H-@60000');
    sink.clear();
    feed(engine, [
      [62_000, 47],
      [63_000, 46],
    ]);
    expect(sink.log(isLadder)).toEqual([]);
    feed(engine, [[64_000, 44.9]]);
    expect(sink.log(isLadder)).toEqual(['H-@64000']);
  });

  it('a restart (no replay) keeps it too: the first live sample inside the deadband returns nothing', () => {
    const bare = engineWith([p], []);
    feed(bare.engine, [[1000, 48]]);
    expect(bare.sink.log(isLadder)).toContain('H-@1000');

    const { engine, sink } = engineWith([p], []);
    engine.holdActive([{ pointId: 1, condition: 'H' }]);
    feed(engine, [[1000, 48]]);
    expect(sink.log(isLadder)).not.toContain('H-@1000');
    expect(sink.log(isLadder)).toContain('H+@1000');
  });

  it('bad-quality readings hold a held alarm instead of returning it', () => {
    const q = point({ limits: { h: 50, hh: 80 } });
    const bad = engineWith([q], []);
    bad.engine.replay(
      rows(
        series(0, 30_000, 5000, () => 10),
        1,
        2,
      ),
      31_000,
    );
    // Without the book: HH returned while every reading was bad (the bug).
    expect(bad.sink.log(isLadder)).toContain('HH-@30000');
    const { engine, sink } = engineWith([q], []);
    engine.holdActive([{ pointId: 1, condition: 'HH' }]);
    engine.replay(
      rows(
        series(0, 30_000, 5000, () => 10),
        1,
        2,
      ),
      31_000,
    );
    expect(sink.log(isLadder).filter((c) => c.startsWith('HH'))).toEqual(['HH+@30000']);
    sink.clear();
    // The first good reading decides: 10 is far below HH.
    feed(engine, [[32_000, 10]]);
    expect(sink.log(isLadder).filter((c) => c.startsWith('HH'))).toEqual(['HH-@32000']);
  });

  it('a rate-of-change alarm held by the book stays raised through bad readings, until a slope is judged again', () => {
    const q = point({ rateOfChange: [{ direction: 'rising', slopePerMin: 10, windowMs: 60_000 }] });
    const roc = (log: string[]) => log.filter((c) => c.startsWith('ROC_RISE'));
    const bad = series(0, 30_000, 5000, () => 10);
    // Without the book: every reading of the window bad, no slope judged, and ROC_RISE returned.
    const unheld = engineWith([q], []);
    unheld.engine.replay(rows(bad, 1, 2), 31_000);
    expect(roc(unheld.sink.log())).toContain('ROC_RISE-@30000');

    const { engine, sink } = engineWith([q], []);
    expect(engine.holdActive([{ pointId: 1, condition: 'ROC_RISE' }])).toBe(1);
    engine.replay(rows(bad, 1, 2), 31_000);
    expect(roc(sink.log())).toEqual(['ROC_RISE+@30000']);
    sink.clear();
    // Good and flat again: nothing is decided before the history spans the window (60 s) …
    feed(
      engine,
      series(35_000, 90_000, 5000, () => 10),
    );
    expect(roc(sink.log())).toEqual([]);
    // … then the flat slope returns it.
    feed(
      engine,
      series(95_000, 130_000, 5000, () => 10),
    );
    expect(roc(sink.log())).toHaveLength(1);
    expect(roc(sink.log())[0]).toMatch(/^ROC_RISE-@/);
  });

  it('a held rate-of-change direction the point does not configure is skipped', () => {
    const { engine } = engineWith(
      [point({ rateOfChange: [{ direction: 'rising', slopePerMin: 10, windowMs: 60_000 }] })],
      [],
    );
    expect(
      engine.holdActive([
        { pointId: 1, condition: 'ROC_FALL' },
        { pointId: 1, condition: 'ROC_RISE' },
      ]),
    ).toBe(1);
  });

  it('skips unknown points, conditions that are not limits and limits the point no longer has', () => {
    const { engine } = engineWith([point({ limits: { h: 50 } })], []);
    expect(
      engine.holdActive([
        { pointId: 99, condition: 'H' },
        { pointId: 1, condition: 'STALE' },
        { pointId: 1, condition: 'ROC_RISE' },
        { pointId: 1, condition: 'LL' },
        { pointId: 1, condition: 'H' },
      ]),
    ).toBe(1);
  });

  it('is refused once the engine has ticked or evaluated a live sample', () => {
    const { engine } = engineWith([point({ limits: { h: 50 } })], []);
    engine.observe(1, 0, 1, 0);
    expect(() => engine.holdActive([{ pointId: 1, condition: 'H' }])).toThrowError(
      expect.objectContaining({ code: 'HW_CORE_REPLAY_AFTER_START' }) as Error,
    );
  });
});

/**
 * The previous owner (engine + alarm book) over the history; the new owner's book loaded with the
 * previous one's open alarms (the takeover's restore), its engine replaying the history, then live.
 */
function owners(
  points: readonly EvaluatedPoint[],
  history: readonly Sample[],
  live: readonly Sample[],
): {
  previous: AlarmBook;
  next: { book: AlarmBook; sink: RecordingSink; events: AlarmEvent[]; created: string[] };
} {
  let n = 0;
  const previous = new AlarmBook({ newId: () => `a${++n}` });
  const oldEngine = new EvaluationEngine({ points, gateways: [], sink: previous });
  feed(oldEngine, history);

  const book = new AlarmBook({ newId: () => `b${++n}` });
  const loaded = book.load(previous.open());
  expect(loaded.ok).toBe(true);
  const sink = new RecordingSink();
  const events: AlarmEvent[] = [];
  const created: string[] = [];
  const engine = new EvaluationEngine({
    points,
    gateways: [],
    sink: {
      change: (c: ConditionChange) => {
        sink.change(c);
        const update = book.change(c);
        events.push(...update.events);
        for (const a of update.alarms)
          if (a.id.startsWith('b') && !created.includes(a.id)) created.push(a.id);
      },
    },
  });
  engine.replay(rows(history), live[0]![0]);
  feed(engine, live);
  return { previous, next: { book, sink, events, created } };
}

describe('replayWindowMs', () => {
  it('covers on- plus off-delay and twice the longest rate window, within its bounds', () => {
    const rising = (windowMs: number) => ({ direction: 'rising' as const, slopePerMin: 1, windowMs });
    expect(replayWindowMs([point({ onDelayMs: 10_000 })])).toBe(10_000);
    expect(replayWindowMs([point({ onDelayMs: 10_000 })], 60_000)).toBe(60_000);
    // No delay, no rate of change: the newest reading alone (the book holds the active limits).
    expect(replayWindowMs([point()])).toBe(0);
    expect(replayNeedMs(point({ onDelayMs: 10_000, offDelayMs: 5000 }))).toBe(15_000);
    expect(replayWindowMs([point({ onDelayMs: 50_000, offDelayMs: 40_000 })])).toBe(90_000);
    expect(
      replayWindowMs([point({ onDelayMs: 5000 }), point({ id: 2, rateOfChange: [rising(300_000)] })]),
    ).toBe(600_000);
    expect(replayWindowMs([point({ onDelayMs: 86_400_000 })])).toBe(3_600_000);
  });
});
