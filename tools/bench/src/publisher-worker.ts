import { parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';

/**
 * Load generator for the ingest benchmark, in its own thread so that building payloads does not
 * steal the ingest's event loop. Closed loop: it keeps at most `windowMessages` messages ahead of
 * what the ingest has made durable (and so acknowledged), so the broker's per-client queue never
 * reaches its limit (Mosquitto drops beyond max_queued_messages, default 1000) and the figure
 * measured is the ingest's, not the broker's drop policy.
 */
export interface PublisherSpec {
  readonly mqttUrl: string;
  readonly gateways: ReadonlyArray<PublisherGateway>;
  readonly readingsPerMessage: number;
  readonly durationMs: number;
  readonly windowMessages: number;
  /**
   * Time of the first tick; each tick is 1 ms later (a burst: the whole run lies within seconds of
   * data time). Undefined: every tick is stamped with the time it is sent (as gateways do, so a long
   * run spreads over real minutes and the service's rollups see a real minute's rows).
   */
  readonly startTs?: number;
}

export interface PublisherGateway {
  readonly topic: string;
  /** The gateway's tags as JSON strings, ready for the payload. */
  readonly tags: readonly string[];
  /**
   * Per tag, the value around which it moves (± `wiggle`), e.g. the middle of its normal band so
   * that no alarm is raised (paced-load.ts `gatewayLoads`). Undefined: a ±100 sine wave.
   */
  readonly centre?: ArrayLike<number>;
  readonly wiggle?: ArrayLike<number>;
}

export type PublisherToMain =
  | { type: 'done'; messages: number; readings: number; maxOutstanding: number }
  | { type: 'error'; message: string };
export type MainToPublisher = { type: 'accepted'; messages: number };

async function run(spec: PublisherSpec): Promise<void> {
  const client = await mqtt.connectAsync(spec.mqttUrl, {
    clientId: `hw-bench-pub-${process.pid}`,
    clean: true,
  });
  let accepted = 0;
  let wake: (() => void) | undefined;
  parentPort!.on('message', (m: MainToPublisher) => {
    accepted = m.messages;
    wake?.();
  });
  const deadline = Date.now() + spec.durationMs;
  let messages = 0;
  let readings = 0;
  let tick = 0;
  let maxOutstanding = 0;
  let lastTs = 0;
  while (Date.now() < deadline) {
    // One tick: every point of every gateway reports once, 1 ms after the previous tick (or now).
    const ts = spec.startTs === undefined ? (lastTs = Math.max(Date.now(), lastTs + 1)) : spec.startTs + tick;
    tick++;
    for (let g = 0; g < spec.gateways.length && Date.now() < deadline; g++) {
      const { topic, tags, centre, wiggle } = spec.gateways[g]!;
      for (let off = 0; off < tags.length; off += spec.readingsPerMessage) {
        while (messages - accepted >= spec.windowMessages) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, 20);
          });
        }
        let body = '{"readings":[';
        const end = Math.min(tags.length, off + spec.readingsPerMessage);
        for (let i = off; i < end; i++) {
          const wave = Math.sin(ts / 1000 + i);
          const value =
            centre === undefined
              ? Math.round(wave * 10_000) / 100
              : Math.round((centre[i]! + (wiggle?.[i] ?? 0) * wave) * 1000) / 1000;
          body += `${i > off ? ',' : ''}{"tag":${tags[i]},"ts":${ts},"value":${value}}`;
        }
        body += ']}';
        maxOutstanding = Math.max(maxOutstanding, messages - accepted);
        client.publish(topic, body, { qos: 1 });
        messages++;
        readings += end - off;
        // Yield now and then so PUBACKs and window updates are processed.
        if (messages % 50 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }
  await client.endAsync();
  parentPort!.postMessage({ type: 'done', messages, readings, maxOutstanding } satisfies PublisherToMain);
}

run(workerData as PublisherSpec).catch((error: unknown) => {
  parentPort!.postMessage({ type: 'error', message: String(error) } satisfies PublisherToMain);
});
