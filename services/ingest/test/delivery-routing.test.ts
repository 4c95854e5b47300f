import { describe, expect, it } from 'vitest';
import { UNREACHABLE_CHANNEL, type AlarmEvent } from '@hazardwatch/contracts';
import {
  DEFAULT_ALARM_SETTINGS,
  requireValidSite,
  SiteIndex,
  type WarningNotification,
  type WarningNotificationSummary,
} from '@hazardwatch/core';
import {
  fireControlDeliveries,
  mobileOf,
  NO_ROUTES,
  shanghaiTime,
  UNREACHABLE_REASON,
  warningDeliveries,
  type DeliveryPayload,
  type DeliveryRoutes,
} from '@hazardwatch/ingest';

const person = (name: string, phone: string, email?: string) => ({
  name,
  phone,
  ...(email === undefined ? {} : { email }),
});

const site = new SiteIndex(
  requireValidSite({
    version: 1,
    regions: [
      { code: '320000', name: '江苏省', kind: 'province' },
      { code: '320600', name: '南通市', kind: 'city', parent: '320000' },
      { code: '320623', name: '如东县', kind: 'county', parent: '320600' },
      { code: 'PARK1', name: '洋口化工园区', kind: 'park', parent: '320623' },
    ],
    enterprises: [
      { code: 'E1', name: '示例氯碱化工有限公司', region: 'PARK1', location: { lon: 121, lat: 32.5 } },
      { code: 'E2', name: '示例精细化工有限公司', region: 'PARK1', location: { lon: 121.01, lat: 32.5 } },
    ],
    hazards: [
      {
        code: 'TF1',
        enterprise: 'E1',
        name: '液氯储罐区',
        declaredLevel: 4,
        type: 'tank_farm',
        responsible: {
          principal: person('王建国', '+8613800000001', 'wang@example.cn'),
          technical: person('李志强', '13800000002'),
          operational: person('张海涛', '0513-84123456'),
        },
        location: { lon: 121.001, lat: 32.501 },
        inventory: [{ substance: 'Cl2', designMaxTonnes: 10 }],
        exposedPopulation: 1,
      },
    ],
    gateways: [{ code: 'GW01', enterprise: 'E1', name: '网关' }],
    points: [
      {
        tag: 'AT-1',
        enterprise: 'E1',
        hazard: 'TF1',
        gateway: 'GW01',
        name: '罐区可燃气体探测器',
        kind: 'combustible_gas',
        unit: '%LEL',
        range: { min: 0, max: 100 },
        limits: { h: 20, hh: 40 },
        gas: { substance: '甲烷' },
      },
      {
        tag: 'AT-2',
        enterprise: 'E1',
        hazard: 'TF1',
        gateway: 'GW01',
        name: '罐区氯气探测器',
        kind: 'toxic_gas',
        // GBZ 2.1-2019: Cl₂ MAC 1 mg/m³ (= 0.34 ppm), so the limits are in mg/m³.
        unit: 'mg/m3',
        range: { min: 0, max: 10 },
        limits: { h: 1, hh: 2 },
        gas: { substance: '氯', basis: 'OEL', oel: 1 },
      },
    ],
  }).site,
);

const TS = Date.UTC(2026, 10, 23, 8, 0, 0);

const opened: WarningNotification = {
  warningId: 'w-1',
  enterprise: 'E1',
  hazard: 'TF1',
  kind: 'opened',
  colour: 'red',
  level: 'enterprise',
  ts: TS,
  recipients: [
    { role: 'principal', name: '王建国', contact: '+8613800000001' },
    { role: 'technical', name: '李志强', contact: '13800000002' },
    { role: 'operational', name: '张海涛', contact: '0513-84123456' },
    { role: 'regulator', regionCode: 'PARK1', tier: 'county', name: '洋口化工园区' },
  ],
};

const routes = (over: Partial<DeliveryRoutes>): DeliveryRoutes => ({ ...NO_ROUTES, ...over });

/** channel → role → address, the shape the table below speaks. */
const shape = (rows: ReturnType<typeof warningDeliveries>) =>
  rows.map((r) => [
    r.channel,
    r.recipient?.role ?? null,
    r.recipient?.address ?? null,
    r.failedReason ?? null,
  ]);

