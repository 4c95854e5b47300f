import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes, type Client } from 'aedes';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DurableAckSubscriber } from '@hazardwatch/ingest';
import { tcpOpen, waitFor as waitUntil } from '@hazardwatch/testkit';
import { uid } from './support.js';

/**
 * A broker that refuses the ingest's login for a while (its account not created yet — a leased
 * worker started before the `api` that creates it, a credential being rotated — or a broker
 * still loading its accounts) must not stop the ingest for good. mqtt.js does not reconnect after
 * a CONNACK refusal unless told to (`reconnectOnConnackError`), and the ingest's start waited for
 * a connection that was never tried again: a worker hung, not ready, until restarted by hand. Now
 * it tries again and starts once the login is accepted. Against aedes (MQTT 3.1.1, refusal code 5)
 * and a private Mosquitto (MQTT 5, reason code 0x87 Not authorized) whose password file is filled
 * in later (SIGHUP reloads it).
 *
 * At its fixed reconnect period a refused login failed once a second, day and night: what a
 * brute-force attack looks like to the broker's owner (fail2ban, EMQX flapping detection). It
 * backs off now (period, 2×, 4×, …), and after it is accepted a plain loss reconnects after the
 * normal period again.
 */
const USER = 'hw-ingest';
const PASSWORD = 'refused-then-accepted-1234';
const hasMosquitto = spawnSync('/usr/sbin/mosquitto', ['-h']).error === undefined;

interface RefusingBroker {
  readonly url: string;
  /** MQTT version the subscriber speaks to it. */
  readonly protocolVersion: 4 | 5;
  /** From now on the login is accepted. */
  accept(): Promise<void>;
  /**
   * Drops every client's connection as a broker restart would, and answers how long until one
   * was back, ms (aedes); undefined where it cannot.
   */
  dropClients(): Promise<number | undefined>;
  publish(topic: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

async function refusingAedes(): Promise<RefusingBroker> {
  let accepting = false;
  const broker = await Aedes.createBroker({
    authenticate: (_client, username, password, callback) => {
      if (accepting && username === USER && password?.toString() === PASSWORD) return callback(null, true);
      callback(Object.assign(new Error('not authorized'), { returnCode: 5 as const }), false);
    },
  });
  const connected = new Set<Client>();
  let readyAt: number[] = [];
  broker.on('clientReady', (client) => {
    connected.add(client);
    readyAt.push(Date.now());
  });
  broker.on('clientDisconnect', (client) => connected.delete(client));
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`,
    protocolVersion: 4,
    dropClients: async () => {
      readyAt = [];
      const droppedAt = Date.now();
      for (const client of connected) client.close();
      await waitUntil(
        () => Promise.resolve(readyAt.length),
        (n) => n > 0,
        'a client back',
        5000,
      );
      return readyAt[0]! - droppedAt;
    },
    accept: () => {
      accepting = true;
      return Promise.resolve();
    },
    publish: (topic, payload) =>
      new Promise<void>((resolve, reject) =>
        broker.publish(
          { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false },
          (err) => (err ? reject(err) : resolve()),
        ),
      ),
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function refusingMosquitto(): Promise<RefusingBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'hw-refused-'));
  chmodSync(dir, 0o777);
  const port = await new Promise<number>((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port: p } = probe.address() as AddressInfo;
      probe.close(() => resolve(p));
    });
  });
  const passwords = join(dir, 'passwd');
  writeFileSync(passwords, '');
  chmodSync(passwords, 0o644);
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    `listener ${port} 127.0.0.1\nallow_anonymous false\npassword_file ${passwords}\npersistence false\n`,
  );
  const child: ChildProcess = spawn('/usr/sbin/mosquitto', ['-c', join(dir, 'mosquitto.conf')], {
    stdio: 'ignore',
  });
  await waitUntil(() => tcpOpen('127.0.0.1', port), Boolean, 'mosquitto listening', 10_000);
  const url = `mqtt://127.0.0.1:${port}`;
  return {
    url,
    protocolVersion: 5,
    dropClients: () => Promise.resolve(undefined),
    accept: async () => {
      const made = spawnSync('mosquitto_passwd', ['-b', passwords, USER, PASSWORD], { encoding: 'utf8' });
      expect(made.status, made.stderr).toBe(0);
      chmodSync(passwords, 0o644);
      child.kill('SIGHUP');
      await new Promise((r) => setTimeout(r, 200));
    },
    publish: async (topic, payload) => {
      const pub = await mqtt.connectAsync(url, { username: USER, password: PASSWORD, reconnectPeriod: 0 });
      await pub.publishAsync(topic, payload, { qos: 1 });
      await pub.endAsync();
    },
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe.each([
  ['aedes', refusingAedes],
  ['Mosquitto', refusingMosquitto],
] as const)('DurableAckSubscriber whose login is refused for a while: %s', (name, make) => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });

  it.skipIf(name === 'Mosquitto' && !hasMosquitto)(
    'tries again, backing off, starts once the login is accepted, then reconnects at its period',
    async () => {
      const broker = await make();
      cleanup.push(() => broker.close());
      const lines: Array<{ level: number; msg: string; delayMs?: number }> = [];
      const logger = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s) as never) });
      const received: string[] = [];
      const sub = new DurableAckSubscriber(
        {
          url: broker.url,
          clientId: uid('hw-t-refused-'),
          username: USER,
          password: PASSWORD,
          protocolVersion: broker.protocolVersion,
          keepaliveSec: 60,
          reconnectPeriodMs: 200,
          connectTimeoutMs: 5_000,
          receiveMaximum: 100,
          sessionExpirySec: 60,
          subscriptions: ['hwtest/+/data'],
          logger,
        },
        (_topic, payload, ticket) => {
          received.push(payload.toString());
          ticket.done();
        },
      );
      cleanup.push(() => sub.kill());
      let started = false;
      const start = sub.start().then(() => (started = true));
      // Refused for 2 s: at its fixed 200 ms period ~10 attempts; backing off at 0, 0.2, 0.6 and
      // 1.4 s (less up to 10 % jitter), each logged (the error) and the backoff once per delay.
      await new Promise((r) => setTimeout(r, 2000));
      expect(started).toBe(false);
      const refusals = lines.filter((l) => l.msg === 'mqtt error').length;
      expect(refusals).toBeGreaterThanOrEqual(3);
      expect(refusals).toBeLessThanOrEqual(5);
      const backoffs = lines.filter((l) => l.msg === 'login refused: backing off before the next attempt');
      expect(backoffs.map((l) => [l.level, l.delayMs! > 0])).toEqual(backoffs.map(() => [40, true]));
      expect(backoffs).toHaveLength(refusals);
      await broker.accept();
      await Promise.race([
        start,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('never started after the login was accepted')), 10_000),
        ),
      ]);
      expect(started).toBe(true);
      // A plain loss now: back after the normal period, not the backoff's next delay (≥ 3 s).
      const backAfterMs = await broker.dropClients();
      if (backAfterMs !== undefined) expect(backAfterMs).toBeLessThan(1000);
      await waitUntil(
        async () => {
          await broker.publish('hwtest/a/data', 'after');
          return [...received];
        },
        (r) => r.includes('after'),
        'a message received',
        10_000,
      );
    },
    30_000,
  );
});
