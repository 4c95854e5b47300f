import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import type pg from 'pg';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  telemetryTopic,
  topicFilter,
  UNREACHABLE_CHANNEL,
  type NotificationDelivery,
} from '@hazardwatch/contracts';
import { DEFAULT_ALARM_SETTINGS } from '@hazardwatch/core';
import {
  AliyunSmsSender,
  buildIngestService,
  DingTalkRobotChannel,
  EmailChannel,
  IngestConfigSchema,
  SmsChannel,
  WeComRobotChannel,
  type IngestService,
} from '@hazardwatch/ingest';
import { parseConfig, systemClock } from '@hazardwatch/kit';
import {
  deliveriesOf,
  importSiteDocument,
  migrate,
  sqlClientFromPg,
  type SqlClient,
} from '@hazardwatch/store';
import { createTestDatabase, openTestPool, providedServices, type TestDatabase } from '@hazardwatch/testkit';
import {
  aliyunSms,
  dingTalkRobot,
  SMS_OK,
  smtpPeer,
  weComRobot,
  type HttpReceiver,
  type SmtpPeer,
} from './notify-receivers.js';
import { discardSession, logger } from './support.js';

const EXAMPLE = fileURLToPath(new URL('../../core/examples/site.example.yaml', import.meta.url));
const DING_SECRET = 'SEC0123456789abcdef';

/**
 * Issue #19 items 4–6, end to end: readings over MQTT raise a real alarm and open a real 预警 in
 * the ingest service; its notifications go out through a real SMTP server and local receivers
 * that check each provider's request shape and signature. While a receiver fails, alarms and 预警
 * are stored regardless and its deliveries wait (pending, attempts, lastError) until it recovers;
 * a refusal is failed for good; a recipient nothing reaches is recorded as such.
 */
