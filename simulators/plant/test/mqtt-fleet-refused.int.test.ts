import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseTopic, type GatewayStatus } from '@hazardwatch/contracts';
import { ManualClock } from '@hazardwatch/kit';
import { startTcpProxy, tcpOpen, waitFor } from '@hazardwatch/testkit';
import { MqttFleet, loadSimulatedSite } from '@hazardwatch/simulators';
import { EXAMPLE_SITE_YAML } from './example-site.js';

/**
 * The simulated gateways stand in for real ones in `hw sim`, demos and hardware-in-the-loop runs,
 * and run for as long: like the edge collector's uplink (9c37f53), a gateway whose login the
 * broker refuses for a while (its account removed and restored, a broker still loading its
 * accounts) must connect again once accepted. mqtt.js does not reconnect after a CONNACK refusal
 * unless told to (`reconnectOnConnackError`), and the gateway stayed offline for good. A private
 * Mosquitto (never the system's) whose password file loses the fleet's user and gets it back
 * (SIGHUP reloads it); the fleet's connections go through a TCP relay that is cut once. Tried
 * again at its fixed period, a refused login failed every period on every gateway; it backs off
 * now (period, 2×, 4×, …) as the uplink does.
 */
const SIM_USER = 'hw-sim';
const SIM_PASSWORD = 'sim-refused-then-accepted';
const WATCH_USER = 'hw-watch';
const WATCH_PASSWORD = 'watcher-password-1234';
const hasMosquitto = spawnSync('/usr/sbin/mosquitto', ['-h']).error === undefined;
const lines: Array<{ level: number; msg: string; clientId?: string; err?: { code?: unknown } }> = [];
const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s) as never) });

async function freePort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

describe('MqttFleet whose login is refused for a while', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });

  it.skipIf(!hasMosquitto)(
    'tries again, backing off, and sends birth again once accepted',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hw-sim-refused-'));
      chmodSync(dir, 0o777);
      cleanup.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
      const port = await freePort();
      const passwords = join(dir, 'passwd');
      writeFileSync(passwords, '');
      const passwd = (...args: string[]): void => {
        const run = spawnSync('mosquitto_passwd', args, { encoding: 'utf8' });
        expect(run.status, run.stderr).toBe(0);
        chmodSync(passwords, 0o644);
      };
      passwd('-b', passwords, SIM_USER, SIM_PASSWORD);
      passwd('-b', passwords, WATCH_USER, WATCH_PASSWORD);
      writeFileSync(
        join(dir, 'mosquitto.conf'),
        `listener ${port} 127.0.0.1\nallow_anonymous false\npassword_file ${passwords}\npersistence false\n`,
      );
      const broker: ChildProcess = spawn('/usr/sbin/mosquitto', ['-c', join(dir, 'mosquitto.conf')], {
        stdio: 'ignore',
      });
      cleanup.push(async () => {
        const exited = new Promise((resolve) => broker.once('exit', resolve));
        broker.kill('SIGTERM');
        await exited;
      });
      await waitFor(() => tcpOpen('127.0.0.1', port), Boolean, 'mosquitto listening', 10_000);
      const reload = async (): Promise<void> => {
        broker.kill('SIGHUP');
        await new Promise((r) => setTimeout(r, 200));
      };

      const url = `mqtt://127.0.0.1:${port}`;
      const watcher = await mqtt.connectAsync(url, {
        username: WATCH_USER,
        password: WATCH_PASSWORD,
        reconnectPeriod: 0,
      });
      cleanup.push(() => watcher.endAsync(true));
      const births: number[] = [];
      watcher.on('message', (topic, payload, packet) => {
        if (parseTopic(topic)?.kind !== 'status' || packet.retain) return;
        const body = JSON.parse(payload.toString('utf8')) as GatewayStatus;
        if (body.type === 'birth') births.push(body.ts);
      });
      await watcher.subscribeAsync('hw/v1/+/+/status', { qos: 1 });

      const proxy = await startTcpProxy('127.0.0.1', port);
      cleanup.push(() => proxy.close());
      const sim = new MqttFleet(
        {
          url: `mqtt://127.0.0.1:${proxy.port}`,
          clientIdPrefix: `hwsimrefused${process.pid}`,
          seed: 7,
          username: SIM_USER,
          password: SIM_PASSWORD,
          reconnectPeriodMs: 100,
        },
        {
          site: loadSimulatedSite(EXAMPLE_SITE_YAML),
          logger,
          clock: () => Date.now(),
          timers: new ManualClock(),
        },
      );
      cleanup.push(() => sim.stop());
      await sim.start();
      const gateways = sim.gateways.length;
      await waitFor(
        () => Promise.resolve(births.length),
        (n) => n >= gateways,
        'the births',
        10_000,
      );

      // The fleet's account removed; its connections cut: every attempt is refused meanwhile.
      passwd('-D', passwords, SIM_USER);
      await reload();
      proxy.cut();
      proxy.restore();
      // Refused for 2 s: at its fixed 100 ms period ~19 attempts per gateway; backing off at 0.1,
      // 0.2, 0.4, 0.8 and 1.6 s after the cut (less up to 10 % jitter).
      const linesBefore = lines.length;
      await new Promise((r) => setTimeout(r, 2_000));
      expect(sim.gateways.every((g) => !g.connected)).toBe(true);
      expect(births).toHaveLength(gateways);
      const window = lines.slice(linesBefore);
      const refusals = new Map<string, number>();
      for (const l of window) {
        if (l.msg === 'gateway connection error' && typeof l.err?.code === 'number') {
          refusals.set(l.clientId!, (refusals.get(l.clientId!) ?? 0) + 1);
        }
      }
      expect(refusals.size).toBe(gateways);
      for (const n of refusals.values()) {
        expect(n).toBeGreaterThanOrEqual(3);
        expect(n).toBeLessThanOrEqual(6);
      }
      const backoffs = window.filter((l) => l.msg === 'login refused: backing off before the next attempt');
      expect(backoffs).toHaveLength([...refusals.values()].reduce((a, b) => a + b, 0));

      passwd('-b', passwords, SIM_USER, SIM_PASSWORD);
      await reload();
      await waitFor(
        () => Promise.resolve(births.length),
        (n) => n >= 2 * gateways,
        'births again once accepted',
        10_000,
      );
      expect(sim.gateways.every((g) => g.connected)).toBe(true);
    },
    30_000,
  );
});