describe('routing a 预警 notification to deliveries (one row = one recipient over one channel)', () => {
  it.each<[string, Partial<DeliveryRoutes>, Array<[string, string | null, string | null, string | null]>]>([
    [
      'no channel: every recipient recorded as not reached',
      {},
      [
        [UNREACHABLE_CHANNEL, 'principal', null, UNREACHABLE_REASON],
        [UNREACHABLE_CHANNEL, 'technical', null, UNREACHABLE_REASON],
        [UNREACHABLE_CHANNEL, 'operational', null, UNREACHABLE_REASON],
        [UNREACHABLE_CHANNEL, 'regulator', null, UNREACHABLE_REASON],
      ],
    ],
    [
      'SMS reaches mobiles (normalised), not a landline; a regulator has no phone',
      { sms: 'sms' },
      [
        ['sms', 'principal', '13800000001', null],
        ['sms', 'technical', '13800000002', null],
        [UNREACHABLE_CHANNEL, 'operational', null, UNREACHABLE_REASON],
        [UNREACHABLE_CHANNEL, 'regulator', null, UNREACHABLE_REASON],
      ],
    ],
    [
      'e-mail reaches persons with an address in the site model',
      { email: 'mail' },
      [
        ['mail', 'principal', 'wang@example.cn', null],
        [UNREACHABLE_CHANNEL, 'technical', null, UNREACHABLE_REASON],
        [UNREACHABLE_CHANNEL, 'operational', null, UNREACHABLE_REASON],
        [UNREACHABLE_CHANNEL, 'regulator', null, UNREACHABLE_REASON],
      ],
    ],
    [
      'the enterprise robot reaches its persons, the region robot its regulator, another enterprise’s robot nobody',
      {
        robots: [
          { channel: 'wecom-e1', enterprise: 'E1', region: null },
          { channel: 'ding-park', enterprise: null, region: 'PARK1' },
          { channel: 'wecom-e2', enterprise: 'E2', region: null },
        ],
      },
      [
        ['wecom-e1', 'principal', 'wecom-e1', null],
        ['wecom-e1', 'technical', 'wecom-e1', null],
        ['wecom-e1', 'operational', 'wecom-e1', null],
        ['ding-park', 'regulator', 'ding-park', null],
      ],
    ],
    [
      'every channel that reaches a recipient, and the webhook once with the whole notification',
      {
        sms: 'sms',
        email: 'mail',
        webhooks: ['hook'],
        robots: [{ channel: 'ding-park', enterprise: 'E1', region: 'PARK1' }],
      },
      [
        ['hook', null, null, null],
        ['sms', 'principal', '13800000001', null],
        ['mail', 'principal', 'wang@example.cn', null],
        ['ding-park', 'principal', 'ding-park', null],
        ['sms', 'technical', '13800000002', null],
        ['ding-park', 'technical', 'ding-park', null],
        ['ding-park', 'operational', 'ding-park', null],
        ['ding-park', 'regulator', 'ding-park', null],
      ],
    ],
  ])('%s', (_, over, expected) => {
    const rows = warningDeliveries(opened, site, routes(over));
    expect(shape(rows)).toEqual(expected);
    for (const r of rows) {
      expect(r.warningId).toBe('w-1');
      expect(r.kind).toBe('opened');
    }
  });

  it('robots @-mention the person by mobile; the webhook gets the notification itself', () => {
    const rows = warningDeliveries(
      opened,
      site,
      routes({ webhooks: ['hook'], robots: [{ channel: 'wecom-e1', enterprise: 'E1', region: null }] }),
    );
    expect(rows[0]!.payload).toEqual(opened);
    const mentions = rows.slice(1, 4).map((r) => (r.payload as DeliveryPayload).mention);
    expect(mentions).toEqual([['13800000001'], ['13800000002'], []]);
  });

  it('renders the zh-CN message: colour, names from the site model, event, Asia/Shanghai time, deadline, link', () => {
    const [row] = warningDeliveries(
      { ...opened, deadline: TS + 30 * 60_000 } as WarningNotification,
      site,
      routes({ sms: 'sms', publicUrl: 'https://hw.example.gov.cn/' }),
    );
    const { message } = row!.payload as DeliveryPayload;
    expect(message.title).toBe('【红色预警】示例氯碱化工有限公司 液氯储罐区：新发预警');
    expect(message.text).toContain('时间：2026-11-23 16:00:00（北京时间）');
    expect(message.text).toContain('处置期限：2026-11-23 16:30:00（北京时间）');
    expect(message.text).toContain('接收人：王建国（主要负责人）');
    expect(message.link).toBe('https://hw.example.gov.cn/#/warnings/w-1');
    expect(message.params).toMatchObject({ colour: '红色预警', hazard: '液氯储罐区', event: '新发预警' });
  });

  it('a flood summary belongs to no single 预警 (warning_id null)', () => {
    const summary: WarningNotificationSummary = {
      kind: 'summary',
      enterprise: 'E1',
      colour: 'orange',
      count: 12,
      warningIds: ['w-1', 'w-2'],
      kinds: { opened: 12 },
      recipients: opened.recipients.slice(0, 1),
      fromMs: TS,
      toMs: TS + 60_000,
      ts: TS + 60_000,
    };
    const rows = warningDeliveries(summary, site, routes({ sms: 'sms' }));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ channel: 'sms', warningId: null, kind: 'summary' });
    expect((rows[0]!.payload as DeliveryPayload).message.title).toContain('橙色预警');
  });

  it.each([
    ['+86 138 0000 0001', '13800000001'],
    ['13800000001', '13800000001'],
    ['12800000001', null],
    ['0513-84123456', null],
    [undefined, null],
  ])('mobileOf(%s) = %s', (phone, mobile) => expect(mobileOf(phone)).toBe(mobile));

  it('Asia/Shanghai is UTC+8 all year', () => {
    expect(shanghaiTime(Date.UTC(2026, 6, 1, 16, 30, 5))).toBe('2026-07-02 00:30:05');
  });
});

