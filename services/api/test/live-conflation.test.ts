import { describe, expect, it } from 'vitest';
import { decodeLiveValues, type LiveValue, type LiveValueFrame } from '@hazardwatch/contracts';
import {
  LIVE_BATCH_WINDOW_MS,
  ValueConflator,
  ValueRouter,
  type LiveServer,
  type LiveSocket,
} from '@hazardwatch/api';
import { ManualClock } from '@hazardwatch/kit';

const v = (pointId: number, ts: number, value = ts): LiveValue => ({ pointId, ts, value, quality: 'good' });

function setup(intervalMs = 1000) {
  const clock = new ManualClock();
  const sent: LiveValue[][] = [];
  let writable = true;
  const conflator = new ValueConflator({
    clock,
    intervalMs,
    canSend: () => writable,
    send: (b) => sent.push([...b]),
  });
  return { clock, sent, conflator, block: (w: boolean) => (writable = !w) };
}

describe('ValueConflator', () => {
  it('sends a point at once when it is due, and at most once per interval with its latest value', () => {
    const { clock, sent, conflator } = setup(1000);
    conflator.offer(v(1, 1));
    clock.advance(0);
    expect(sent).toEqual([[v(1, 1)]]);
    for (let ts = 2; ts <= 100; ts += 1) conflator.offer(v(1, ts));
    // Point 2 was never sent: it goes after one batch window, not after point 1's interval.
    conflator.offer(v(2, 5));
    clock.advance(LIVE_BATCH_WINDOW_MS - 1);
    expect(sent).toHaveLength(1);
    clock.advance(1);
    expect(sent).toEqual([[v(1, 1)], [v(2, 5)]]);
    clock.advance(1000 - LIVE_BATCH_WINDOW_MS - 1);
    expect(sent).toHaveLength(2);
    clock.advance(1);
    expect(sent).toEqual([[v(1, 1)], [v(2, 5)], [v(1, 100)]]);
  });

  it('passes a point updating at the interval through without holding it back, however late the last one came', () => {
    const { clock, sent, conflator } = setup(1000);
    const delays: number[] = [];
    let offeredAt = 0;
    const send = sent.push.bind(sent);
    sent.push = (...batches) => {
      delays.push(clock.now() - offeredAt);
      return send(...batches);
    };
    // 1 Hz source, delivered 0–90 ms after the source time: a late value followed by a prompt one
    // must not make the prompt one wait for the late one's interval (the delay would ratchet up).
    const lateness = [90, 0, 45, 10, 90, 5, 60, 0, 90, 1, 30, 80, 0, 90, 20, 70, 0, 90, 0, 50];
    lateness.forEach((late, i) => {
      clock.advance(i * 1000 + late - clock.now());
      offeredAt = clock.now();
      conflator.offer(v(7, i * 1000));
    });
    clock.advance(1000);
    expect(sent.flat()).toHaveLength(20);
    expect(delays).toEqual(new Array(20).fill(0));
  });

  it('sends a point changing faster than the interval about once per interval, never closer than 3/4 interval', () => {
    const { clock, sent, conflator } = setup(1000);
    const sentAt: number[] = [];
    const send = sent.push.bind(sent);
    sent.push = (...batches) => {
      sentAt.push(clock.now());
      return send(...batches);
    };
    // 10 Hz for 10 s, each value arriving 0–90 ms after its source time.
    for (let i = 0; i < 100; i++) {
      const ts = i * 100;
      clock.advance(ts + ((i * 37) % 90) - clock.now());
      conflator.offer(v(3, ts));
    }
    clock.advance(2000);
    const ts = sent.flat().map((x) => x.ts);
    expect(ts.at(-1)).toBe(9900);
    for (let i = 1; i < ts.length; i++) expect(sentAt[i]! - sentAt[i - 1]!).toBeGreaterThanOrEqual(750);
    // About one per interval (3/4 interval apart at most would allow 14).
    expect(ts.length).toBeGreaterThanOrEqual(9);
    expect(ts.length).toBeLessThanOrEqual(12);
  });

  it('puts values that become due within one batch window into one frame', () => {
    const { clock, sent, conflator } = setup(1000);
    conflator.offer(v(1, 1));
    clock.advance(0);
    for (let p = 2; p <= 20; p++) {
      conflator.offer(v(p, p));
      clock.advance(2);
    }
    clock.advance(LIVE_BATCH_WINDOW_MS);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.map((x) => x.pointId)).toEqual(Array.from({ length: 19 }, (_, i) => i + 2));
  });

  it('never lets an older reading overwrite a newer one', () => {
    const { clock, sent, conflator } = setup();
    conflator.offer(v(1, 10));
    conflator.offer(v(1, 5));
    clock.advance(0);
    expect(sent).toEqual([[v(1, 10)]]);
  });

  it('holds one entry per point while the client is backed up, and sends the latest once it drains', () => {
    const { clock, sent, conflator, block } = setup(250);
    block(true);
    for (let ts = 1; ts <= 10_000; ts += 1) conflator.offer(v(ts % 50, ts));
    clock.advance(5_000);
    expect(sent).toEqual([]);
    expect(conflator.pending).toBe(50);
    expect(conflator.skipped).toBeGreaterThan(1);
    block(false);
    clock.advance(250);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toHaveLength(50);
    expect(sent[0]!.find((x) => x.pointId === 0)).toEqual(v(0, 10_000));
  });

  it('applies a new interval to a held value, and sends nothing after close', () => {
    const { clock, sent, conflator } = setup(10_000);
    conflator.offer(v(1, 1));
    clock.advance(0);
    conflator.offer(v(1, 2));
    clock.advance(400);
    expect(sent).toHaveLength(1);
    conflator.intervalMs = 500;
    clock.advance(99);
    expect(sent).toHaveLength(1);
    clock.advance(1);
    expect(sent).toEqual([[v(1, 1)], [v(1, 2)]]);
    conflator.offer(v(1, 3));
    conflator.close();
    clock.advance(10_000);
    expect(sent).toHaveLength(2);
  });

  it('sends the first value offered after a new interval was set with nothing waiting', () => {
    const { clock, sent, conflator } = setup(1000);
    conflator.intervalMs = 250;
    conflator.offer(v(1, 1));
    clock.advance(LIVE_BATCH_WINDOW_MS);
    expect(sent).toEqual([[v(1, 1)]]);
  });

  it('forgets when points were sent once their interval has passed', () => {
    const { clock, sent, conflator } = setup(1000);
    for (let p = 0; p < 1000; p++) conflator.offer(v(p, 1));
    clock.advance(0);
    expect(sent[0]).toHaveLength(1000);
    clock.advance(5000);
    conflator.offer(v(5000, 2));
    clock.advance(LIVE_BATCH_WINDOW_MS);
    // Only the point just sent is still remembered.
    expect(conflator.remembered).toBe(1);
  });
});

