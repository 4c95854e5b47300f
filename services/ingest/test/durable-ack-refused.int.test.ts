import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { DurableAckSubscriber } from '@hazardwatch/ingest';
import { tcpOpen, waitFor as waitUntil } from '@hazardwatch/testkit';
import { logger, uid } from './support.js';

/**
 * A broker that refuses the ingest's login for a while (its account not created yet — a leased
 * worker started before the `api` that creates it, a credential being rotated — or a broker
 * still loading its accounts) must not stop the ingest for good. mqtt.js does not reconnect after
 * a CONNACK refusal unless told to (`reconnectOnConnackError`), and the ingest's start waited for
 * a connection that was never tried again: a worker hung, not ready, until restarted by hand. Now
 * it tries again every reconnect period and starts once the login is accepted. Against aedes and
 * a private Mosquitto whose password file is filled in later (SIGHUP reloads it).
 */
const USER = 'hw-ingest';
const PASSWORD = 'refused-then-accepted-1234';
const hasMosquitto = spawnSync('/usr/sbin/mosquitto', ['-h']).error === undefined;

interface RefusingBroker {
  readonly url: string;
  /** From now on the login is accepted. */
  accept(): Promise<void>;
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
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`,
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
    'tries again every reconnect period and starts once the login is accepted',
    async () => {
      const broker = await make();
      cleanup.push(() => broker.close());
      const received: string[] = [];
      const sub = new DurableAckSubscriber(
        {
          url: broker.url,
          clientId: uid('hw-t-refused-'),
          username: USER,
          password: PASSWORD,
          protocolVersion: 4,
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
      // Refused for a second: five or so attempts, none accepted.
      await new Promise((r) => setTimeout(r, 1000));
      expect(started).toBe(false);
      await broker.accept();
      await Promise.race([
        start,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('never started after the login was accepted')), 10_000),
        ),
      ]);
      expect(started).toBe(true);
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
