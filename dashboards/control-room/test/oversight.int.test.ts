import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic, type Point, type WarningPage } from '@hazardwatch/contracts';
import { waitFor } from '@hazardwatch/testkit';
import {
  ensureDashboardBuilt,
  launchChromium,
  startStack,
  type BrowserStack,
} from './support/browser-stack.js';

/** Screenshots of this run (looked at by hand: layout at both sizes, nothing cut off). */
const SHOTS = mkdtempSync(join(tmpdir(), 'hw-oversight-shots-'));
const ENTERPRISE = '91320623MA1W000001';
const PASSWORD = 'oversight-test-password';
const DESKTOP = { width: 1920, height: 1080 };
const PHONE = { width: 390, height: 844 };

/**
 * Oversight in the browser (issue #19, MUST-SHOW), zh-CN, against the real chain (PostgreSQL,
 * broker, ingest with the alarm engine and the 预警 desk, a webhook channel, the API serving the
 * built dashboard): (a) the enterprise's safety manager takes the chlorine detector out of use
 * with a reason, which waits for the regulator; the county regulator sees it pending (badge and
 * list), approves it, and the point shows 停用 on its panel, the plan and the data-quality view;
 * (b) a red 预警 is signed for and fed back by the operator, and its whole record — causes,
 * deadlines, events, deliveries — is what the regulator sees, with 督办 and 核查 and no 签收.
 */