describe('预警 notifications delivered through e-mail, SMS and group robots', () => {
  const { postgresAdminUrl, mqttUrl } = providedServices();
  let db: TestDatabase;
  let pool: pg.Pool;
  let client: SqlClient;
  let service: IngestService | undefined;
  let pub: MqttClient;
  let clientId: string;
  let smtp: SmtpPeer;
  let sms: HttpReceiver;
  let wecom: HttpReceiver;
  let fireRoom: HttpReceiver;
  let ding: HttpReceiver;

  beforeEach(async () => {
    db = await createTestDatabase(postgresAdminUrl);
    pool = openTestPool(db.url, { max: 4 });
    client = sqlClientFromPg(pool);
    clientId = `hw-notify-${randomBytes(3).toString('hex')}`;
    pub = await mqtt.connectAsync(mqttUrl, { clientId: `hw-test-pub-${randomBytes(3).toString('hex')}` });
    smtp = await smtpPeer('hw', 'smtp-pass');
    sms = await aliyunSms('AK-ID', 'ak-secret');
    wecom = await weComRobot('KEY-E1');
    fireRoom = await weComRobot('KEY-FIRE');
    ding = await dingTalkRobot('TOKEN-PARK', DING_SECRET);
  });

  afterEach(async () => {
    await service?.close();
    service = undefined;
    await pub.endAsync();
    await discardSession(mqttUrl, clientId);
    for (const peer of [smtp, sms, wecom, fireRoom, ding]) await peer.close();
    await pool.end();
    await db.drop();
  });

  it('warns at start-up when no channel is configured (预警 are recorded, nobody is told)', async () => {
    const migration = await migrate(client, { logger, dialect: 'postgres' });
    const settings = parseConfig(IngestConfigSchema, {
      mqtt: {
        url: mqttUrl,
        clientId,
        subscriptions: [topicFilter('telemetry', `E${randomBytes(4).toString('hex')}`)],
      },
    });
    if (!settings.ok) throw new Error(settings.errors.join('; '));
    const lines: Array<{ level: number; msg: string }> = [];
    const captured = pino(
      { level: 'warn' },
      { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) },
    );
    service = buildIngestService(settings.value, {
      logger: captured,
      clock: systemClock,
      store: { pool, client, dialect: migration.dialect, retention: migration.retention },
      connectionString: db.url,
      site: undefined,
      alarmSettings: DEFAULT_ALARM_SETTINGS,
    });
    await service.start();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: 'no notification channel configured: 预警 are recorded, but nobody is told (docs/notifications.md)',
      }),
    );
  });

  it('delivers, waits through a failing peer, gives up on a refusal, records the unreachable, and tells the fire-control room', async () => {
    const e1 = `91320623N${randomBytes(4).toString('hex').toUpperCase()}`.slice(0, 18);
    const e2 = `91320623P${randomBytes(4).toString('hex').toUpperCase()}`.slice(0, 18);
    const migration = await migrate(client, { logger, dialect: 'postgres' });
    const yaml = readFileSync(EXAMPLE, 'utf8')
      .replaceAll('91320623MA1W000001', e1)
      .replaceAll('91320623MA1W000002', e2)
      .replace(
        "{ name: 王建国, phone: '13800000001' }",
        "{ name: 王建国, phone: '13800000001', email: wang@example.cn }",
      )
      .replace("{ name: 张海涛, phone: '13800000003' }", "{ name: 张海涛, phone: '0513-84123456' }");
    const site = await importSiteDocument(client, yaml, 'yaml', Date.now());
    if (!site.ok) throw new Error(`example site invalid: ${JSON.stringify(site)}`);
    const settings = parseConfig(IngestConfigSchema, {
      mqtt: {
        url: mqttUrl,
        clientId,
        subscriptions: [topicFilter('telemetry', e1), topicFilter('telemetry', e2)],
      },
      schedule: { outboxIntervalMs: 200 },
    });
    if (!settings.ok) throw new Error(settings.errors.join('; '));

    // The SMS provider and the park's DingTalk robot are failing when the 预警 opens.
    sms.answer = () => ({ json: { Code: 'isp.SYSTEM_ERROR', Message: 'System error' } });
    ding.answer = () => ({ status: 500, json: {} });

    service = buildIngestService(settings.value, {
      logger,
      clock: systemClock,
      store: { pool, client, dialect: migration.dialect, retention: migration.retention },
      connectionString: db.url,
      site: { index: site.index, version: site.version },
      alarmSettings: DEFAULT_ALARM_SETTINGS,
      channels: [
        new EmailChannel({
          name: 'email',
          host: '127.0.0.1',
          port: smtp.port,
          requireTls: false,
          user: 'hw',
          pass: 'smtp-pass',
          from: 'warn@hw.example.cn',
        }),
        new SmsChannel(
          'sms',
          new AliyunSmsSender({
            endpoint: sms.url,
            accessKeyId: 'AK-ID',
            accessKeySecret: 'ak-secret',
            signName: '危化预警',
            templateCode: 'SMS_1',
          }),
        ),
        new WeComRobotChannel({
          name: 'wecom-e1',
          key: 'KEY-E1',
          baseUrl: `${wecom.url}/cgi-bin/webhook/send`,
        }),
        new WeComRobotChannel({
          name: 'fire-room',
          url: `${fireRoom.url}/cgi-bin/webhook/send?key=KEY-FIRE`,
        }),
        new DingTalkRobotChannel({
          name: 'ding-park',
          accessToken: 'TOKEN-PARK',
          secret: DING_SECRET,
          baseUrl: `${ding.url}/robot/send`,
        }),
      ],
      routes: {
        sms: 'sms',
        email: 'email',
        robots: [
          { channel: 'wecom-e1', enterprise: e1, region: null },
          { channel: 'ding-park', enterprise: null, region: 'P32062301' },
        ],
        webhooks: [],
        fireControl: { channel: 'fire-room', kind: 'wecom', to: null },
        publicUrl: 'https://hw.example.gov.cn',
      },
    });
    await service.start();

    // LT-1101 (液氯储罐 level): HH 85 after a 10 s on-delay in source time ⇒ red alarm ⇒ red 预警.
    const t0 = Date.now() - 60_000;
    for (const [dt, value] of [
      [0, 60],
      [1_000, 90],
      [12_000, 90],
    ] as const)
      await pub.publishAsync(
        telemetryTopic({ enterprise: e1, gateway: 'GW01' }),
        JSON.stringify({ readings: [{ tag: 'LT-1101', ts: t0 + dt, value }] }),
        { qos: 1 },
      );
    const warningId = await expect
      .poll(async () => (await client.query<{ id: string }>('SELECT id FROM warnings')).rows[0]?.id, {
        timeout: 20_000,
      })
      .toBeTruthy()
      .then(async () => (await client.query<{ id: string }>('SELECT id FROM warnings')).rows[0]!.id);
    const deliveries = () => deliveriesOf(client, { warningId });
    const row = (list: NotificationDelivery[], channel: string, role: string) =>
      list.find((d) => d.channel === channel && d.recipient?.role === role);

    // While SMS and DingTalk fail: the alarm and the 预警 are stored, e-mail and WeCom delivered,
    // the SMS and DingTalk deliveries wait with their attempts and last error.
    await expect
      .poll(
        async () => {
          const list = await deliveries();
          const s = row(list, 'sms', 'principal');
          return [
            row(list, 'email', 'principal')?.state,
            s?.state,
            (s?.attempts ?? 0) > 0,
            row(list, 'ding-park', 'regulator')?.state,
            (row(list, 'ding-park', 'regulator')?.attempts ?? 0) > 0,
          ];
        },
        { timeout: 20_000 },
      )
      .toEqual(['delivered', 'pending', true, 'pending', true]);
    const waiting = await deliveries();
    expect(row(waiting, 'sms', 'principal')!.lastError).toContain('isp.SYSTEM_ERROR');
    expect(row(waiting, 'ding-park', 'regulator')!.lastError).toContain('HTTP 500');
    expect(row(waiting, 'sms', 'principal')!.nextAttemptAt).not.toBeNull();
    const stored = await client.query<{ condition: string; colour: string }>(
      "SELECT condition, colour FROM alarms WHERE source_key LIKE 'point:%'",
    );
    expect(stored.rows).toEqual([{ condition: 'HH', colour: 'red' }]);
    expect((await client.query('SELECT 1 FROM warnings WHERE colour = $1', ['red'])).rows.length).toBe(1);

    // The e-mail: to the principal's address, the zh-CN message.
    expect(smtp.mails.map((m) => m.to)).toEqual([['wang@example.cn']]);
    expect(smtp.mails[0]!.raw).toMatch(/Subject: =\?UTF-8\?/i);
    // WeCom: one message per responsible person, each @-mentioning that person's mobile (none for a landline).
    const wecomBodies = wecom.received.map(
      (r) => JSON.parse(r.body) as { text: { content: string; mentioned_mobile_list?: string[] } },
    );
    expect(wecomBodies.map((b) => b.text.mentioned_mobile_list ?? [])).toEqual([
      ['13800000001'],
      ['13800000002'],
      [],
    ]);
    expect(wecomBodies[0]!.text.content).toContain(
      '【红色预警】如东示例氯碱化工有限公司 液氯储罐区：新发预警',
    );
    expect(wecomBodies[0]!.text.content).toContain(`详情：https://hw.example.gov.cn/#/warnings/${warningId}`);

    // The peers recover; the provider refuses the technical person's number for good.
    sms.answer = (r) =>
      new URLSearchParams(r.body).get('PhoneNumbers') === '13800000002'
        ? { json: { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: 'invalid mobile' } }
        : SMS_OK();
    ding.answer = () => ({ json: { errcode: 0, errmsg: 'ok' } });
    await expect
      .poll(async () => (await deliveries()).filter((d) => d.state === 'pending').length, { timeout: 30_000 })
      .toBe(0);
    const settled = (await deliveries()).map((d) => [
      d.channel,
      d.recipient?.role,
      d.recipient?.address,
      d.state,
    ]);
    expect(settled).toEqual(
      expect.arrayContaining([
        ['sms', 'principal', '13800000001', 'delivered'],
        ['sms', 'technical', '13800000002', 'failed'],
        ['email', 'principal', 'wang@example.cn', 'delivered'],
        ['wecom-e1', 'principal', 'wecom-e1', 'delivered'],
        ['wecom-e1', 'technical', 'wecom-e1', 'delivered'],
        ['wecom-e1', 'operational', 'wecom-e1', 'delivered'],
        ['ding-park', 'regulator', 'ding-park', 'delivered'],
        // The county (如东县) has no robot: recorded, never pretended.
        [UNREACHABLE_CHANNEL, 'regulator', null, 'failed'],
      ]),
    );
    const final = await deliveries();
    expect(row(final, 'sms', 'technical')!.lastError).toContain('isv.MOBILE_NUMBER_ILLEGAL');
    expect(final.find((d) => d.channel === UNREACHABLE_CHANNEL)!.lastError).toBe(
      'no channel reaches this recipient',
    );
    expect(final.every((d) => d.kind === 'opened')).toBe(true);
    const dingBody = JSON.parse(ding.received.at(-1)!.body) as { text: { content: string } };
    expect(dingBody.text.content).toContain('接收人：江苏洋口港经济开发区（化工园区）（监管部门）');

    // Counted per channel, visible in the metrics.
    const metrics = await service.metrics();
    expect(metrics).toMatch(/hw_ingest_notifications_total\{channel="sms",outcome="retried"\} [1-9]/);
    expect(metrics).toMatch(/hw_ingest_notifications_total\{channel="sms",outcome="failed"\} 1/);
    expect(metrics).toMatch(/hw_ingest_notifications_total\{channel="ding-park",outcome="delivered"\} 1/);

    // GB/T 50493-2019 §5.1.2: a level-2 combustible gas alarm (AT-2101, HH 40 %LEL, on-delay 5 s)
    // reaches the fire-control room.
    const g0 = Date.now() - 10_000;
    for (const [dt, value] of [
      [0, 45],
      [6_000, 46],
      [7_000, 46],
    ] as const)
      await pub.publishAsync(
        telemetryTopic({ enterprise: e2, gateway: 'GW01' }),
        JSON.stringify({ readings: [{ tag: 'AT-2101', ts: g0 + dt, value }] }),
        { qos: 1 },
      );
    await expect.poll(() => fireRoom.received.length, { timeout: 20_000 }).toBe(1);
    const gasPoint = service.site!.pointByKey(e2, 'AT-2101')!.id;
    const gasAlarm = (
      await client.query<{ id: string }>("SELECT id FROM alarms WHERE source_key = $1 AND condition = 'HH'", [
        `point:${gasPoint}`,
      ])
    ).rows[0]!.id;
    await expect
      .poll(
        async () =>
          (await deliveriesOf(client, { alarmId: gasAlarm })).map((d) => [
            d.channel,
            d.kind,
            d.recipient?.role,
            d.state,
          ]),
        { timeout: 10_000 },
      )
      .toEqual([['fire-room', 'fire_control', 'fire_control', 'delivered']]);
    const fireText = (JSON.parse(fireRoom.received[0]!.body) as { text: { content: string } }).text.content;
    expect(fireText).toContain(
      '【消防控制室】如东示例精细化工有限公司 反应釜区氢气可燃气体探测器：可燃/有毒气体二级报警',
    );
  });
});
