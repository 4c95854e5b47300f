import { describe, expect, it } from 'vitest';
import { ColourBook } from '../src/state/colour-book.js';
import { heldFromLatest, ValueBook } from '../src/state/value-book.js';

describe('ValueBook: conflated live values', () => {
  it('keeps the newest reading per point, whatever the arrival order', () => {
    const book = new ValueBook();
    expect(
      book.merge([
        { pointId: 1, ts: 100, value: 1, quality: 'good' },
        { pointId: 2, ts: 100, value: 5, quality: 'good' },
      ]),
    ).toBe(2);
    // A late REST answer (older) must not overwrite the live value.
    expect(book.merge([{ pointId: 1, ts: 50, value: 99, quality: 'good' }])).toBe(0);
    expect(book.merge([{ pointId: 1, ts: 200, value: 2, quality: 'uncertain' }])).toBe(1);
    expect(book.get(1)).toEqual({ pointId: 1, ts: 200, value: 2, quality: 'uncertain' });
    expect(book.get(2)?.value).toBe(5);
    expect(book.newestTs).toBe(200);
  });

  it('treats a repeated timestamp as no change', () => {
    const book = new ValueBook();
    book.merge([{ pointId: 1, ts: 100, value: 1, quality: 'good' }]);
    expect(book.merge([{ pointId: 1, ts: 100, value: 1, quality: 'good' }])).toBe(0);
  });

  it('holds a REST cold-start value by its quality name: the API answers the stored code (0, 1, 2)', () => {
    const book = new ValueBook();
    const latest = { pointId: 1, tag: 'TT-1', unit: '°C', ts: 100, value: 1, stale: false, inService: true };
    book.merge([
      heldFromLatest({ ...latest, quality: 2 }),
      heldFromLatest({ ...latest, pointId: 2, quality: 1 }),
    ]);
    expect([book.get(1)?.quality, book.get(2)?.quality]).toEqual(['bad', 'uncertain']);
    expect(book.get(1)).toEqual({ pointId: 1, ts: 100, value: 1, quality: 'bad' });
  });
});

describe('ColourBook: four-colour state per node', () => {
  it('applies live changes in arrival order, even when a later one carries an older (source) time', () => {
    const book = new ColourBook();
    book.apply({ level: 'enterprise', code: 'E1', from: null, to: 'blue', ts: 100 });
    // Gateway back online (server time 200), then HH from a reading stamped 150 at the source.
    book.apply({ level: 'enterprise', code: 'E1', from: 'blue', to: null, ts: 200 });
    book.apply({ level: 'enterprise', code: 'E1', from: null, to: 'red', ts: 150 });
    expect(book.get('enterprise', 'E1')).toBe('red');
    expect(book.get('hazard', 'E1/H1')).toBeNull();
  });

  it('keeps a live change that arrived while a snapshot was in flight, whatever the timestamps', () => {
    const book = new ColourBook();
    const since = book.mark();
    // A backdated reading: the change's server time is far before the browser's clock.
    book.apply({ level: 'enterprise', code: 'E1', from: null, to: 'red', ts: 20 });
    book.set('enterprise', 'E1', null, since);
    expect(book.get('enterprise', 'E1')).toBe('red');
    // A snapshot requested after the change is authoritative.
    book.set('enterprise', 'E1', 'yellow', book.mark());
    expect(book.get('enterprise', 'E1')).toBe('yellow');
    // And a live change after a snapshot always applies.
    book.apply({ level: 'enterprise', code: 'E1', from: 'yellow', to: null, ts: 5 });
    expect(book.get('enterprise', 'E1')).toBeNull();
  });

  it("keeps a region's change with the highest stored number, whichever worker's push arrives last", () => {
    const book = new ColourBook();
    // Worker A stored red (seq 7) after worker B stored blue (seq 5); A's push arrives first.
    book.apply({ level: 'region', code: 'P1', from: 'blue', to: 'red', ts: 300, seq: 7 });
    book.apply({ level: 'region', code: 'P1', from: null, to: 'blue', ts: 200, seq: 5 });
    expect(book.get('region', 'P1')).toBe('red');
    // A snapshot in between keeps the number: a stale push after it is still dropped.
    book.set('region', 'P1', 'red', book.mark());
    book.apply({ level: 'region', code: 'P1', from: null, to: 'blue', ts: 200, seq: 6 });
    expect(book.get('region', 'P1')).toBe('red');
    book.apply({ level: 'region', code: 'P1', from: 'red', to: null, ts: 400, seq: 9 });
    expect(book.get('region', 'P1')).toBeNull();
    // Changes without a number (other levels) keep arrival order.
    book.apply({ level: 'enterprise', code: 'E1', from: null, to: 'red', ts: 300 });
    book.apply({ level: 'enterprise', code: 'E1', from: 'red', to: 'blue', ts: 100 });
    expect(book.get('enterprise', 'E1')).toBe('blue');
  });

  it('derives point/hazard colours from counted alarms only (UNACK or ACKED, active)', () => {
    const m = ColourBook.fromAlarms([
      { key: 'p1', colour: 'yellow', state: 'UNACK', active: true },
      { key: 'p1', colour: 'red', state: 'ACKED', active: true },
      { key: 'p2', colour: 'red', state: 'RTNUN', active: false },
      { key: 'p3', colour: 'red', state: 'SHLVD', active: true },
      { key: null, colour: 'red', state: 'UNACK', active: true },
    ]);
    expect([...m]).toEqual([['p1', 'red']]);
  });
});