/** A socket as ValueRouter sees it: rooms, interval, and the frames written to it. */
function fakeSocket(id: string, rooms: string[], intervalMs = 1000) {
  const frames: LiveValue[][] = [];
  const packets: unknown[] = [];
  const socket = {
    id,
    rooms: new Set([id, ...rooms]),
    data: { intervalMs },
    client: {
      _packet: (encoded: { data: [string, LiveValueFrame] }) => {
        expect(encoded.data[0]).toBe('values');
        packets.push(encoded);
        frames.push(decodeLiveValues(encoded.data[1]));
      },
    },
  };
  return { socket: socket as unknown as LiveSocket, frames, packets, raw: socket };
}

function routerSetup() {
  const clock = new ManualClock();
  let encodes = 0;
  const io = {
    encoder: {
      encode: (packet: unknown) => {
        encodes += 1;
        return packet;
      },
    },
  } as unknown as LiveServer;
  const backedUp = new Set<string>();
  // Point p is in room `point:p` and in `ent:A` (p < 100) or `ent:B`.
  const pointRooms = (p: number) => [`point:${p}`, p < 100 ? 'ent:A' : 'ent:B'];
  const router = new ValueRouter({
    io,
    clock,
    canSend: (s) => !backedUp.has(s.id),
    pointRooms,
  });
  const offer = (...values: LiveValue[]) =>
    router.values(values, { point: pointRooms } as unknown as Parameters<ValueRouter['values']>[1]);
  return { clock, router, offer, backedUp, encodes: () => encodes };
}

