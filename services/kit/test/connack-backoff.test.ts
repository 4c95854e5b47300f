import { describe, expect, it } from 'vitest';
import {
  ConnackBackoff,
  ManualClock,
  backOffOnConnackRefusal,
  connackRefusalCode,
  type TimerHandle,
} from '@hazardwatch/kit';

describe('ConnackBackoff', () => {
  it('doubles from the period up to the cap, and is back to the period once accepted', () => {
    const b = new ConnackBackoff({ periodMs: 1000, jitter: 0 });
    expect(b.capMs).toBe(1000);
    const delays = Array.from({ length: 9 }, () => b.refused());
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    expect(b.refusals).toBe(9);
    expect(b.accepted()).toBe(true);
    expect(b.accepted()).toBe(false);
    expect(b.capMs).toBe(1000);
    expect(b.refused()).toBe(1000);
  });

  it('takes at most the jitter fraction off each delay, never below 1 ms', () => {
    const at = (r: number): number => new ConnackBackoff({ periodMs: 2000, random: () => r }).refused();
    expect(at(0)).toBe(2000);
    expect(at(0.5)).toBe(1900);
    expect(at(0.999_999)).toBe(1800);
    expect(new ConnackBackoff({ periodMs: 1, jitter: 0.9, random: () => 0.99 }).refused()).toBe(1);
  });

  it('never caps below the client’s own period, and refuses nonsense', () => {
    const b = new ConnackBackoff({ periodMs: 120_000, jitter: 0 });
    expect([b.refused(), b.refused()]).toEqual([120_000, 120_000]);
    expect(() => new ConnackBackoff({ periodMs: 0 })).toThrow(RangeError);
    expect(() => new ConnackBackoff({ periodMs: 1000, jitter: 1 })).toThrow(RangeError);
  });

  it('takes a numeric code while not connected as a refusal, nothing else', () => {
    const refusal = Object.assign(new Error('Connection refused: Not authorized'), { code: 5 });
    expect(connackRefusalCode(refusal, false)).toBe(5);
    expect(connackRefusalCode(Object.assign(new Error('x'), { code: 0x87 }), false)).toBe(0x87);
    expect(connackRefusalCode(refusal, true)).toBeUndefined();
    expect(
      connackRefusalCode(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), false),
    ).toBeUndefined();
    expect(connackRefusalCode(new Error('connack timeout'), false)).toBeUndefined();
  });
});

/**
 * A client that reconnects as mqtt.js 5 does (client.js `_setupReconnect`, handlers/connack.js):
 * after a lost or refused attempt the next one is scheduled with `options.reconnectPeriod` as it
 * reads at that moment; a refusal emits 'error' (numeric `code`) before scheduling; each attempt
 * emits 'reconnect'. Driven by a manual clock against a broker that says yes or no.
 */
class FakeMqttClient {
  connected = false;
  readonly options: { reconnectPeriod: number };
  readonly attempts: number[] = [];
  #timer: TimerHandle | undefined;
  readonly #listeners = new Map<string, Array<(arg?: unknown) => void>>();

  constructor(
    private readonly clock: ManualClock,
    private readonly broker: { accepts: boolean; up: boolean },
    reconnectPeriod: number,
  ) {
    this.options = { reconnectPeriod };
  }

  on(event: 'connect' | 'reconnect', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: string, listener: (err: Error) => void): this {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener as (arg?: unknown) => void]);
    return this;
  }

  connect(): void {
    this.#timer = undefined;
    this.attempts.push(this.clock.now());
    if (!this.broker.up) return this.#schedule();
    if (!this.broker.accepts) {
      this.#emit('error', Object.assign(new Error('Connection refused: Not authorized'), { code: 5 }));
      return this.#schedule();
    }
    this.connected = true;
    this.#emit('connect');
  }

  /** The broker drops the connection (restart, network). */
  lose(): void {
    this.connected = false;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.clock.setTimeout(() => {
      this.#emit('reconnect');
      this.connect();
    }, this.options.reconnectPeriod);
  }

  #emit(event: string, arg?: unknown): void {
    for (const l of this.#listeners.get(event) ?? []) l(arg);
  }
}

interface Line {
  level: 'warn' | 'info';
  data: Record<string, unknown>;
  msg: string;
}

function setUp(backOff: boolean): {
  clock: ManualClock;
  broker: { accepts: boolean; up: boolean };
  client: FakeMqttClient;
  lines: Line[];
} {
  const clock = new ManualClock(0);
  const broker = { accepts: false, up: true };
  const client = new FakeMqttClient(clock, broker, 1000);
  const lines: Line[] = [];
  const log = {
    warn: (data: object, msg: string) => lines.push({ level: 'warn', data: data as Line['data'], msg }),
    info: (data: object, msg: string) => lines.push({ level: 'info', data: data as Line['data'], msg }),
  };
  if (backOff) backOffOnConnackRefusal(client, { log, jitter: 0 });
  client.connect();
  return { clock, broker, client, lines };
}

describe('backOffOnConnackRefusal on a client that reconnects as mqtt.js does', () => {
  it('without it: a refused login is tried again every period (8 attempts in 8 s)', () => {
    const { clock, client } = setUp(false);
    clock.advance(7999);
    expect(client.attempts).toHaveLength(8);
  });

  it('tries a refused login after 1, 2, 4 s (4 attempts in 8 s), up to 60 s, logging each change once', () => {
    const { clock, client, lines } = setUp(true);
    clock.advance(7999);
    expect(client.attempts).toEqual([0, 1000, 3000, 7000]);
    clock.advance(10 * 60_000);
    const gaps = client.attempts.slice(1).map((t, i) => t - client.attempts[i]!);
    expect(gaps.slice(0, 8)).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
    // One warn per change of delay (1, 2, 4 … 60 s), none per attempt at the cap.
    const warns = lines.filter((l) => l.level === 'warn');
    expect(warns.map((l) => l.data['delayMs'])).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000]);
    expect(warns[0]).toMatchObject({ data: { code: 5, refusals: 1, periodMs: 1000 } });
  });

  it('once accepted it is connected, and a later loss reconnects after the normal period', () => {
    const { clock, broker, client, lines } = setUp(true);
    clock.advance(7999);
    broker.accepts = true;
    clock.advance(8000); // the attempt due at 15 s
    expect(client.connected).toBe(true);
    expect(client.options.reconnectPeriod).toBe(1000);
    expect(lines.at(-1)).toMatchObject({ level: 'info', data: { refusals: 4, periodMs: 1000 } });
    client.lose();
    const lostAt = clock.now();
    clock.advance(1000);
    expect(client.connected).toBe(true);
    expect(client.attempts.at(-1)).toBe(lostAt + 1000);
  });

  it('keeps the normal period for a broker that is down, even after refusals', () => {
    const { clock, broker, client } = setUp(true);
    clock.advance(3500); // refused at 0, 1 s and 3 s: next due at 7 s
    broker.up = false;
    clock.advance(3500); // at 7 s: no answer at all
    const downAt = client.attempts.at(-1)!;
    clock.advance(3000);
    expect(client.attempts.filter((t) => t > downAt)).toEqual([downAt + 1000, downAt + 2000, downAt + 3000]);
    // Back up and still refusing: the backoff goes on from where it was (8 s after the 4th refusal).
    broker.up = true;
    clock.advance(1000);
    const refusedAt = client.attempts.at(-1)!;
    clock.advance(7999);
    expect(client.attempts.at(-1)).toBe(refusedAt);
    clock.advance(1);
    expect(client.attempts.at(-1)).toBe(refusedAt + 8000);
  });
});
