import { describe, expect, it } from 'vitest';
import { ManualClock } from '@hazardwatch/kit';
import { Horn, type HornAlarm, type HornColour, type HornState } from '../src/logic/horn.js';

const red = (id: string, state: HornAlarm['state'] = 'UNACK', late = false): HornAlarm => ({
  id,
  colour: 'red',
  state,
  late,
});
const orange = (id: string, state: HornAlarm['state'] = 'UNACK'): HornAlarm => ({
  id,
  colour: 'orange',
  state,
});
const yellow = (id: string): HornAlarm => ({ id, colour: 'yellow', state: 'UNACK' });

/** A horn on a manual clock, with every burst it played and every state it reported. */
function horn() {
  const clock = new ManualClock(0);
  const played: HornColour[] = [];
  const states: HornState[] = [];
  const h = new Horn({
    clock,
    sound: (c) => played.push(c),
    onChange: (s) => states.push(s),
    redEveryMs: 2000,
    orangeEveryMs: 4000,
  });
  return { h, clock, played, states };
}

describe('horn: repeats while a red or orange alarm is unacknowledged (issue #21)', () => {
  it('is quiet for no alarm, yellow, acknowledged, shelved and late alarms', () => {
    const { h, clock, played } = horn();
    h.update([yellow('y'), red('a', 'ACKED'), red('s', 'SHLVD'), red('d', 'DSUPR'), red('l', 'UNACK', true)]);
    clock.advance(60_000);
    expect(h.state).toEqual({ status: 'quiet', colour: null, count: 0 });
    expect(played).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('repeats red every red period and orange every orange period, each with its own pattern', () => {
    const { h, clock, played } = horn();
    h.update([orange('o')]);
    expect(played).toEqual(['orange']);
    clock.advance(8000);
    expect(played).toEqual(['orange', 'orange', 'orange']);
    // A red one joins: red sounds at once and repeats at its own (faster) period.
    played.length = 0;
    h.update([orange('o'), red('r')]);
    expect(h.state).toEqual({ status: 'sounding', colour: 'red', count: 2 });
    clock.advance(4000);
    expect(played).toEqual(['red', 'red', 'red']);
  });

  it('stops when every red/orange alarm is acknowledged, and never plays again', () => {
    const { h, clock, played } = horn();
    h.update([red('r'), orange('o')]);
    h.update([red('r', 'ACKED'), orange('o')]);
    expect(h.state).toEqual({ status: 'sounding', colour: 'orange', count: 1 });
    h.update([red('r', 'ACKED'), orange('o', 'ACKED')]);
    expect(h.state.status).toBe('quiet');
    played.length = 0;
    clock.advance(60_000);
    expect(played).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a silence stops the sound and reports what it covered; acknowledging keeps it silenced', () => {
    const { h, clock, played } = horn();
    h.update([red('r1'), orange('o1')]);
    expect(h.silence()).toEqual({ count: 2, alarms: ['r1', 'o1'] });
    expect(h.state).toEqual({ status: 'silenced', colour: 'red', count: 2 });
    played.length = 0;
    clock.advance(60_000);
    expect(played).toEqual([]);
    // A second press has nothing to silence (and nothing to audit).
    expect(h.silence()).toBeNull();
    h.update([red('r1', 'ACKED'), orange('o1')]);
    expect(h.state).toEqual({ status: 'silenced', colour: 'orange', count: 1 });
    // A snapshot reload with the same alarms is not new.
    h.update([orange('o1'), red('r1', 'ACKED')]);
    expect(h.state.status).toBe('silenced');
    clock.advance(60_000);
    expect(played).toEqual([]);
  });

  it.each([
    ['another red alarm', [red('r1'), red('r2')], 'red'],
    ['an orange alarm while a red one is silenced', [red('r1'), orange('o2')], 'red'],
    ['the silenced orange alarm rising to red', [red('r1'), red('o1')], 'red'],
  ] as const)('a new annunciation re-arms the horn: %s', (_name, after, colour) => {
    const { h, clock, played } = horn();
    h.update([red('r1'), orange('o1')]);
    h.silence();
    h.update([red('r1')]);
    played.length = 0;
    h.update(after);
    expect(h.state.status).toBe('sounding');
    expect(h.state.colour).toBe(colour);
    clock.advance(2000);
    expect(played).toEqual([colour, colour]);
  });

  it('an acknowledged alarm that re-alarms sounds again after a silence', () => {
    const { h } = horn();
    h.update([red('r1'), red('r2')]);
    h.silence();
    h.update([red('r1', 'ACKED'), red('r2')]);
    expect(h.state.status).toBe('silenced');
    h.update([red('r1'), red('r2')]);
    expect(h.state).toEqual({ status: 'sounding', colour: 'red', count: 2 });
  });

  it('a silence ends when everything is acknowledged: the next alarm sounds', () => {
    const { h, played } = horn();
    h.update([orange('o1')]);
    h.silence();
    h.update([]);
    expect(h.state.status).toBe('quiet');
    played.length = 0;
    h.update([orange('o1')]);
    expect(h.state.status).toBe('sounding');
    expect(played).toEqual(['orange']);
  });

  it('reports each change of state once', () => {
    const { h, states } = horn();
    h.update([red('r1')]);
    h.update([red('r1')]);
    h.silence();
    h.update([]);
    expect(states.map((s) => s.status)).toEqual(['sounding', 'silenced', 'quiet']);
  });

  it('dispose stops the repetition', () => {
    const { h, clock, played } = horn();
    h.update([red('r1')]);
    h.dispose();
    played.length = 0;
    clock.advance(60_000);
    expect(played).toEqual([]);
    expect(h.state.status).toBe('quiet');
  });
});
