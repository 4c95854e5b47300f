import { describe, expect, it } from 'vitest';
import { ManualClock } from '@hazardwatch/kit';
import { LiveClient, type LiveHandlers, type LiveSocket } from '../src/live/live-client.js';

/** Just what LiveClient touches of a socket.io socket: handlers by event, `active`, `connect`. */
class FakeSocket {
  active = false;
  recovered = false;
  connects = 0;
  readonly handlers = new Map<string, (...args: unknown[]) => void>();
  on(event: string, handler: (...args: unknown[]) => void): this {
    this.handlers.set(event, handler);
    return this;
  }
  connect(): this {
    this.connects += 1;
    return this;
  }
  disconnect(): this {
    return this;
  }
  emitLocal(event: string, ...args: unknown[]): void {
    this.handlers.get(event)?.(...args);
  }
}

const noop = (): void => undefined;
const handlers: LiveHandlers = {
  state: noop,
  alarm: noop,
  colour: noop,
  warning: noop,
  values: noop,
  gateway: noop,
  change: noop,
  replayDone: noop,
  resync: noop,
  pushDegraded: noop,
};
const settle = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await Promise.resolve();
};

describe('LiveClient: a refused handshake is retried with backoff', () => {
  it('waits kit backoff delays (caps 2 s doubling to 30 s, full jitter from the injected random)', async () => {
    const clock = new ManualClock(0);
    const socket = new FakeSocket();
    let refreshes = 0;
    const client = new LiveClient({
      token: () => Promise.resolve('t'),
      refreshToken: () => {
        refreshes += 1;
        return Promise.resolve(true);
      },
      scopes: [],
      sinceEventId: () => null,
      handlers,
      connect: () => socket as unknown as LiveSocket,
      clock,
      random: () => 0.5,
    });
    client.start();
    // Caps 2, 4, 8, 16, 30, 30 s; a draw of 0.5 waits half of each.
    for (const wait of [1_000, 2_000, 4_000, 8_000, 15_000, 15_000]) {
      socket.emitLocal(
        'connect_error',
        Object.assign(new Error('refused'), { data: { code: 'HW_API_UNAUTHENTICATED' } }),
      );
      const before = socket.connects;
      clock.advance(wait - 1);
      await settle();
      expect(socket.connects).toBe(before);
      clock.advance(1);
      await settle();
      expect(socket.connects).toBe(before + 1);
    }
    expect(refreshes).toBe(6);
    // A connection starts the backoff over.
    socket.emitLocal('connect');
    socket.emitLocal('connect_error', new Error('refused'));
    clock.advance(1_000);
    await settle();
    expect(socket.connects).toBe(7);
    client.stop();
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('LiveClient: monitoring changes (issue #19)', () => {
  it("hands each live 'change' record to the store", () => {
    const socket = new FakeSocket();
    const seen: unknown[] = [];
    const client = new LiveClient({
      token: () => Promise.resolve('t'),
      refreshToken: () => Promise.resolve(true),
      scopes: [],
      sinceEventId: () => null,
      handlers: { ...handlers, change: (c) => seen.push(c.id) },
      connect: () => socket as unknown as LiveSocket,
    });
    client.start();
    socket.emitLocal('change', { id: '7', status: 'pending' });
    expect(seen).toEqual(['7']);
    client.stop();
  });
});

describe('LiveClient: live push interrupted on the server (live-status)', () => {
  it('says so and reloads the snapshot every 10 s while live:false; at live:true once more and stops', () => {
    const clock = new ManualClock(0);
    const socket = new FakeSocket();
    const seen: string[] = [];
    const client = new LiveClient({
      token: () => Promise.resolve('t'),
      refreshToken: () => Promise.resolve(true),
      scopes: [],
      sinceEventId: () => null,
      handlers: {
        ...handlers,
        resync: () => seen.push(`resync@${clock.now()}`),
        pushDegraded: (since) => seen.push(`degraded ${String(since)}@${clock.now()}`),
      },
      connect: () => socket as unknown as LiveSocket,
      clock,
    });
    client.start();
    socket.emitLocal('live-status', { live: false, reason: 'redis', since: 500 });
    // Said again (a second instance, a reconnection): still one refresh cycle.
    socket.emitLocal('live-status', { live: false, reason: 'redis', since: 500 });
    clock.advance(9_999);
    expect(seen).toEqual(['degraded 500@0']);
    clock.advance(1);
    clock.advance(10_000);
    clock.advance(5_000);
    expect(seen).toEqual(['degraded 500@0', 'resync@10000', 'resync@20000']);
    socket.emitLocal('live-status', { live: true, since: 25_000 });
    expect(seen.slice(3)).toEqual(['degraded null@25000', 'resync@25000']);
    clock.advance(60_000);
    expect(seen).toHaveLength(5);
    expect(clock.pendingTimers).toBe(0);
    // live:true when nothing was wrong changes nothing.
    socket.emitLocal('live-status', { live: true, since: 1 });
    expect(seen).toHaveLength(5);
    client.stop();
  });

  it('reloads the snapshot once when the server says resync (a publisher’s own Redis link was lost), with no degraded state', () => {
    const clock = new ManualClock(0);
    const socket = new FakeSocket();
    const seen: string[] = [];
    const client = new LiveClient({
      token: () => Promise.resolve('t'),
      refreshToken: () => Promise.resolve(true),
      scopes: [],
      sinceEventId: () => null,
      handlers: {
        ...handlers,
        resync: () => seen.push(`resync@${clock.now()}`),
        pushDegraded: (since) => seen.push(`degraded ${String(since)}@${clock.now()}`),
      },
      connect: () => socket as unknown as LiveSocket,
      clock,
    });
    client.start();
    clock.advance(3_000);
    socket.emitLocal('resync', { reason: 'redis', since: 1_000 });
    clock.advance(60_000);
    expect(seen).toEqual(['resync@3000']);
    expect(clock.pendingTimers).toBe(0);
    client.stop();
  });

  it('a dropped connection ends the degraded refresh (the connection state says more); stop() leaves no timer', () => {
    const clock = new ManualClock(0);
    const socket = new FakeSocket();
    const seen: Array<number | null> = [];
    let resyncs = 0;
    const client = new LiveClient({
      token: () => Promise.resolve('t'),
      refreshToken: () => Promise.resolve(true),
      scopes: [],
      sinceEventId: () => null,
      handlers: { ...handlers, resync: () => (resyncs += 1), pushDegraded: (since) => seen.push(since) },
      connect: () => socket as unknown as LiveSocket,
      clock,
    });
    client.start();
    socket.emitLocal('live-status', { live: false, reason: 'redis', since: 7 });
    socket.emitLocal('disconnect', 'transport close');
    expect(seen).toEqual([7, null]);
    clock.advance(30_000);
    expect(resyncs).toBe(0);
    socket.emitLocal('live-status', { live: false, reason: 'redis', since: 8 });
    client.stop();
    expect(clock.pendingTimers).toBe(0);
  });
});