describe('fire-control-room deliveries (GB/T 50493-2019 §5.1.2)', () => {
  const pointId = (tag: string) => site.pointByKey('E1', tag)!.id;
  const event = (
    tag: string,
    condition: AlarmEvent['condition'],
    over: Partial<AlarmEvent> = {},
  ): AlarmEvent => ({
    alarmId: `a-${tag}-${condition}`,
    sourceKey: `point:${pointId(tag)}`,
    pointId: pointId(tag),
    condition,
    from: 'NORM',
    to: 'UNACK',
    ts: TS,
    actor: 'system',
    reason: null,
    value: 45,
    ...over,
  });
  const fire = routes({ fireControl: { channel: 'fire-room', kind: 'wecom', to: null } });

  it.each<[string, AlarmEvent, boolean]>([
    ['a level-2 combustible alarm goes', event('AT-1', 'HH'), true],
    ['a level-1 combustible alarm does not', event('AT-1', 'H'), false],
    ['a gas detector fault goes', event('AT-2', 'SENSOR_BAD'), true],
    ['a level-2 toxic alarm does not (the clause names combustible alarms)', event('AT-2', 'HH'), false],
    ['a late (replayed) alarm does not', event('AT-1', 'HH', { late: true }), false],
    ['an acknowledgement does not', event('AT-1', 'HH', { from: 'UNACK', to: 'ACKED' }), false],
    ['a re-alarm after return-to-normal goes', event('AT-1', 'HH', { from: 'RTNUN' }), true],
  ])('%s', (_, e, sent) => {
    const rows = fireControlDeliveries([e], site, DEFAULT_ALARM_SETTINGS.colourPolicy, fire);
    expect(rows.length).toBe(sent ? 1 : 0);
    if (sent) {
      expect(rows[0]).toMatchObject({
        channel: 'fire-room',
        alarmId: e.alarmId,
        kind: 'fire_control',
        recipient: { role: 'fire_control', address: 'fire-room' },
      });
      expect((rows[0]!.payload as DeliveryPayload).message.title).toContain('【消防控制室】');
    }
  });

  it('nothing without a configured fire-control channel', () => {
    expect(
      fireControlDeliveries([event('AT-1', 'HH')], site, DEFAULT_ALARM_SETTINGS.colourPolicy, NO_ROUTES),
    ).toEqual([]);
  });
});