describe('ValueRouter', () => {
  it('encodes each batch once for all the sockets watching the same room at the same interval', () => {
    const { clock, router, offer, encodes } = routerSetup();
    const a = fakeSocket('a', ['ent:A']);
    const b = fakeSocket('b', ['ent:A']);
    const c = fakeSocket('c', ['ent:B']);
    for (const s of [a, b, c]) router.update(s.socket);
    expect(router.counts).toEqual({ streams: 2, shared: 3, own: 0 });
    offer(v(1, 1), v(2, 1), v(150, 1));
    clock.advance(0);
    expect(a.frames).toEqual([[v(1, 1), v(2, 1)]]);
    expect(b.frames).toEqual(a.frames);
    expect(c.frames).toEqual([[v(150, 1)]]);
    expect(encodes()).toBe(2);
  });

  it('sends a socket in two rooms each point once per interval', () => {
    const { clock, router, offer } = routerSetup();
    const s = fakeSocket('s', ['ent:A', 'point:1']);
    router.update(s.socket);
    expect(router.counts).toEqual({ streams: 0, shared: 0, own: 1 });
    offer(v(1, 1));
    clock.advance(0);
    offer(v(1, 2));
    clock.advance(999);
    expect(s.frames).toEqual([[v(1, 1)]]);
    clock.advance(1);
    expect(s.frames).toEqual([[v(1, 1)], [v(1, 2)]]);
  });

  it('skips a backed-up socket, then sends it the latest value of every point it missed with the next batch', () => {
    const { clock, router, offer, backedUp } = routerSetup();
    const fast = fakeSocket('fast', ['ent:A']);
    const slow = fakeSocket('slow', ['ent:A']);
    router.update(fast.socket);
    router.update(slow.socket);
    backedUp.add('slow');
    offer(v(1, 1), v(2, 1));
    clock.advance(0);
    offer(v(3, 2));
    clock.advance(100);
    expect(slow.frames).toEqual([]);
    backedUp.delete('slow');
    offer(v(1, 3), v(99, 3));
    clock.advance(1000);
    // Point 99 was due at once, point 1 one interval after it was sent.
    expect(fast.frames).toEqual([[v(1, 1), v(2, 1)], [v(3, 2)], [v(99, 3)], [v(1, 3)]]);
    expect(slow.frames).toHaveLength(2);
    expect(slow.frames[0]!.sort((x, y) => x.pointId - y.pointId)).toEqual([
      v(1, 1),
      v(2, 1),
      v(3, 2),
      v(99, 3),
    ]);
    // Caught up: from then on it gets the shared frame.
    expect(slow.packets[1]).toBe(fast.packets[3]);
  });

  it('moves a socket to the stream of its new interval and room, carrying what waited for it', () => {
    const { clock, router, offer } = routerSetup();
    const s = fakeSocket('s', ['ent:A']);
    router.update(s.socket);
    offer(v(1, 1));
    clock.advance(0);
    offer(v(1, 2), v(150, 2));
    s.raw.data.intervalMs = 250;
    router.update(s.socket);
    expect(router.counts).toEqual({ streams: 1, shared: 1, own: 0 });
    // Point 1's newer value, held back by the old interval, goes at once.
    expect(s.frames).toEqual([[v(1, 1)], [v(1, 2)]]);
    s.raw.rooms.delete('ent:A');
    router.update(s.socket);
    expect(router.counts).toEqual({ streams: 0, shared: 0, own: 0 });
    offer(v(1, 9));
    clock.advance(5000);
    expect(s.frames).toHaveLength(2);
  });
});
