import { Type, type Static } from '@sinclair/typebox';
import { UNREACHABLE_CHANNEL } from '@hazardwatch/contracts';

const CHANNEL_NAME = Type.String({ pattern: '^[a-z0-9_-]{1,40}$' });
/** A group robot's scope: the enterprise (code) whose persons it @-mentions, the region (code) whose regulator it tells. */
const ROBOT_SCOPE = {
  enterprise: Type.Optional(Type.String({ minLength: 1 })),
  region: Type.Optional(Type.String({ minLength: 1 })),
};

/** Where notifications go (docs/notifications.md). Channel names are unique across all kinds. */
export const NotificationsConfigSchema = Type.Object(
  {
    /** Public base URL of the dashboard, for links in messages (e.g. https://hw.example.gov.cn). */
    publicUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
    /** Signed webhooks every 预警 notification is sent to whole (HMAC-SHA256, see docs/notifications.md). */
    webhooks: Type.Array(
      Type.Object(
        {
          name: CHANNEL_NAME,
          url: Type.String({ pattern: '^https?://' }),
          secret: Type.String({ minLength: 16 }),
        },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
    /** E-mail over SMTP to responsible persons with an `email` in the site model. */
    email: Type.Optional(
      Type.Object(
        {
          /** @default email */
          name: Type.String({ pattern: '^[a-z0-9_-]{1,40}$', default: 'email' }),
          host: Type.String({ minLength: 1 }),
          /** @default 465 when secure, else 587 */
          port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_535 })),
          /** Implicit TLS (port 465). @default false */
          secure: Type.Boolean({ default: false }),
          /** Without `secure`: refuse to send unless STARTTLS succeeds. @default true */
          requireTls: Type.Boolean({ default: true }),
          user: Type.Optional(Type.String({ minLength: 1 })),
          pass: Type.Optional(Type.String({ minLength: 1 })),
          /** Sender, e.g. `HazardWatch 预警 <warn@example.gov.cn>`. */
          from: Type.String({ minLength: 3 }),
        },
        { additionalProperties: false },
      ),
    ),
    /** SMS to responsible persons' mainland mobiles, through a provider's registered template. */
    sms: Type.Optional(
      Type.Object(
        {
          /** @default sms */
          name: Type.String({ pattern: '^[a-z0-9_-]{1,40}$', default: 'sms' }),
          /** Aliyun Short Message Service (Dysmsapi SendSms). @default aliyun */
          provider: Type.Literal('aliyun', { default: 'aliyun' }),
          /** @default https://dysmsapi.aliyuncs.com/ */
          endpoint: Type.String({ pattern: '^https?://', default: 'https://dysmsapi.aliyuncs.com/' }),
          accessKeyId: Type.String({ minLength: 1 }),
          accessKeySecret: Type.String({ minLength: 1 }),
          /** Approved signature (短信签名). */
          signName: Type.String({ minLength: 1 }),
          /** Approved template (模板) with the variables of docs/notifications.md. */
          templateCode: Type.String({ minLength: 1 }),
          /** @default cn-hangzhou */
          regionId: Type.String({ minLength: 1, default: 'cn-hangzhou' }),
        },
        { additionalProperties: false },
      ),
    ),
    /** 企业微信 group robots: one of `key` and `url`. */
    wecom: Type.Array(
      Type.Object(
        {
          name: CHANNEL_NAME,
          key: Type.Optional(Type.String({ minLength: 1 })),
          url: Type.Optional(Type.String({ pattern: '^https?://' })),
          ...ROBOT_SCOPE,
        },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
    /** 钉钉 group robots with 加签: one of `accessToken` and `url`, and the `secret`. */
    dingtalk: Type.Array(
      Type.Object(
        {
          name: CHANNEL_NAME,
          accessToken: Type.Optional(Type.String({ minLength: 1 })),
          url: Type.Optional(Type.String({ pattern: '^https?://' })),
          secret: Type.String({ minLength: 1 }),
          ...ROBOT_SCOPE,
        },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
    /**
     * GB/T 50493-2019 §5.1.2: level-2 combustible alarms and gas detector faults also go to the
     * fire-control room, over this configured channel (`to`: its phone or e-mail for sms/email).
     */
    fireControl: Type.Optional(
      Type.Object(
        { channel: CHANNEL_NAME, to: Type.Optional(Type.String({ minLength: 3 })) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, default: {} },
);
export type NotificationsConfig = Static<typeof NotificationsConfigSchema>;

/**
 * Rules across the notification keys (checked once, each problem naming its key): unique channel
 * names, one address form per robot, a scope per robot, a fire-control channel that exists.
 */
export function notificationProblems(n: NotificationsConfig): string[] {
  const problems: string[] = [];
  const kinds = new Map<string, string>();
  const named = (key: string, name: string, kind: string): void => {
    if (name === UNREACHABLE_CHANNEL)
      problems.push(`${key}.name: ${name} is reserved (deliveries no channel can make)`);
    else if (kinds.has(name)) problems.push(`${key}.name: channel name ${name} is used twice`);
    else kinds.set(name, kind);
  };
  n.webhooks.forEach((w, i) => named(`notifications.webhooks[${i}]`, w.name, 'webhook'));
  if (n.email) named('notifications.email', n.email.name, 'email');
  if (n.sms) named('notifications.sms', n.sms.name, 'sms');
  if (n.email && (n.email.user === undefined) !== (n.email.pass === undefined))
    problems.push('notifications.email: user and pass go together');
  const robots = [
    ...n.wecom.map((r, i) => ({
      key: `notifications.wecom[${i}]`,
      kind: 'wecom',
      r,
      token: r.key,
      tokenKey: 'key',
    })),
    ...n.dingtalk.map((r, i) => ({
      key: `notifications.dingtalk[${i}]`,
      kind: 'dingtalk',
      r,
      token: r.accessToken,
      tokenKey: 'accessToken',
    })),
  ];
  for (const { key, kind, r, token, tokenKey } of robots) {
    named(key, r.name, kind);
    if ((token === undefined) === (r.url === undefined))
      problems.push(`${key}: give exactly one of ${tokenKey} and url`);
    if (r.enterprise === undefined && r.region === undefined && n.fireControl?.channel !== r.name)
      problems.push(
        `${key}: needs enterprise or region (whom it reaches), unless it is the fireControl channel`,
      );
  }
  if (n.fireControl) {
    const kind = kinds.get(n.fireControl.channel);
    if (kind === undefined)
      problems.push(
        `notifications.fireControl.channel: no configured channel is named ${n.fireControl.channel}`,
      );
    else if ((kind === 'sms' || kind === 'email') && n.fireControl.to === undefined)
      problems.push(
        `notifications.fireControl.to: the ${kind} channel needs the fire-control room's address`,
      );
  }
  return problems;
}
