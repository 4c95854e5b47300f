import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic, type WarningPage } from '@hazardwatch/contracts';
import { openTestPool, waitFor } from '@hazardwatch/testkit';
import {
  ensureDashboardBuilt,
  launchChromium,
  startStack,
  type BrowserStack,
} from './support/browser-stack.js';

/**
 * 在此设备上保持登录 on the phone (docs/mobile.md §7) in real Chromium at 390×844 with touch: a
 * notification link opened in a new page of the same browser (a new tab, or WeCom's webview beside
 * the browser) lands on its 预警 without signing in when the box was ticked, and asks to sign in
 * when it was not; two pages renewing their access tokens at the same moment both keep working
 * (one cookie, rotated with reuse detection: the pages take turns under a Web Lock); signing out
 * in one page ends it in the others and at the server.
 */
const ENTERPRISE = '91320623MA1W000001';
const PASSWORD = 'mobile-keep-password';
const PHONE = { width: 390, height: 844 };

describe('keep me signed in on this phone (390×844, touch)', () => {
  let stack: BrowserStack;
  let pub: MqttClient;
  let browser: Browser;
  let pool: pg.Pool;
  let link = '';
  const errors: string[] = [];

  beforeAll(async () => {
    const dashboardDir = await ensureDashboardBuilt();
    stack = await startStack({
      name: 'mobile-keep',
      broker: 'own',
      enterprises: ENTERPRISE,
      dashboardDir,
      users: [{ username: 'chlor', password: PASSWORD, role: 'operator', enterpriseCode: ENTERPRISE }],
    });
    pool = openTestPool(stack.db.url, { max: 1 });
    pub = await mqtt.connectAsync(stack.mqttUrl, {
      clientId: `hw-mobile-keep-pub-${randomBytes(3).toString('hex')}`,
    });
    // LT-1101 (HH 85 %, on-delay 10 s) at 90 %: a red 预警, and the link its notifications carry.
    const t0 = Date.now() - 60_000;
    for (const [ts, value] of [
      [t0, 60],
      [t0 + 1000, 90],
      [t0 + 12_000, 90],
    ] as const)
      await pub.publishAsync(
        telemetryTopic({ enterprise: ENTERPRISE, gateway: 'GW01' }),
        JSON.stringify({ readings: [{ tag: 'LT-1101', ts, value }] }),
        { qos: 1 },
      );
    const listed = await waitFor(
      async () => {
        const login = await fetch(`${stack.origin}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'chlor', password: PASSWORD }),
        });
        const { accessToken } = (await login.json()) as { accessToken: string };
        const res = await fetch(`${stack.origin}/api/v1/warnings?enterprise=${ENTERPRISE}`, {
          headers: { authorization: `Bearer ${accessToken}` },
        });
        return (await res.json()) as WarningPage;
      },
      (p) => p.items.some((w) => w.colour === 'red'),
      'the red 预警',
    );
    const id = listed.items.find((w) => w.colour === 'red')!.id;
    // As services/ingest notify/delivery-message.ts builds it, at this stack's origin.
    link = `${stack.origin}/#/warnings/${encodeURIComponent(id)}`;
    browser = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await pub?.endAsync();
    await pool?.end();
    await stack?.close();
  });

  /** One phone: a browser context with touch; its pages share localStorage and cookies. */
  const phone = (): Promise<BrowserContext> =>
    browser.newContext({
      viewport: PHONE,
      hasTouch: true,
      isMobile: true,
      deviceScaleFactor: 2,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
  /** A page of the phone; what it asks of the API is listed. */
  const open = async (context: BrowserContext, calls: string[] = []): Promise<Page> => {
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/auth/')) calls.push(new URL(r.url()).pathname.replace('/api/v1', ''));
    });
    page.on('response', (r) => {
      if (r.url().includes('/api/v1/auth/') && r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
    });
    return page;
  };
  const onWarning = (page: Page) => page.locator('[data-test="phone-state"]').waitFor({ timeout: 15_000 });
  const signIn = async (page: Page, keep: boolean): Promise<void> => {
    await page.goto(link);
    await page.waitForSelector('input[name=username]');
    const box = page.locator('[data-test="keep-signed-in"]');
    await expect(box.isChecked()).resolves.toBe(false);
    if (keep) await box.tap();
    await page.fill('input[name=username]', 'chlor');
    await page.fill('input[name=password]', PASSWORD);
    await page.tap('button[type=submit]');
    await onWarning(page);
  };
  /** A notification's link opened in a new page: the 预警, or the sign-in with the link kept. */
  const fromNotification = async (context: BrowserContext, calls: string[] = []) => {
    const page = await open(context, calls);
    await page.goto(link);
    await Promise.race([onWarning(page), page.waitForSelector('input[name=username]', { timeout: 15_000 })]);
    const signInShown = (await page.locator('input[name=username]').count()) > 0;
    return { page, signInShown, hash: new URL(page.url()).hash };
  };
  const reusedRefreshes = async (): Promise<number> =>
    (
      await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'auth.refresh_reused'`,
      )
    ).rows[0]!.n;

  it('without the tick a new page asks to sign in (per tab, as before), the link’s 预警 kept', async () => {
    const context = await phone();
    try {
      await signIn(await open(context), false);
      const next = await fromNotification(context);
      expect(next.signInShown).toBe(true);
      expect(next.hash).toMatch(/^#\/m\/warnings\//);
      await expect(next.page.locator('[data-test="keep-signed-in"]').count()).resolves.toBe(1);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('ticked: a notification link in a new page lands on the 预警; two pages renew at once and both keep working; sign-out ends it everywhere', async () => {
    const context = await phone();
    try {
      const first = await open(context);
      await signIn(first, true);

      const calls: string[] = [];
      const second = await fromNotification(context, calls);
      expect(second.signInShown).toBe(false);
      expect(calls).toEqual(['/auth/device/refresh', '/auth/me']);
      await expect(second.page.locator('[data-test="phone-state"]').getAttribute('data-state')).resolves.toBe(
        'pushed',
      );

      // Both pages' access tokens refused at once (the user's session version raised, as a change
      // of grant does; the refresh still stands), then both pages reload in the same instant: each
      // must renew through the one cookie. Without the lock the second would present the spent
      // cookie and the family would be revoked.
      await pool.query(`UPDATE users SET session_version = session_version + 1 WHERE username = 'chlor'`);
      await new Promise((r) => setTimeout(r, 1200));
      const renewals: string[] = [];
      for (const page of [first, second.page])
        page.on('request', (r) => {
          if (r.url().endsWith('/auth/device/refresh')) renewals.push(r.url());
        });
      await Promise.all(
        [first, second.page].map((p) => p.evaluate(() => window.dispatchEvent(new Event('online')))),
      );
      await waitFor(
        () => Promise.resolve(renewals.length),
        (n) => n >= 2,
        'both pages renewing',
      );
      // Both still on the 预警, and still able to read it with their new tokens.
      for (const page of [first, second.page]) {
        await page.evaluate(() => window.dispatchEvent(new Event('online')));
        await onWarning(page);
        await expect(page.locator('input[name=username]').count()).resolves.toBe(0);
      }
      expect(await reusedRefreshes()).toBe(0);
      const third = await fromNotification(context);
      expect(third.signInShown).toBe(false);
      await third.page.close();

      // Sign out in one page: the other asks to sign in, and so does a new page.
      const kept = (await context.cookies()).find((c) => c.name === 'hw_device');
      expect(kept).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth/device' });
      await first.tap('[data-test="phone-menu"]');
      await first.tap('[data-test="logout"]');
      await first.waitForSelector('input[name=username]');
      await second.page.waitForSelector('input[name=username]', { timeout: 10_000 });
      const after = await fromNotification(context);
      expect(after.signInShown).toBe(true);
      expect(after.hash).toMatch(/^#\/m\/warnings\//);
      // The cookie is gone from the phone, and at the server its family is revoked.
      const cookies = await context.cookies();
      expect(cookies.filter((c) => c.name === 'hw_device')).toEqual([]);
      const replayed = await fetch(`${stack.origin}/api/v1/auth/device/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `hw_device=${kept!.value}` },
        body: '{}',
      });
      expect(replayed.status).toBe(401);
    } finally {
      await context.close();
    }
    expect(errors).toEqual([]);
  }, 90_000);
});
