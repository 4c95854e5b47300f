import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic } from '@hazardwatch/contracts';
import {
  DASHBOARD_ROOT,
  EXAMPLE_SITE,
  ensureDashboardBuilt,
  launchChromium,
  startStack,
  type BrowserStack,
} from './support/browser-stack.js';

const ARTIFACTS = join(DASHBOARD_ROOT, 'test-artifacts');
const RUDONG_ENTERPRISE = '91320623MA1W000001';
const RUGAO_ENTERPRISE = '91320682MA1W000009';
const PASSWORD = 'e2e-test-password';

/**
 * The control room in headless Chromium against the real chain (PostgreSQL, broker, ingest,
 * alarm engine, API serving the built dashboard): a county regulator logs in, sees the map
 * coloured, an overpressure reading published over MQTT shows up as a red alarm within 5 s, the
 * enterprise's operator acknowledges it from the console, and its trend opens; another county's
 * enterprise never appears.
 */
describe('control-room dashboard end to end', () => {
  let stack: BrowserStack;
  let pub: MqttClient;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  /** `securitypolicyviolation` events of every page loaded, and console errors (CSP reports land there too). */
  const violations: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    const dashboardDir = await ensureDashboardBuilt();
    mkdirSync(ARTIFACTS, { recursive: true });
    // A second county (如皋市) with its own enterprise: the 如东 regulator must never see it.
    const site = readFileSync(EXAMPLE_SITE, 'utf8')
      .replace(
        "  - { code: '320623', name: 如东县, kind: county, parent: '320600' }",
        "  - { code: '320623', name: 如东县, kind: county, parent: '320600' }\n  - { code: '320682', name: 如皋市, kind: county, parent: '320600' }",
      )
      .replace(
        'enterprises:\n',
        `enterprises:\n  - code: ${RUGAO_ENTERPRISE}\n    name: 如皋另一县化工有限公司\n    region: '320682'\n    location: { lon: 120.57, lat: 32.37 }\n`,
      );
    const sitePath = join(mkdtempSync(join(tmpdir(), 'hw-e2e-')), 'site.yaml');
    writeFileSync(sitePath, site);
    stack = await startStack({
      name: 'e2e',
      broker: 'shared',
      siteFile: sitePath,
      enterprises: `${RUDONG_ENTERPRISE},91320623MA1W000002,${RUGAO_ENTERPRISE}`,
      dashboardDir,
      users: [
        { username: 'rudong', password: PASSWORD, role: 'regulator', regionCode: '320623' },
        // The enterprise's duty room acknowledges its alarms; regulators do not (issue #19).
        { username: 'chlor', password: PASSWORD, role: 'operator', enterpriseCode: RUDONG_ENTERPRISE },
      ],
    });
    pub = await mqtt.connectAsync(stack.mqttUrl, {
      clientId: `hw-e2e-pub-${randomBytes(3).toString('hex')}`,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await page.exposeFunction('hwCspViolation', (v: string) => violations.push(v));
    // Page-side code as text: this test is compiled without the DOM library.
    await page.addInitScript({
      content: `document.addEventListener('securitypolicyviolation', (e) => {
        void window.hwCspViolation(e.effectiveDirective + ' blocked ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber);
      });`,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await pub?.endAsync();
    await stack?.close();
  });

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  const publish = async (tag: string, readings: ReadonlyArray<readonly [number, number]>) => {
    for (const [ts, value] of readings) {
      await pub.publishAsync(
        telemetryTopic({ enterprise: RUDONG_ENTERPRISE, gateway: 'GW01' }),
        JSON.stringify({ readings: [{ tag, ts, value }] }),
        { qos: 1 },
      );
    }
  };

  // Issue 17 item 8: the console (ack/shelve buttons) must not be framed by another site, and the
  // dashboard runs under a CSP that allows only its own bundles, API and live connection.
  it('serves the dashboard and the API with security headers', async () => {
    for (const path of ['/', '/api/v1/auth/me']) {
      const res = await fetch(`${stack.origin}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("object-src 'none'");
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
  });

  it('logs in as the county regulator, sees the coloured map, gets a red alarm the operator acknowledges, and opens its trend', async () => {
    await page.goto(`${stack.origin}/`);
    // zh-CN first.
    await expect(page.locator('button[type=submit]').textContent()).resolves.toBe('登录');
    await page.fill('input[name=username]', 'rudong');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');

    // The map: both 如东 enterprises as coloured markers, nothing of 如皋.
    await page.waitForSelector('path.hw-enterprise[data-colour]', { timeout: 15_000 });
    await page.waitForSelector('[data-state="live"]', { timeout: 15_000 });
    const markers = await page.locator('path.hw-enterprise').evaluateAll((els) =>
      els.map((e) => ({
        code: e.getAttribute('data-enterprise'),
        colour: e.getAttribute('data-colour'),
        fill: e.getAttribute('fill'),
      })),
    );
    expect(markers.map((m) => m.code).sort()).toEqual([RUDONG_ENTERPRISE, '91320623MA1W000002']);
    // Coloured by state: the fill is the colour the marker reports. Quality conditions (a point
    // with no data yet) may already make one blue; nothing is red before the overpressure.
    const HEX: Record<string, string> = {
      normal: '#34c759',
      blue: '#0a84ff',
      yellow: '#ffd60a',
      orange: '#ff9500',
      red: '#ff3b30',
    };
    for (const m of markers) {
      expect(m.colour).not.toBe('red');
      expect(m.fill).toBe(HEX[m.colour!]);
    }
    expect(await page.locator('body').textContent()).not.toContain('如皋');
    await shot('01-map');

    // Overpressure on the chlorine tank: PT-1101 HH (1.2 MPa) on a 一级 hazard ⇒ red.
    await page.goto(`${stack.origin}/#/alarms`);
    const t0 = Date.now() - 30_000;
    const published = Date.now();
    await publish('PT-1101', [
      [t0, 0.6],
      [t0 + 1000, 1.5],
      [t0 + 8000, 1.5],
    ]);
    const row = page.locator('.alarm[data-colour="red"]').first();
    await row.waitFor({ timeout: 5000 });
    expect(Date.now() - published).toBeLessThan(5000);
    await expect(row.getAttribute('data-state')).resolves.toBe('UNACK');
    await expect(row.locator('[data-test="state"]').textContent()).resolves.toBe('未确认');
    expect(await row.textContent()).toContain('PT-1101');
    await shot('02-alarm-unack');

    // The map turns red with it (live colour change).
    await page.goto(`${stack.origin}/#/map`);
    await page.waitForSelector(
      `path.hw-enterprise[data-enterprise="${RUDONG_ENTERPRISE}"][data-colour="red"]`,
      { timeout: 10_000 },
    );
    await shot('03-map-red');

    // The enterprise's operator acknowledges from the console (regulators supervise, they do not
    // operate the plant's alarms: issue #19): the state changes to ACKED (steady).
    const signIn = async (username: string) => {
      await page.locator('header button', { hasText: '退出' }).click();
      await page.fill('input[name=username]', username);
      await page.fill('input[name=password]', PASSWORD);
      await page.click('button[type=submit]');
      await page.waitForSelector('[data-state="live"]', { timeout: 15_000 });
    };
    await signIn('chlor');
    await page.goto(`${stack.origin}/#/alarms`);
    await page.locator('.alarm[data-colour="red"] [data-test="ack"]').first().click();
    await page.waitForSelector('.alarm[data-colour="red"][data-state="ACKED"]', { timeout: 10_000 });
    await expect(
      page.locator('.alarm[data-colour="red"] [data-test="state"]').first().textContent(),
    ).resolves.toBe('已确认');
    await shot('04-alarm-acked');
    // Back to the county regulator's view, which sees the acknowledgement.
    await signIn('rudong');
    await page.goto(`${stack.origin}/#/alarms`);
    await page.waitForSelector('.alarm[data-colour="red"][data-state="ACKED"]', { timeout: 10_000 });

    // Its trend.
    await page.locator('.alarm[data-colour="red"]').first().click();
    await page
      .locator('[data-test="trend"]')
      .first()
      .waitFor({ state: 'detached', timeout: 100 })
      .catch(() => undefined);
    await page.click('[data-test="alarm-actions"] [data-test="trend"]');
    await page.waitForSelector('[data-test="trend"] canvas', { timeout: 10_000 });
    await expect(page.locator('[data-test="live-value"]').textContent()).resolves.toContain('1.5');
    await page.waitForTimeout(500);
    await shot('05-trend');

    // Floor plan, data quality and KPI views render; then English for readable screenshots.
    for (const [hash, name] of [
      [`#/plan/${RUDONG_ENTERPRISE}/CL-TF01`, '06-plan'],
      ['#/quality', '07-quality'],
      ['#/kpi', '08-kpi'],
    ] as const) {
      await page.goto(`${stack.origin}/${hash}`);
      await page.waitForTimeout(1500);
      await shot(name);
    }
    await expect(page.locator('body').textContent()).resolves.not.toContain('如皋');
    await page.click('[data-test="locale"]');
    await page.goto(`${stack.origin}/#/alarms`);
    await page.waitForSelector('.alarm[data-state="ACKED"]');
    await expect(
      page.locator('.alarm[data-colour="red"] [data-test="state"]').first().textContent(),
    ).resolves.toBe('Acknowledged');
    await shot('09-alarms-en');
    await page.goto(`${stack.origin}/#/map`);
    await page.waitForTimeout(1000);
    await shot('10-map-en');
    expect(errors).toEqual([]);
    expect(violations, 'CSP violations').toEqual([]);
    expect(
      consoleErrors.filter((e) => /content security policy/i.test(e)),
      'CSP reports on the console',
    ).toEqual([]);
  });
});
