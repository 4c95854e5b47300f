import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@hazardwatch/kit';
import { PgListener } from '@hazardwatch/store';

/** Collects the listener's log messages (one JSON line each). */
function capturingLogger() {
  const messages: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      messages.push((JSON.parse(chunk.toString()) as { msg: string }).msg);
      done();
    },
  });
  return { messages, logger: pino({ level: 'warn' }, stream) };
}

/** Lets the refused connection attempt (loopback, port 1) settle. Not a sleep of the clock. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setTimeout(r, 5));
};

describe('PgListener reconnect backoff', () => {
  let listener: PgListener | undefined;
  afterEach(async () => {
    await listener?.close();
    listener = undefined;
  });

  it('retries a refused connection after kit backoff delays, full jitter from the injected random', async () => {
    const clock = new ManualClock(0);
    const { messages, logger } = capturingLogger();
    const attempts = (): number =>
      messages.filter((m) => m === 'listen connection lost; reconnecting').length;
    listener = new PgListener({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      channels: ['hw_test'],
      onNotification: () => undefined,
      logger,
      retryInitialMs: 100,
      retryMaxMs: 400,
      timers: clock,
      random: () => 0.5,
    });
    await listener.start();
    await settle();
    expect(attempts()).toBe(1);
    // Caps 100, 200, 400, 400: a draw of 0.5 waits 50, 100, 200, 200.
    for (const wait of [50, 100, 200, 200]) {
      const before = attempts();
      clock.advance(wait - 1);
      await settle();
      expect(attempts()).toBe(before);
      clock.advance(1);
      await settle();
      expect(attempts()).toBe(before + 1);
    }
    await listener.close();
    expect(clock.pendingTimers).toBe(0);
    expect(listener.listening).toBe(false);
  });
});
