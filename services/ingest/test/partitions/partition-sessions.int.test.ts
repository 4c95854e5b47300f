import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic } from '@hazardwatch/contracts';
import { partitionOf, PartitionSessions, type AckTicket } from '@hazardwatch/ingest';
import { providedServices, waitFor } from '@hazardwatch/testkit';

// Issue #23, "nothing lost in the gap": a partition's persistent MQTT session (client id per
// partition, not per worker) on the real broker keeps the partition's messages while nobody owns
// it, and the next owner — another worker — receives them; what the old owner took but did not
// acknowledge before its deadline is redelivered to the new owner.

const logger = pino({ level: 'silent' });
const SESSION = {
  protocolVersion: 4 as const,
  keepaliveSec: 30,
  reconnectPeriodMs: 200,
  connectTimeoutMs: 5000,
  receiveMaximum: 1000,
  sessionExpirySec: 3600,
};

/** Two enterprise codes hashed into one partition, and one into another. */
function codes(): { partition: number; same: [string, string]; other: string } {
  const byPartition = new Map<number, string[]>();
  for (let i = 0; ; i++) {
    const code = `91320623MA1T${String(i).padStart(6, '0')}`;
    const p = partitionOf(code);
    const list = byPartition.get(p) ?? [];
    list.push(code);
    byPartition.set(p, list);
    if (list.length === 2 && p !== 0) {
      const other = [...byPartition].find(([q]) => q !== p && q !== 0)?.[1][0];
      if (other) return { partition: p, same: [list[0]!, list[1]!], other };
    }
  }
}

interface Received {
  readonly topic: string;
  readonly n: number;
  readonly ack: AckTicket;
}

describe('PartitionSessions on the broker', () => {
  const { partition, same, other } = codes();
  const prefix = `hw-t-${randomBytes(4).toString('hex')}`;
  let pub: MqttClient;
  const workers: PartitionSessions[] = [];

  const worker = (owns: () => boolean, received: Received[], autoAck: boolean): PartitionSessions => {
    const s = new PartitionSessions({
      clientIdPrefix: prefix,
      count: 64,
      enterprises: () => [...same, other],
      session: { url: providedServices().mqttUrl, ...SESSION },
      owns: () => owns(),
      onMessage: (topic, payload, ack) => {
        received.push({ topic, n: (JSON.parse(payload.toString()) as { n: number }).n, ack });
        if (autoAck) ack.done();
      },
      logger,
    });
    workers.push(s);
    return s;
  };
  const publish = async (enterprise: string, from: number, to: number): Promise<void> => {
    for (let n = from; n < to; n++)
      await pub.publishAsync(telemetryTopic({ enterprise, gateway: 'GW1' }), JSON.stringify({ n }), {
        qos: 1,
      });
  };

  beforeAll(async () => {
    pub = await mqtt.connectAsync(providedServices().mqttUrl, { clientId: `${prefix}-pub`, clean: true });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stopAll()));
  });
  afterAll(async () => {
    await pub.endAsync();
    // The partition's session is removed from the broker (a clean connect discards it).
    const c = await mqtt.connectAsync(providedServices().mqttUrl, {
      clientId: PartitionSessions.clientId(prefix, partition),
      clean: true,
    });
    await c.endAsync();
  });

  it('names the session after the partition and subscribes its enterprises only (partition 0: also the malformed catch-alls)', () => {
    expect(PartitionSessions.clientId('hw-ingest', 7)).toBe('hw-ingest-p07');
    expect(PartitionSessions.filters(7, ['E1'])).toEqual(['hw/v1/E1/+/telemetry', 'hw/v1/E1/+/status']);
    expect(PartitionSessions.filters(0, [])).toContain('/hw/#');
  });

  it('keeps the partition’s messages while nobody owns it; the next owner gets every one, once', async () => {
    const gotA: Received[] = [];
    const a = worker(() => true, gotA, true);
    await a.open(partition);
    await publish(same[0], 0, 10);
    await publish(other, 1000, 1005); // another partition: not this session's
    await waitFor(
      () => Promise.resolve(gotA.length),
      (n) => n >= 10,
      'the owner to receive its messages',
    );
    await a.stop(partition);
    // Nobody owns the partition: the broker queues for its session.
    await publish(same[0], 10, 30);
    await publish(same[1], 100, 110);
    const gotB: Received[] = [];
    const b = worker(() => true, gotB, true);
    await b.open(partition);
    await waitFor(
      () => Promise.resolve(gotB.length),
      (n) => n >= 30,
      'the new owner to receive what was queued',
      10_000,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(gotA.map((m) => m.n)).toEqual([...Array(10).keys()]);
    expect(gotB.map((m) => m.n).sort((x, y) => x - y)).toEqual([
      ...Array.from({ length: 20 }, (_, i) => 10 + i),
      ...Array.from({ length: 10 }, (_, i) => 100 + i),
    ]);
  });

  it('what the old owner took but had not acknowledged by its deadline goes to the new owner', async () => {
    let aOwns = true;
    const gotA: Received[] = [];
    const a = worker(() => aOwns, gotA, false);
    await a.open(partition);
    await publish(same[0], 200, 205);
    await waitFor(
      () => Promise.resolve(gotA.length),
      (n) => n >= 5,
      'the old owner to take the messages',
    );
    // The deadline passes before the batch is durable: its acknowledgements are withheld.
    aOwns = false;
    for (const m of gotA) m.ack.done();
    await a.stop(partition);
    const gotB: Received[] = [];
    const b = worker(() => true, gotB, true);
    await b.open(partition);
    await waitFor(
      () => Promise.resolve(gotB.length),
      (n) => n >= 5,
      'the new owner to get the unacknowledged messages',
      10_000,
    );
    expect(gotB.map((m) => m.n)).toEqual([200, 201, 202, 203, 204]);
  });
});
