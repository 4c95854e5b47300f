import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DynsecClient } from '@hazardwatch/api';
import { DYNSEC_PLUGIN, initDynsec, mosquittoMissing, startMosquitto } from './mosquitto-support.js';
import { freePort, stopProcess, type StartedProcess } from './process-support.js';

/**
 * The API's dynamic-security client is long-running: it reconnects after a broker restart and
 * reconciles the accounts then. A login refused on one of those reconnections (its admin account
 * disabled for a while, or a broker restarted from a file whose admin is set right a moment later)
 * must not end it for good: mqtt.js does not reconnect after a CONNACK refusal unless told to
 * (`reconnectOnConnackError`), and the API then applied no credential change until restarted.
 * A real Mosquitto 2 with the plugin, started here (never the system's); a second admin disables
 * and enables the first. Tried again at its fixed period, the refused login failed once a second
 * until set right — what a brute-force attack looks like to the broker's owner; it backs off now
 * (period, 2×, 4×, …), each change of delay logged once at warn.
 */
const ADMIN = 'hw-dynsec-admin';
const ADMIN_PASSWORD = randomBytes(18).toString('base64url');
const OTHER = 'hw-dynsec-other-admin';
const OTHER_PASSWORD = randomBytes(18).toString('base64url');
const logger = pino({ level: 'silent' });
const lines: Array<{ level: number; msg: string }> = [];
const apiLogger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s) as never) });
const missing = mosquittoMissing();

async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(missing !== undefined)('DynsecClient whose login is refused for a while', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });

  it('tries again after the refusal and reconnects, with its reconnect listeners, once accepted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hw-dynsec-refused-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    initDynsec(join(dir, 'dynsec.json'), ADMIN, ADMIN_PASSWORD);
    const port = await freePort();
    await writeFile(
      join(dir, 'mosquitto.conf'),
      [
        'per_listener_settings false',
        'allow_anonymous false',
        'persistence false',
        'user root',
        `plugin ${DYNSEC_PLUGIN}`,
        `plugin_opt_config_file ${join(dir, 'dynsec.json')}`,
        `listener ${port} 127.0.0.1`,
        '',
      ].join('\n'),
    );
    const broker: StartedProcess = await startMosquitto(join(dir, 'mosquitto.conf'), port, {
      username: ADMIN,
      password: ADMIN_PASSWORD,
    });
    cleanup.push(() => stopProcess(broker.child, 5_000));
    const connect = (username: string, password: string, log = logger): Promise<DynsecClient> =>
      DynsecClient.connect({
        url: `mqtt://127.0.0.1:${port}`,
        username,
        password,
        logger: log,
        timeoutMs: 5_000,
        reconnectPeriodMs: 100,
      });

    // A refusal at the first connection still fails connect(), as the API's start expects.
    await expect(connect(ADMIN, 'not-the-password')).rejects.toMatchObject({
      code: 'HW_API_BROKER_UNAVAILABLE',
    });
    const api = await connect(ADMIN, ADMIN_PASSWORD, apiLogger);
    cleanup.push(() => api.close());
    expect((await api.createClient(OTHER, OTHER_PASSWORD, ['admin'])).error).toBeUndefined();
    const other = await connect(OTHER, OTHER_PASSWORD);
    cleanup.push(() => other.close());
    let reconnects = 0;
    api.onReconnect(() => reconnects++);

    // Disabled: its session is ended and every login refused (CONNACK not authorised).
    expect((await other.disableClient(ADMIN)).error).toBeUndefined();
    await waitUntil(() => !api.connected, 5_000, 'the API client disconnected');
    // Refused for 2 s: at its fixed 100 ms period ~19 attempts; backing off at 0.1, 0.2, 0.4,
    // 0.8 and 1.6 s after the loss (less up to 10 % jitter), each logged as an error, the backoff
    // once per change of delay.
    const errorsBefore = lines.filter((l) => l.msg === 'dynsec connection error').length;
    await new Promise((r) => setTimeout(r, 2_000));
    expect(api.connected).toBe(false);
    const refusals = lines.filter((l) => l.msg === 'dynsec connection error').length - errorsBefore;
    expect(refusals).toBeGreaterThanOrEqual(3);
    expect(refusals).toBeLessThanOrEqual(6);
    const backoffs = lines.filter((l) => l.msg === 'login refused: backing off before the next attempt');
    expect(backoffs).toHaveLength(refusals);
    expect(backoffs.every((l) => l.level === 40)).toBe(true);

    expect((await other.enableClient(ADMIN)).error).toBeUndefined();
    await waitUntil(() => api.connected, 5_000, 'the API client connected again once accepted');
    await waitUntil(() => reconnects >= 1, 1_000, 'its reconnect listener called');
    expect(await api.listClients()).toEqual(expect.arrayContaining([ADMIN, OTHER]));
    expect(lines.filter((l) => l.msg === 'login accepted: reconnect period back to normal')).toHaveLength(1);
  }, 30_000);
});
