import { describe, expect, it, vi } from 'vitest';
import { shallowRef } from 'vue';
import type { LiveAlarmEvent } from '@hazardwatch/contracts';
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

const event = (id: number, from: LiveAlarmEvent['from'], to: LiveAlarmEvent['to']): LiveAlarmEvent => ({
  id,
  alarmId: `a${Math.ceil(id / 2)}`,
  sourceKey: 'point:7',
  pointId: 7,
  condition: 'HH',
  from,
  to,
  ts: id,
  actor: 'system',
  reason: null,
  value: 1.5,
  colour: 'red',
  enterprise: 'E1',
  hazard: 'CL-TF01',
  gateway: 'GW01',
  region: 'R1',
  replayed: false,
});

/**
 * The alarm list remembers a closed alarm only for a snapshot in flight (console-alarm-list.ts):
 * a snapshot whose request failed must not keep it remembering every alarm closed afterwards, for
 * as long as the screen runs (a wall whose reconnects are recovered never loads another).
 */
describe('live store: a failed snapshot reload', () => {
  it('leaves no closed alarm remembered for it', async () => {
    const api = {
      activeAlarms: vi.fn(() => Promise.reject(new Error('503'))),
      latestOfEnterprise: vi.fn(() => Promise.resolve([])),
      warnings: vi.fn(() => Promise.resolve([])),
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
    live.start([], {
      token: () => Promise.resolve('t'),
      refreshToken: () => Promise.resolve(true),
      connect: () => socket as unknown as LiveSocket,
    });
    await expect(live.reload()).rejects.toThrow('503');
    for (let id = 1; id <= 200; id += 2) {
      socket.emitLocal('alarm', event(id, 'NORM', 'UNACK'));
      socket.emitLocal('alarm', event(id + 1, 'UNACK', 'NORM'));
    }
    expect(live.alarms.size).toBe(0);
    expect(live.alarms.tombstones).toBe(0);
    live.stop();
  });
});
