import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DurableAckSubscriber, type AckTicket } from '@hazardwatch/ingest';
import { startTcpProxy, type TcpProxy } from '@hazardwatch/testkit';
import { brokerCases, discardSession, logger, publisher, uid, waitFor, type TestBroker } from './support.js';

const brokers = brokerCases();

/**
 * The ingest's connection drops while messages it took are not yet durable (storage behind, a
 * backlog): the broker resumes the session and re-sends them. They are the same messages, already
 * in the pipeline and evaluated: handed over again they reached the evaluators a second time,
 * older than the newest readings, as if replayed. Each is taken once, and acknowledged once the
 * original is durable.
 */
describe.each(brokers)('a redelivery to the same process through %s', (_name, available, startBroker) => {
  let broker: TestBroker;
  let sub: DurableAckSubscriber;
  let device: MqttClient;
  let clientId: string;
  let proxy: TcpProxy;
  /** What the next connections get instead of what the broker sent (a broker reusing an id). */
  let rewrite: ((chunk: Buffer) => Buffer) | null = null;
  const taken: Array<{ payload: string; ticket: AckTicket }> = [];
  /** Every PUBLISH that reached the subscriber, as sent (copies included). */
  const arrived: string[] = [];

  beforeEach(async () => {
    if (!available) return;
    taken.length = 0;
    arrived.length = 0;
    rewrite = null;
    broker = await startBroker();
    const target = new URL(broker.url);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 1883), () => {
      const r = rewrite;
      return (chunk) => (r === null ? chunk : r(chunk));
    });
    clientId = uid('hw-t-redeliver-');
    const topic = uid('hwtest-redeliver-');
    sub = new DurableAckSubscriber(options([`${topic}/#`]), (_topic, payload, ticket) =>
      taken.push({ payload: payload.toString(), ticket }),
    );
    sub.client.on('packetreceive', (p) => {
      if (p.cmd === 'publish') arrived.push(String(p.payload));
    });
    await sub.start();
    await waitFor(() => sub.subscribed, 5000, 'subscribed');
    device = await publisher(broker.url);
    send = async (n: number) => {
      await device.publishAsync(`${topic}/data`, `<m${n}>`, { qos: 1 });
    };
  });

  let send: (n: number) => Promise<void>;

  /** This test's session through the proxy, reconnecting at once. */
  const options = (subscriptions: readonly string[]) => ({
    url: `mqtt://127.0.0.1:${proxy.port}`,
    clientId,
    protocolVersion: 4 as const,
    keepaliveSec: 60,
    reconnectPeriodMs: 100,
    connectTimeoutMs: 5_000,
    receiveMaximum: 100,
    sessionExpirySec: 60,
    subscriptions,
    logger,
  });

  afterEach(async () => {
    if (!available) return;
    await device.endAsync();
    await sub.kill();
    await discardSession(broker.url, clientId);
    await proxy.close();
    await broker.close();
  });

  /** A PINGREQ answered: the broker has read everything sent before it (our PUBACKs). */
  async function settle(): Promise<void> {
    const answered = new Promise<void>((resolve) => {
      const on = (p: { cmd: string }) => {
        if (p.cmd !== 'pingresp') return;
        sub.client.off('packetreceive', on);
        resolve();
      };
      sub.client.on('packetreceive', on);
    });
    (sub.client as unknown as { _sendPacket(p: { cmd: 'pingreq' }): void })._sendPacket({ cmd: 'pingreq' });
    await answered;
  }

  const payloads = () => taken.map((t) => t.payload.slice(1, -1));

  /** Drops the connection as a network fault would; mqtt.js reconnects and resumes the session. */
  async function dropConnection(): Promise<void> {
    const reconnected = new Promise<void>((resolve) => sub.client.once('connect', () => resolve()));
    sub.client.stream.destroy();
    await reconnected;
  }

  it.runIf(available)(
    'takes each message once and acknowledges the copy when the original is durable',
    async () => {
      for (let n = 1; n <= 5; n++) await send(n);
      await waitFor(() => taken.length === 5, 5000, 'five taken');
      expect(sub.unacknowledged).toBe(5);

      await dropConnection();
      // Two of them became durable while the connection was down.
      taken[0]!.ticket.done();
      taken[1]!.ticket.done();
      // A new message after the redelivered ones: once it is here, so are they.
      await send(6);
      await waitFor(() => taken.length >= 6, 5000, 'the new message taken');
      // The broker did send all five again; none was handed over again.
      expect(arrived).toHaveLength(11);
      expect(payloads()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
      expect(sub.redeliveriesRecognised).toBe(5);
      // The copies of m1 and m2 are acknowledged; m3–m5 wait for their originals, m6 for itself.
      await waitFor(() => sub.unacknowledged === 4, 5000, 'the durable copies acknowledged');

      for (const t of taken.slice(2)) t.ticket.done();
      await waitFor(() => sub.unacknowledged === 0, 5000, 'all acknowledged');
      await settle();

      // The broker holds nothing more: a second drop brings nothing again.
      await dropConnection();
      await send(7);
      await waitFor(() => taken.length >= 7, 5000, 'm7 taken');
      expect(payloads()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
      expect(arrived).toHaveLength(12);
    },
  );

  it.runIf(available)('a copy redelivered twice waits for the original across both connections', async () => {
    await send(1);
    await waitFor(() => taken.length === 1, 5000, 'taken');
    await dropConnection();
    await waitFor(() => arrived.length === 2, 5000, 'redelivered once');
    await dropConnection();
    await waitFor(() => arrived.length === 3, 5000, 'redelivered twice');
    expect(taken).toHaveLength(1);
    expect(sub.unacknowledged).toBe(1);
    taken[0]!.ticket.done();
    await waitFor(() => sub.unacknowledged === 0, 5000, 'acknowledged');
    await settle();
    await dropConnection();
    await send(2);
    await waitFor(() => taken.length >= 2, 5000, 'm2 taken');
    expect(payloads()).toEqual(['m1', 'm2']);
    expect(arrived).toHaveLength(4);
  });

  it.runIf(available)(
    'other content under a taken id (a broker handing the id out again) is handed over',
    async () => {
      await send(1);
      await waitFor(() => taken.length === 1, 5000, 'taken');
      // From now on the broker's redelivery of <m1> reaches us as <x1>: same id, other bytes.
      rewrite = (chunk) => Buffer.from(chunk.toString('latin1').replaceAll('<m1>', '<x1>'), 'latin1');
      await dropConnection();
      await waitFor(() => taken.length === 2, 5000, 'handed over');
      expect(payloads()).toEqual(['m1', 'x1']);
      expect(sub.redeliveriesRecognised).toBe(0);
      // Each is acknowledged for itself.
      taken[1]!.ticket.done();
      await waitFor(() => sub.unacknowledged === 0, 5000, 'acknowledged');
    },
  );

  it.runIf(available)(
    'a message the application dropped (a partition past its lease) is handed over again',
    async () => {
      await send(1);
      await send(2);
      await waitFor(() => taken.length === 2, 5000, 'two taken');
      // m1 dropped before the connection drops; m2 after its copy has come back.
      taken[0]!.ticket.drop();
      await dropConnection();
      await waitFor(() => arrived.length === 4, 5000, 'both redelivered');
      await waitFor(() => taken.length === 3, 5000, 'm1 handed over again');
      expect(payloads()).toEqual(['m1', 'm2', 'm1']);
      taken[1]!.ticket.drop();
      await waitFor(() => taken.length === 4, 5000, 'm2 handed over once dropped');
      expect(payloads()).toEqual(['m1', 'm2', 'm1', 'm2']);
      // The first outcome counts: the dropped tickets settle nothing now.
      taken[0]!.ticket.done();
      taken[1]!.ticket.done();
      expect(sub.unacknowledged).toBe(2);
      taken[2]!.ticket.done();
      taken[3]!.ticket.done();
      await waitFor(() => sub.unacknowledged === 0, 5000, 'the copies acknowledged');
      await settle();
      await dropConnection();
      await send(3);
      await waitFor(() => taken.length === 5, 5000, 'm3 taken');
      expect(arrived).toHaveLength(5);
    },
  );

  it.runIf(available)(
    'a PUBACK held by pause() is not sent for a message of a connection that has gone',
    async () => {
      sub.pause();
      await send(1);
      await waitFor(() => taken.length === 1, 5000, 'taken while paused');
      // The network goes while mqtt.js's callback for m1 is held; intake resumes before it is back.
      const closed = new Promise<void>((resolve) => sub.client.once('close', () => resolve()));
      proxy.cut();
      await closed;
      sub.resume();
      const reconnected = new Promise<void>((resolve) => sub.client.once('connect', () => resolve()));
      proxy.restore();
      await reconnected;
      await waitFor(() => arrived.length === 2, 5000, 'm1 redelivered');
      await settle();
      // m1 is not durable: the broker still holds it, and sends it again at the next connection.
      await dropConnection();
      await waitFor(() => arrived.length === 3, 5000, 'm1 redelivered again');
      expect(payloads()).toEqual(['m1']);
      expect(sub.unacknowledged).toBe(1);
      taken[0]!.ticket.done();
      await waitFor(() => sub.unacknowledged === 0, 5000, 'acknowledged once durable');
    },
  );

  it.runIf(available)(
    'after a restart (a new process) the redelivered messages are handed over',
    async () => {
      await send(1);
      await waitFor(() => taken.length === 1, 5000, 'taken');
      await sub.kill();
      const again: string[] = [];
      sub = new DurableAckSubscriber(options(sub.subscriptions), (_topic, payload, ticket) => {
        again.push(payload.toString());
        ticket.done();
      });
      await sub.start();
      await waitFor(() => again.length === 1, 5000, 'redelivered to the new process');
      expect(again).toEqual(['<m1>']);
      expect(sub.redeliveriesRecognised).toBe(0);
    },
  );
});
