import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reading } from '@hazardwatch/contracts';
import { tcpOpen, waitFor } from '@hazardwatch/testkit';
import { Aedes, type Client } from 'aedes';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttBridgeSource } from '../src/sources/mqtt-bridge-source.js';
import { waitUntil } from './source-contract.js';

/**
 * A plant broker that refuses the bridge's login for a while — its account rotated, or the
 * broker restarting and still loading its accounts — must not leave the collector forwarding
 * nothing for good. mqtt.js does not reconnect after a CONNACK refusal unless told to
 * (`reconnectOnConnackError`): the source made one attempt and never another, its status stuck
 * on the refusal, until the collector was restarted by hand. Now it tries again every reconnect
 * period, says the refusal in its status (what the local /healthz shows) and logs it once, not
 * once per attempt, and forwards once the login is accepted. Against aedes and a private
 * Mosquitto whose password file is filled in later (SIGHUP reloads it).
 *
 * Tried again at its fixed period, a refused login failed ten times a second here (once a second
 * in production, day and night): what a brute-force attack looks like to the plant's fail2ban or
 * broker. It backs off now — period, 2×, 4×, … — and a plain loss after the login is accepted
 * reconnects after the normal period again.
 */
const USER = 'plant-bridge';
const PASSWORD = 'refused-then-accepted-5678';
const hasMosquitto = spawnSync('/usr/sbin/mosquitto', ['-h']).error === undefined;

interface RefusingBroker {
  readonly url: string;
  /** Logins refused so far, where the broker can tell (aedes); undefined otherwise. */
  refused(): number | undefined;
  /**
   * Drops every client's connection as a broker restart would, and answers how long until one
   * was back, ms (aedes); undefined where it cannot.
   */
  dropClients(): Promise<number | undefined>;
  /** From now on the login is accepted. */
  accept(): Promise<void>;
  close(): Promise<void>;
}

async function refusingAedes(): Promise<RefusingBroker> {
  let accepting = false;
  let refused = 0;
  const broker = await Aedes.createBroker({
    authenticate: (_client, username, password, callback) => {
      if (accepting && username === USER && password?.toString() === PASSWORD) return callback(null, true);
      refused++;
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
    refused: () => refused,
    dropClients: async () => {
      readyAt = [];
      const droppedAt = Date.now();
      for (const client of connected) client.close();
      await waitFor(
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
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function refusingMosquitto(): Promise<RefusingBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'hw-bridge-refused-'));
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
  await waitFor(() => tcpOpen('127.0.0.1', port), Boolean, 'mosquitto listening', 10_000);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    refused: () => undefined,
    dropClients: () => Promise.resolve(undefined),
    accept: async () => {
      const made = spawnSync('mosquitto_passwd', ['-b', passwords, USER, PASSWORD], { encoding: 'utf8' });
      expect(made.status, made.stderr).toBe(0);
      chmodSync(passwords, 0o644);
      child.kill('SIGHUP');
      await new Promise((r) => setTimeout(r, 200));
    },
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface LogLine {
  level: number;
  msg: string;
  to?: string;
  detail?: string;
}

describe.each([
  ['aedes', refusingAedes],
  ['Mosquitto', refusingMosquitto],
] as const)('MqttBridgeSource whose login the plant broker refuses for a while: %s', (name, make) => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });

  it.skipIf(name === 'Mosquitto' && !hasMosquitto)(
    'tries again, backing off, says the refusal once, forwards once accepted, then reconnects at its period',
    async () => {
      const broker = await make();
      cleanup.push(() => broker.close());
      const lines: LogLine[] = [];
      const log = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s) as LogLine) });
      const received: Reading[] = [];
      const source = new MqttBridgeSource({
        name: 'plant-broker',
        url: broker.url,
        clientId: `hw-bridge-refused-${process.pid}`,
        username: USER,
        password: PASSWORD,
        subscriptions: [{ topic: 'plant/+/state', qos: 1, fields: [{ path: 'v', tag: '{1}-PT' }] }],
        reconnectPeriodMs: 100,
        connectTimeoutMs: 2000,
        logger: log,
      });
      cleanup.push(() => source.stop());
      await source.start((readings) => received.push(...readings));

      // Refused for 2 s: at its fixed 100 ms period that was ~20 attempts; backing off they come
      // at 0, 0.1, 0.3, 0.7 and 1.5 s (less up to 10 % jitter). Every attempt counts as an error.
      await new Promise((r) => setTimeout(r, 2000));
      const attempts = source.status().errors;
      expect(attempts).toBeGreaterThanOrEqual(4);
      expect(attempts).toBeLessThanOrEqual(6);
      if (broker.refused() !== undefined) expect(broker.refused()).toBe(attempts);
      // The backoff logged at warn once per change of delay (100, 200, 400, 800 ms …).
      const backoffs = lines.filter((l) => l.msg === 'login refused: backing off before the next attempt');
      expect(backoffs.length).toBe(attempts);
      expect(backoffs.every((l) => l.level === 40)).toBe(true);
      const refusedStatus = source.status();
      expect(refusedStatus.state).toBe('connecting');
      expect(refusedStatus.detail).toMatch(/^Connection refused: Not authorized/);
      // Said once at warn level (the state change), not once per attempt.
      const refusals = lines.filter(
        (l) => l.msg === 'source state changed' && l.detail === refusedStatus.detail,
      );
      expect(refusals).toHaveLength(1);
      expect(refusals[0]!.level).toBe(40);

      await broker.accept();
      await waitUntil(() => source.status().state === 'connected', 10_000, 'connected once accepted');
      expect(source.status().detail).toBeUndefined();
      const sensor = await mqtt.connectAsync(broker.url, {
        username: USER,
        password: PASSWORD,
        reconnectPeriod: 0,
      });
      cleanup.push(() => sensor.endAsync(true));
      await sensor.publishAsync('plant/U301/state', '{"v": 2.5}', { qos: 1 });
      await waitUntil(() => received.length >= 1, 10_000, 'the reading forwarded');
      expect(received[0]).toMatchObject({ tag: 'U301-PT', value: 2.5 });
      expect(lines.filter((l) => l.msg === 'source state changed' && l.to === 'connected')).toHaveLength(1);
      expect(lines.filter((l) => l.msg === 'login accepted: reconnect period back to normal')).toHaveLength(
        1,
      );

      // A plain loss (broker restart) after that: back after the normal period, not the backoff's
      // next delay (≥ 1.6 s by now).
      const backAfterMs = await broker.dropClients();
      if (backAfterMs !== undefined) {
        expect(backAfterMs).toBeLessThan(1000);
        await waitUntil(() => source.status().reconnects === 1, 5000, 'reconnected');
        await waitUntil(() => source.status().state === 'connected', 5000, 'subscribed again');
      }
    },
    30_000,
  );
});
