import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic, type AuditPage } from '@hazardwatch/contracts';
import {
  ensureDashboardBuilt,
  launchChromium,
  startStack,
  type BrowserStack,
} from './support/browser-stack.js';

const ENTERPRISE = '91320623MA1W000001';
const PASSWORD = 'horn-test-password';

/**
 * The horn in the browser (issue #21), against the real chain (PostgreSQL, broker, ingest with the
 * alarm engine, the API serving the built dashboard): the enterprise's operator watches the alarm
 * console; a red overpressure alarm makes the horn sound (its state on `data-horn`: headless
 * Chromium plays no audio); 消音 silences it and the silence is in the audit log (read over REST by
 * the county regulator); a second red/orange alarm sounds again; the keyboard — ↓ to the row, Enter
 * — acknowledges both, and the horn stops.
 */
describe('control room: the horn and keyboard acknowledgement', () => {
  let stack: BrowserStack;
  let pub: MqttClient;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const dashboardDir = await ensureDashboardBuilt();
    stack = await startStack({
      name: 'horn',
      // A broker of this file's own: the other browser tests use the same example site.
      broker: 'own',
      enterprises: `${ENTERPRISE},91320623MA1W000002`,
      dashboardDir,
      users: [
        { username: 'chlor', password: PASSWORD, role: 'operator', enterpriseCode: ENTERPRISE },
        { username: 'rudong', password: PASSWORD, role: 'regulator', regionCode: '320623' },
      ],
    });
    pub = await mqtt.connectAsync(stack.mqttUrl, {
      clientId: `hw-horn-pub-${randomBytes(3).toString('hex')}`,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await pub?.endAsync();
    await stack?.close();
  });

  const publish = async (tag: string, readings: ReadonlyArray<readonly [number, number]>) => {
    for (const [ts, value] of readings)
      await pub.publishAsync(
        telemetryTopic({ enterprise: ENTERPRISE, gateway: 'GW01' }),
        JSON.stringify({ readings: [{ tag, ts, value }] }),
        { qos: 1 },
      );
  };
  const horn = (state: string) =>
    page.waitForSelector(`[data-test="horn"][data-horn="${state}"]`, {
      state: 'attached',
      timeout: 10_000,
    });
  const silences = async (): Promise<AuditPage['items']> => {
    const login = await fetch(`${stack.origin}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'rudong', password: PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const res = await fetch(`${stack.origin}/api/v1/audit?action=alarm.horn.silence`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as AuditPage).items;
  };

  it('sounds for a red alarm, is silenced with an audit entry, re-arms, and stops when Enter acknowledges', async () => {
    await page.goto(`${stack.origin}/`);
    await page.fill('input[name=username]', 'chlor');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-state="live"]', { timeout: 15_000 });
    await page.goto(`${stack.origin}/#/alarms`);
    await horn('quiet');
    await expect(page.locator('[data-test="keys-hint"]').textContent()).resolves.toContain('Enter 确认');

    // Overpressure on the chlorine tank: PT-1101 HH (1.2 MPa) on a 一级 hazard ⇒ red.
    const t0 = Date.now() - 30_000;
    await publish('PT-1101', [
      [t0, 0.6],
      [t0 + 1000, 1.5],
      [t0 + 8000, 1.5],
    ]);
    await page.locator('.alarm[data-colour="red"][data-state="UNACK"]').first().waitFor({ timeout: 10_000 });
    await horn('sounding');
    await expect(page.locator('[data-test="horn"]').getAttribute('data-colour')).resolves.toBe('red');
    await expect(page.locator('[data-test="horn"]').textContent()).resolves.toContain('报警鸣响');

    // 消音: silenced on the console, audited on the server with the user and the count.
    const before = Date.now();
    await page.click('[data-test="horn-silence"]');
    await horn('silenced');
    const [entry] = await silences().then((items) => items.filter((e) => e.actor === 'chlor'));
    expect(entry).toMatchObject({
      actor: 'chlor',
      action: 'alarm.horn.silence',
      scopeEnterprise: ENTERPRISE,
    });
    expect(entry!.ts).toBeGreaterThanOrEqual(before - 60_000);
    expect((entry!.after as { sounding: number }).sounding).toBeGreaterThanOrEqual(1);

    // A new alarm re-arms it: chlorine above the level-2 limit (2 mg/m³, GB/T 50493-2019 §5.5.2).
    const alarmsBefore = await page.locator('.alarm[data-state="UNACK"]').count();
    await publish('AT-1101', [
      [t0 + 9000, 0.2],
      [t0 + 10_000, 3],
      [t0 + 17_000, 3],
    ]);
    await page.waitForFunction(
      (n) => document.querySelectorAll('.alarm[data-state="UNACK"]').length > n,
      alarmsBefore,
      { timeout: 10_000 },
    );
    await horn('sounding');

    // The keyboard acknowledges what sounds: ↓ to the first row (red first), Enter, and again.
    await page.locator('[data-test="keys-hint"]').click();
    const sounding = () =>
      page
        .locator('.alarm[data-state="UNACK"]')
        .evaluateAll(
          (rows) =>
            rows.filter((r) => ['red', 'orange'].includes(r.getAttribute('data-colour') ?? '')).length,
        );
    const current = page.locator('.alarm.current');
    const isSounding = async () =>
      (await current.getAttribute('data-state')) === 'UNACK' &&
      ['red', 'orange'].includes((await current.getAttribute('data-colour')) ?? '');
    for (let acked = 0; (await sounding()) > 0 && acked < 6; acked += 1) {
      await page.keyboard.press('Escape');
      await page.keyboard.press('ArrowDown');
      for (let step = 0; !(await isSounding()) && step < 20; step += 1)
        await page.keyboard.press('ArrowDown');
      const id = await current.getAttribute('data-alarm');
      await page.keyboard.press('Enter');
      await page.waitForSelector(`.alarm[data-alarm="${id}"][data-state="ACKED"]`, { timeout: 10_000 });
    }
    expect(await sounding()).toBe(0);
    await horn('quiet');
    expect(errors).toEqual([]);
  });
});
