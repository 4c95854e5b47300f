import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reading } from '@hazardwatch/contracts';
import type { Source } from '../src/source.js';

/**
 * The shared contract suite for the source seam (STYLE.md rule 8): every source (OPC-UA, Modbus
 * TCP, MQTT bridge) runs it against a real peer started in the test.
 */
export interface SourceHarness {
  /** Tags the source is configured with (already mapped: these are point tags, not addresses). */
  readonly tags: readonly string[];
  /** Starts the peer (OPC-UA server, Modbus server, local broker). After stopPeer, restarts it on the same port. */
  startPeer(): Promise<void>;
  /** Stops the peer abruptly (connections are dropped, not politely closed where the protocol allows). */
  stopPeer(): Promise<void>;
  /** Sets a tag's value at the peer, in engineering units (the harness applies the inverse of the configured scaling). */
  setValue(tag: string, value: number): Promise<void>;
  /** A new source configured for the peer with short timeouts and reconnect delays (≤ 500 ms). */
  createSource(): Source;
  /** Releases everything (peer, ports). */
  close(): Promise<void>;
}

export interface SourceContractOptions {
  /** Tolerance when comparing a scaled value (e.g. float32 or int16 quantisation). @default 1e-6 */
  readonly tolerance?: number;
  /** How long data may take to resume after the peer comes back. @default 15000 */
  readonly resumeWithinMs?: number;
}

export async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function sourceContract(
  name: string,
  makeHarness: () => Promise<SourceHarness>,
  options: SourceContractOptions = {},
): void {
  const tolerance = options.tolerance ?? 1e-6;
  const resumeWithinMs = options.resumeWithinMs ?? 15_000;

  describe(`source contract: ${name}`, () => {
    let harness: SourceHarness;
    let source: Source | undefined;
    let received: Reading[];
    const sink = (readings: readonly Reading[]): void => {
      received.push(...readings);
    };
    const latest = (tag: string): Reading | undefined => received.filter((r) => r.tag === tag).at(-1);

    beforeEach(async () => {
      received = [];
      harness = await makeHarness();
    });
    afterEach(async () => {
      await source?.stop();
      source = undefined;
      await harness.close();
    });

    it('reads every configured tag, mapped to point tags, with source timestamps and good quality', async () => {
      await harness.startPeer();
      source = harness.createSource();
      await source.start(sink);
      await waitUntil(
        () => harness.tags.every((t) => latest(t) !== undefined),
        10_000,
        'a reading for every tag',
      );
      await waitUntil(() => source!.status().state === 'connected', 5_000, 'state connected');
      for (const r of received) {
        expect(harness.tags).toContain(r.tag);
        expect(Number.isFinite(r.value)).toBe(true);
        expect(Number.isInteger(r.ts)).toBe(true);
        expect(Math.abs(r.ts - Date.now())).toBeLessThan(60_000);
        expect(r.quality ?? 'good').toBe('good');
      }
      const status = source.status();
      expect(status.name).toBe(source.name);
      expect(status.kind).toBe(source.kind);
      expect(status.readings).toBe(received.length);
      expect(status.lastReadingAt).toBeTypeOf('number');
    });

    it('delivers a changed value in engineering units (scaling applied)', async () => {
      await harness.startPeer();
      source = harness.createSource();
      await source.start(sink);
      const tag = harness.tags[0]!;
      await waitUntil(() => latest(tag) !== undefined, 10_000, 'first reading');
      for (const value of [12.5, 0, 87.25]) {
        await harness.setValue(tag, value);
        await waitUntil(
          () => Math.abs((latest(tag)?.value ?? NaN) - value) <= tolerance,
          10_000,
          `value ${value}`,
        );
      }
    });

    it('starts while the peer is down, reports connecting, and connects when the peer appears', async () => {
      source = harness.createSource();
      await source.start(sink);
      expect(source.status().state).toBe('connecting');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(received).toHaveLength(0);
      await harness.startPeer();
      await waitUntil(() => received.length > 0, resumeWithinMs, 'readings after the peer appeared');
      await waitUntil(() => source!.status().state === 'connected', 5_000, 'state connected');
    });

    it('recovers by itself after the peer restarts, without inventing readings for the gap', async () => {
      await harness.startPeer();
      source = harness.createSource();
      await source.start(sink);
      const tag = harness.tags[0]!;
      await waitUntil(() => latest(tag) !== undefined, 10_000, 'first reading');
      await harness.stopPeer();
      const downAt = Date.now();
      await waitUntil(
        () => source!.status().state === 'connecting',
        10_000,
        'state connecting after the peer stopped',
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      const upAt = Date.now();
      await harness.startPeer();
      await harness.setValue(tag, 42);
      await waitUntil(
        () => Math.abs((latest(tag)?.value ?? NaN) - 42) <= tolerance,
        resumeWithinMs,
        'data flowing again',
      );
      expect(source.status().reconnects).toBeGreaterThanOrEqual(1);
      expect(source.status().errors).toBeGreaterThanOrEqual(1);
      // A good reading stamped inside the outage would be an invented value.
      const invented = received.filter(
        (r) => (r.quality ?? 'good') === 'good' && r.ts > downAt + 200 && r.ts < upAt,
      );
      expect(invented).toEqual([]);
    });

    it('stops: state stopped, no sink call afterwards, idempotent', async () => {
      await harness.startPeer();
      source = harness.createSource();
      await source.start(sink);
      await waitUntil(() => received.length > 0, 10_000, 'first reading');
      await source.stop();
      expect(source.status().state).toBe('stopped');
      const count = received.length;
      await harness.setValue(harness.tags[0]!, 7);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(received.length).toBe(count);
      await source.stop();
    });
  });
}