describe('control room: monitoring changes and the 预警 record in the browser', () => {
  let stack: BrowserStack;
  let hook: Server;
  let pub: MqttClient;
  let browser: Browser;
  const errors: string[] = [];
  const hooked: string[] = [];

  beforeAll(async () => {
    const dashboardDir = await ensureDashboardBuilt();
    // A webhook peer on port 0, so the 预警's notifications are delivered (and listed as such).
    hook = createServer((req, res) => {
      hooked.push(req.url ?? '');
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const hookPort = (hook.address() as { port: number }).port;
    // A broker of this file's own: e2e.int.test.ts runs beside it with the same example site, and
    // on a shared broker each file's ingest would also evaluate the other's readings.
    stack = await startStack({
      name: 'oversight',
      broker: 'own',
      enterprises: `${ENTERPRISE},91320623MA1W000002`,
      dashboardDir,
      env: {
        HW_WEBHOOK_URL: `http://127.0.0.1:${hookPort}/hw`,
        HW_WEBHOOK_SECRET: 'an-oversight-webhook-signing-secret',
      },
      users: [
        { username: 'rudong', password: PASSWORD, role: 'regulator', regionCode: '320623' },
        { username: 'anquan', password: PASSWORD, role: 'safety_manager', enterpriseCode: ENTERPRISE },
        { username: 'chlor', password: PASSWORD, role: 'operator', enterpriseCode: ENTERPRISE },
      ],
    });
    pub = await mqtt.connectAsync(stack.mqttUrl, {
      clientId: `hw-oversight-pub-${randomBytes(3).toString('hex')}`,
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await pub?.endAsync();
    await stack?.close();
    await new Promise((r) => hook?.close(r));
  });

  const origin = () => stack.origin;
  /** A REST call as a user (test set-up and checks only; the steps under test are clicked). */
  const rest = async <T>(username: string, path: string): Promise<T> => {
    const login = await fetch(`${origin()}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const res = await fetch(`${origin()}/api/v1${path}`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };
  /** A fresh browser session (own sessionStorage) logged in as `username`, in zh-CN. */
  const session = async (username: string, viewport = DESKTOP): Promise<Page> => {
    const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    // Refused requests, but the point history's audit log, which the enterprise may not read
    // (audit.read: regulators) and the panel says so.
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().includes('/api/v1/audit')) errors.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${origin()}/`);
    await expect(page.locator('button[type=submit]').textContent()).resolves.toBe('登录');
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-state="live"]', { timeout: 15_000 }).catch(async (e: unknown) => {
      await shot(page, `login-failed-${username}`);
      throw new Error(`${username} not live: ${await page.locator('body').textContent()} (${String(e)})`);
    });
    return page;
  };
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  /**
   * Nothing wider than the window: the page does not scroll sideways, nor does the element (a view
   * scrolling inside itself would hide its overflow from the page). Page-side code as text: this
   * test is compiled without the DOM library.
   */
  const noOverflow = async (page: Page, what: string, selector: string) => {
    const [scroll, client, inner, box] = await page.evaluate<[number, number, number, number]>(
      `(() => { const d = document.documentElement; const e = document.querySelector('${selector}');
        return [d.scrollWidth, d.clientWidth, e.scrollWidth, e.clientWidth]; })()`,
    );
    expect(scroll, `${what}: page wider than the window`).toBeLessThanOrEqual(client);
    expect(inner, `${what}: ${selector} wider than its box`).toBeLessThanOrEqual(box);
  };

  it('(a) a gas detector taken out of use waits for the regulator, who approves it; then it shows 停用', async () => {
    const points = await rest<{ items: Point[] }>('anquan', `/points?enterprise=${ENTERPRISE}`);
    const detector = points.items.find((p) => p.tag === 'AT-1101')!;
    expect(detector).toMatchObject({ kind: 'toxic_gas', inService: true });

    const sm = await session('anquan');
    await sm.goto(`${origin()}/#/point/${detector.id}`);
    const disable = sm.locator('[data-action="disable"]');
    await disable.waitFor({ timeout: 10_000 });
    await expect(disable.textContent()).resolves.toContain('停用（提交审批）');
    await disable.click();
    await sm.fill('[data-test="disable-reason"]', '探头送检标定，备用便携式检测仪现场监护');
    await sm.click('[data-action="disable-submit"]');
    const result = sm.locator('[data-test="disable-result"]');
    await result.waitFor({ timeout: 10_000 });
    await expect(result.textContent()).resolves.toContain('已提交，等待监管部门审批');
    // Nothing changed yet.
    await expect(sm.locator('[data-test="out-of-service"]').count()).resolves.toBe(0);
    await shot(sm, 'a1-safety-manager-submitted');
    // Still said after a reload, and not offered twice.
    await sm.reload();
    await sm.locator('[data-test="disable-result"][data-result="pending"]').waitFor({ timeout: 10_000 });
    await expect(sm.locator('[data-action="disable"]').count()).resolves.toBe(0);
    // The safety manager sees the own pending change, with 撤回 and no 批准.
    await sm.goto(`${origin()}/#/changes`);
    const own = sm.locator('[data-change][data-status="pending"]').first();
    await own.waitFor({ timeout: 10_000 });
    await expect(own.locator('[data-action="withdraw"]').count()).resolves.toBe(1);
    await expect(own.locator('[data-action="approve"]').count()).resolves.toBe(0);
    await sm.context().close();

    const reg = await session('rudong');
    // Below 2000 px 变更审批 is in the header's 更多 menu, which carries its badge.
    const badge = reg.locator('[data-test="more-badge"]');
    await badge.waitFor({ timeout: 10_000 });
    await expect(badge.textContent()).resolves.toBe('1');
    await reg.click('[data-nav="more"] summary');
    await expect(reg.locator('[data-more="changes"] .badge').textContent()).resolves.toBe('1');
    await reg.click('[data-more="changes"]');
    const card = reg.locator('[data-change][data-status="pending"]');
    await card.waitFor({ timeout: 10_000 });
    const text = (await card.textContent()) ?? '';
    expect(text).toContain('气体检测器停用');
    expect(text).toContain('AT-1101');
    expect(text).toContain('anquan（安全管理人员）');
    expect(text).toContain('探头送检标定，备用便携式检测仪现场监护');
    await noOverflow(reg, 'changes', '[data-test="changes-view"]');
    await shot(reg, 'a2-regulator-pending');
    await card.locator('[data-action="approve"]').click();
    await reg
      .waitForSelector('[data-change][data-status="approved"]', { timeout: 10_000 })
      .catch(async () => {
        // The default filter shows pending ones only: the approved one leaves the list.
        await reg.click('[data-show="all"]');
        await reg.waitForSelector('[data-change][data-status="approved"]', { timeout: 10_000 });
      });
    await reg.waitForSelector('[data-test="more-badge"]', { state: 'detached', timeout: 10_000 });

    // In force: the point's panel, the floor plan and the data-quality view show it out of service.
    await reg.goto(`${origin()}/#/point/${detector.id}`);
    await expect(reg.locator('[data-test="out-of-service"]').textContent({ timeout: 10_000 })).resolves.toBe(
      '停用',
    );
    await expect(reg.locator('[data-action="disable"]').count()).resolves.toBe(0);
    // Who asked, why, who approved: the change record behind the point's 停用.
    const why =
      (await reg.locator('[data-test="out-of-service-record"]').textContent({ timeout: 10_000 })) ?? '';
    expect(why).toContain('anquan');
    expect(why).toContain('探头送检标定，备用便携式检测仪现场监护');
    expect(why).toContain('rudong');
    await shot(reg, 'a3-point-out-of-service');
    await reg.goto(`${origin()}/#/plan/${ENTERPRISE}/CL-TF01`);
    await reg.waitForSelector('[data-point="AT-1101"][data-colour="out-of-service"]', { timeout: 10_000 });
    await shot(reg, 'a4-plan-out-of-service');
    await reg.goto(`${origin()}/#/quality`);
    await reg.waitForSelector('[data-test="disabled-point"][data-point="AT-1101"]', { timeout: 10_000 });
    await shot(reg, 'a5-quality-out-of-service');
    const stored = await rest<Point>('rudong', `/points/${detector.id}`);
    expect(stored).toMatchObject({ enabled: false, inService: false });
    await reg.context().close();
    expect(errors).toEqual([]);
  });

  it('(b) the whole 预警 record: the operator signs and feeds back; the regulator sees causes, deadlines, events and deliveries, and 督办/核查 but no 签收', async () => {
    // LT-1101 (HH 85 %, on-delay 10 s) at 90 %: a red 预警 on the chlorine tank farm.
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
      () => rest<WarningPage>('rudong', `/warnings?enterprise=${ENTERPRISE}`),
      (p) => p.items.some((w) => w.colour === 'red'),
      'the red 预警',
    );
    const id = listed.items.find((w) => w.colour === 'red')!.id;

    // The operator: from the list to the record, 签收 then 处置反馈.
    const op = await session('chlor');
    await op.click('[data-nav="warnings"]');
    await op.locator(`[data-warning="${id}"]`).first().click();
    const record = op.locator('[data-test="warning-record"]');
    await record.locator('[data-action="sign"]').click();
    await op.waitForSelector('[data-test="record-state"][data-state="signed"]', { timeout: 10_000 });
    await expect(record.locator('[data-action="urge"]').count()).resolves.toBe(0);
    await expect(record.locator('[data-action="verify"]').count()).resolves.toBe(0);
    await op.fill('[data-test="feedback-text"]', '已关闭进料紧急切断阀XV-1101，液位回落');
    await op.click('[data-action="feedback"]');
    await op.waitForSelector('[data-test="record-state"][data-state="feedback"]', { timeout: 10_000 });
    // A red 预警 is the regulator's to close: no 消警 for the enterprise.
    await expect(record.locator('[data-action="close"]').count()).resolves.toBe(0);
    await op.context().close();

    // Deliveries reached the webhook peer before the regulator looks.
    await waitFor(
      () => Promise.resolve(hooked.length),
      (n) => n > 0,
      'a delivered notification',
    );

    // The phone first (looking only), then the desktop, where the regulator acts.
    for (const [viewport, size] of [
      [PHONE, '390x844'],
      [DESKTOP, '1920x1080'],
    ] as const) {
      const reg = await session('rudong', viewport);
      await reg.goto(`${origin()}/#/warnings/${encodeURIComponent(id)}`);
      const rec = reg.locator('[data-test="warning-record"]');
      await rec.locator('[data-test="record-state"]').waitFor({ timeout: 10_000 });
      await expect(rec.locator('[data-test="record-colour"]').textContent()).resolves.toBe('重大风险');
      await expect(rec.locator('[data-test="record-state"]').textContent()).resolves.toBe('已反馈');
      const cause = (await rec.locator('[data-cause="LT-1101"]').first().textContent()) ?? '';
      expect(cause).toContain('液氯储罐V-1101液位');
      expect(cause).toContain('90 %');
      expect(cause).toContain('85 %');
      await expect(
        rec.locator('[data-test="deadlines"] [data-step="sign"]').textContent(),
      ).resolves.toContain('已完成');
      const events = await rec
        .locator('[data-event]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-event')));
      expect(events).toEqual(expect.arrayContaining(['opened', 'signed', 'feedback']));
      await expect(rec.locator('[data-event="feedback"]').textContent()).resolves.toContain(
        '已关闭进料紧急切断阀XV-1101，液位回落',
      );
      await expect(rec.locator('[data-event="signed"]').textContent()).resolves.toContain('chlor（企业）');
      const deliveries = await rec.locator('[data-test="deliveries"] [data-delivery]').count();
      expect(deliveries).toBeGreaterThan(0);
      await rec
        .locator('[data-test="deliveries"] [data-delivery="delivered"]')
        .first()
        .waitFor({ timeout: 15_000 })
        .catch(async () => {
          await reg.reload();
          await rec
            .locator('[data-test="deliveries"] [data-delivery="delivered"]')
            .first()
            .waitFor({ timeout: 10_000 });
        });
      // The regulator's side: 督办 and 核查, never 签收 or 处置反馈.
      const offered = await rec
        .locator('[data-action]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
      expect(offered).toEqual(['urge', 'verify']);
      await expect(reg.locator('body').textContent()).resolves.not.toMatch(/warnings\.|changes\.|errors\./);
      await noOverflow(reg, `record ${size}`, '[data-test="warning-record"]');
      await shot(reg, `b-record-${size}`);
      if (size === '1920x1080') {
        await reg.fill('[data-test="urge-text"]', '请于1小时内补充现场处置照片');
        await reg.click('[data-action="urge"]');
        await reg.waitForSelector('[data-event="urged"]', { timeout: 10_000 });
        await expect(rec.locator('[data-event="urged"]').textContent()).resolves.toContain('督办期限');
        await reg.fill('[data-test="verify-text"]', '现场核查：阀门已关闭，液位正常');
        await reg.click('[data-action="verify"]');
        await reg.waitForSelector('[data-test="record-state"][data-state="verified"]', { timeout: 10_000 });
        await expect(rec.locator('[data-event="verified"]').textContent()).resolves.toContain('现场核查');
        await shot(reg, 'b-record-verified-1920x1080');
      }
      await reg.context().close();
    }
    expect(errors).toEqual([]);
  });
});
