import { afterEach, describe, expect, it, vi } from 'vitest';
import { shallowRef, watch } from 'vue';
import type { WarningRow } from '@hazardwatch/contracts';
import type { HazardApi } from '../src/api/endpoints.js';
import type { LiveSocket } from '../src/live/live-client.js';
import { createLiveStore } from '../src/state/live-store.js';
import type { SiteStore } from '../src/state/site-store.js';

/** Just what LiveClient touches of a socket.io socket (as in live-client.test.ts). */
class FakeSocket {
  active = true;
  recovered = false;
  readonly handlers = new Map<string, (...args: unknown[]) => void>();
  on(event: string, handler: (...args: unknown[]) => void): this {
    this.handlers.set(event, handler);
    return this;
  }
  connect(): this {
    return this;
  }
  disconnect(): this {
    return this;
  }
  emitLocal(event: string, ...args: unknown[]): void {
    this.handlers.get(event)?.(...args);
  }
}

const warning: WarningRow = {
  id: 'w1',
  enterprise: 'E1',
  hazard: 'CL-TF01',
  colour: 'red',
  state: 'pushed',
  level: 'enterprise',
  openedAt: 1,
  updatedAt: 1,
  closedAt: null,
};

afterEach(() => {
  vi.useRealTimers();
});

/**
 * The phone's list of open 预警 (PhoneWarningList.vue) and one 预警's page read again whenever
 * `live.warnings` changes: while the server cannot push, that must still happen, through the
 * snapshot reload every 10 s (live-client.ts DEGRADED_REFRESH_MS).
 */
describe('live store: live push interrupted on the server', () => {
  it('replaces live.warnings at every 10-s snapshot reload while degraded, and once more when push is back', async () => {
    vi.useFakeTimers();
    const api = {
      activeAlarms: vi.fn(() => Promise.resolve([])),
      latestOfEnterprise: vi.fn(() => Promise.resolve([])),
      // A new array at every answer, as a parsed response is.
      warnings: vi.fn(() => Promise.resolve([{ ...warning }])),
      pendingChangeCount: vi.fn(() => Promise.resolve(0)),
    };
    const site = {
      enterprises: shallowRef([]),
      hazards: shallowRef([]),
      points: shallowRef(new Map()),
      overviews: shallowRef(new Map()),
      loadOverviews: () => Promise.resolve(),
    };
    const live = createLiveStore(api as unknown as HazardApi, site as unknown as SiteStore);
    const socket = new FakeSocket();
    let changes = 0;
    watch(live.warnings, () => (changes += 1));
    live.start([], {
      token: () => Promise.resolve('t'),
      refreshToken: () => Promise.resolve(true),
      connect: () => socket as unknown as LiveSocket,
    });
    socket.emitLocal('connect');
    await vi.advanceTimersByTimeAsync(0);
    expect(live.connection.value).toBe('live');
    expect(changes).toBe(1);

    socket.emitLocal('live-status', { live: false, reason: 'redis', since: 500 });
    expect(live.pushDegradedSince.value).toBe(500);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(changes).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(changes).toBe(2);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(changes).toBe(3);
    expect(api.warnings).toHaveBeenCalledTimes(3);

    socket.emitLocal('live-status', { live: true, since: 25_000 });
    expect(live.pushDegradedSince.value).toBeNull();
    await vi.advanceTimersByTimeAsync(0);
    expect(changes).toBe(4);
    // Push is back: no more polling.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(changes).toBe(4);
    live.stop();
  });
});
