import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic } from '@hazardwatch/contracts';
import { partitionOf, PartitionSessions } from '@hazardwatch/ingest';
import { providedServices, waitFor } from '@hazardwatch/testkit';

// Issue #23 item 4: site edits that add an enterprise to a partition or take one away change the
// partition's persistent MQTT session's subscriptions, on the real Mosquitto — also a session
// resumed by another owner with a subscription left behind, which would otherwise deliver an
// enterprise the partition no longer serves. Ordering, not time, decides "not delivered": a marker
// published after the message on a topic the session keeps arrives after it if it were delivered.

const logger = pino({ level: process.env.HW_TEST_LOG ?? 'silent' });
const SESSION = {
  protocolVersion: 4 as const,
  keepaliveSec: 30,
  reconnectPeriodMs: 200,
  connectTimeoutMs: 5000,
  receiveMaximum: 1000,
  sessionExpirySec: 3600,
};

/** Three enterprise codes hashed into one partition other than 0. */
function sameParititon(salt: string): { partition: number; codes: [string, string, string] } {
  const byPartition = new Map<number, string[]>();
  for (let i = 0; ; i++) {
    const code = `91320623MA1${salt}${String(i).padStart(6, '0')}`;
    const p = partitionOf(code);
    if (p === 0) continue;
    const list = byPartition.get(p) ?? [];
    list.push(code);
    byPartition.set(p, list);
    if (list.length === 3) return { partition: p, codes: [list[0]!, list[1]!, list[2]!] };
  }
}

describe('PartitionSessions: resubscribing after site edits (Mosquitto)', () => {
  const salt = randomBytes(2).toString('hex').toUpperCase().slice(0, 1);
  const { partition, codes } = sameParititon(salt);
  const [e1, e2, e3] = codes;
  let prefix = '';
  let pub: MqttClient;
  const open: PartitionSessions[] = [];

  const sessions = (enterprises: () => string[], received: string[]): PartitionSessions => {
    const s = new PartitionSessions({
      clientIdPrefix: prefix,
      count: 64,
      enterprises,
      session: { url: providedServices().mqttUrl, ...SESSION },
      owns: () => true,
      onMessage: (topic, payload, ack) => {
        received.push(`${topic.split('/')[2]}#${(JSON.parse(payload.toString()) as { n: number }).n}`);
        ack.done();
      },
      logger,
    });
    open.push(s);
    return s;
  };
  const publish = (enterprise: string, n: number) =>
    pub.publishAsync(telemetryTopic({ enterprise, gateway: 'GW1' }), JSON.stringify({ n }), { qos: 1 });
  /** Waits for `marker` (the last thing published) and returns everything received. */
  const until = (received: string[], marker: string) =>
    waitFor(
      () => Promise.resolve([...received]),
      (r) => r.includes(marker),
      `${marker} to arrive`,
    );

  beforeAll(async () => {
    pub = await mqtt.connectAsync(providedServices().mqttUrl, {
      clientId: `hw-t-pub-${randomBytes(4).toString('hex')}`,
      clean: true,
    });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.stopAll()));
    // Forget the test's persistent session.
    const c = await mqtt.connectAsync(providedServices().mqttUrl, {
      clientId: PartitionSessions.clientId(prefix, partition),
      clean: true,
    });
    await c.endAsync();
  });
  afterAll(async () => {
    await pub.endAsync();
  });

  it('subscribes an enterprise added to the partition and unsubscribes one that left it, while held', async () => {
    prefix = `hw-t-${randomBytes(4).toString('hex')}`;
    let site = [e1];
    const received: string[] = [];
    const s = sessions(() => site, received);
    await s.open(partition);
    await publish(e2, 1);
    await publish(e1, 2);
    expect(await until(received, `${e1}#2`)).toEqual([`${e1}#2`]);

    site = [e2, e3]; // e1 left, e2 and e3 added
    await s.refresh();
    await publish(e1, 3);
    await publish(e2, 4);
    await publish(e3, 5);
    expect(await until(received, `${e3}#5`)).toEqual([`${e1}#2`, `${e2}#4`, `${e3}#5`]);
    expect(s.strays).toBe(0);
  });

  it('a new owner resuming the session drops and unsubscribes an enterprise that left while it was away', async () => {
    prefix = `hw-t-${randomBytes(4).toString('hex')}`;
    const before: string[] = [];
    const a = sessions(() => [e1, e2], before);
    await a.open(partition);
    await publish(e1, 1);
    await publish(e2, 2);
    await until(before, `${e2}#2`);
    // The owner dies; meanwhile the site loses e1. The broker keeps the session, e1's filters too.
    await a.stop(partition);
    await publish(e1, 3); // queued for the session, now a stray
    await publish(e2, 4); // queued, the partition's own

    const received: string[] = [];
    const b = sessions(() => [e2], received);
    await b.open(partition);
    expect(await until(received, `${e2}#4`)).toEqual([`${e2}#4`]);
    expect(b.strays).toBe(1);
    await b.strayUnsubscribes();
    await publish(e1, 5);
    await publish(e2, 6);
    expect(await until(received, `${e2}#6`)).toEqual([`${e2}#4`, `${e2}#6`]);
    expect(b.strays).toBe(1);
  });

  it('opens the session of a held partition that had no enterprise once the site gives it one', async () => {
    prefix = `hw-t-${randomBytes(4).toString('hex')}`;
    let site: string[] = [];
    const received: string[] = [];
    const s = sessions(() => site, received);
    await s.open(partition);
    expect(s.partitions()).toEqual([]);
    site = [e3];
    await s.refresh();
    expect(s.partitions()).toEqual([partition]);
    await publish(e3, 1);
    expect(await until(received, `${e3}#1`)).toEqual([`${e3}#1`]);
  });

  it('a session whose enterprises changed while disconnected subscribes and unsubscribes at its reconnection', async () => {
    prefix = `hw-t-${randomBytes(4).toString('hex')}`;
    let site = [e1];
    const received: string[] = [];
    const s = sessions(() => site, received);
    await s.open(partition);
    await publish(e1, 1);
    await until(received, `${e1}#1`);
    // Drop the connection under the session (a broker restart or network cut looks the same to it).
    const kicker = await mqtt.connectAsync(providedServices().mqttUrl, {
      clientId: PartitionSessions.clientId(prefix, partition),
      clean: false,
      reconnectPeriod: 0,
    });
    site = [e2];
    await s.refresh(); // disconnected now: applied at the reconnection
    await kicker.endAsync(true);
    await waitFor(
      () => Promise.resolve(s.subscribed),
      (c) => c,
      'the session to reconnect and subscribe',
    );
    await s.strayUnsubscribes();
    await publish(e1, 2);
    await publish(e2, 3);
    expect(await until(received, `${e2}#3`)).toEqual([`${e1}#1`, `${e2}#3`]);
  });
});
