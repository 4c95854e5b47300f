import type { Logger } from 'pino';
import {
  AliyunSmsSender,
  DingTalkRobotChannel,
  EmailChannel,
  SmsChannel,
  WebhookChannel,
  WeComRobotChannel,
  type ChannelKind,
  type DeliveryRoutes,
  type NotificationChannel,
} from '@hazardwatch/ingest';
import type { NotificationsConfig } from './notifications-config.js';

export interface NotificationSetup {
  readonly channels: readonly NotificationChannel[];
  readonly routes: DeliveryRoutes;
}

/**
 * The configured notification channels and whom each reaches (docs/notifications.md), from the
 * validated `notifications` section (notificationProblems has checked names and references).
 */
export function notificationSetup(n: NotificationsConfig): NotificationSetup {
  const channels: NotificationChannel[] = [];
  const kinds = new Map<string, ChannelKind>();
  const add = (channel: NotificationChannel, kind: ChannelKind): void => {
    channels.push(channel);
    kinds.set(channel.name, kind);
  };
  for (const w of n.webhooks) add(new WebhookChannel(w), 'webhook');
  if (n.email)
    add(
      new EmailChannel({
        name: n.email.name,
        host: n.email.host,
        ...(n.email.port === undefined ? {} : { port: n.email.port }),
        secure: n.email.secure,
        requireTls: n.email.requireTls,
        ...(n.email.user === undefined ? {} : { user: n.email.user, pass: n.email.pass ?? '' }),
        from: n.email.from,
      }),
      'email',
    );
  if (n.sms)
    add(
      new SmsChannel(
        n.sms.name,
        new AliyunSmsSender({
          endpoint: n.sms.endpoint,
          accessKeyId: n.sms.accessKeyId,
          accessKeySecret: n.sms.accessKeySecret,
          signName: n.sms.signName,
          templateCode: n.sms.templateCode,
          regionId: n.sms.regionId,
        }),
      ),
      'sms',
    );
  for (const r of n.wecom)
    add(
      new WeComRobotChannel({
        name: r.name,
        ...(r.key === undefined ? {} : { key: r.key }),
        ...(r.url === undefined ? {} : { url: r.url }),
      }),
      'wecom',
    );
  for (const r of n.dingtalk)
    add(
      new DingTalkRobotChannel({
        name: r.name,
        secret: r.secret,
        ...(r.accessToken === undefined ? {} : { accessToken: r.accessToken }),
        ...(r.url === undefined ? {} : { url: r.url }),
      }),
      'dingtalk',
    );
  const fireKind = n.fireControl ? kinds.get(n.fireControl.channel) : undefined;
  return {
    channels,
    routes: {
      sms: n.sms?.name ?? null,
      email: n.email?.name ?? null,
      robots: [...n.wecom, ...n.dingtalk].map((r) => ({
        channel: r.name,
        enterprise: r.enterprise ?? null,
        region: r.region ?? null,
      })),
      webhooks: n.webhooks.map((w) => w.name),
      fireControl:
        n.fireControl && fireKind
          ? { channel: n.fireControl.channel, kind: fireKind, to: n.fireControl.to ?? null }
          : null,
      publicUrl: n.publicUrl ?? null,
    },
  };
}

/** What is configured, for the start-up log: names and kinds only, never keys or secrets. */
export function describeNotifications(setup: NotificationSetup, log: Logger): void {
  if (setup.channels.length === 0) return; // the ingest service warns that nobody is told
  log.info(
    {
      channels: setup.channels.map((c) => c.name),
      sms: setup.routes.sms,
      email: setup.routes.email,
      robots: setup.routes.robots.length,
      webhooks: setup.routes.webhooks.length,
      fireControl: setup.routes.fireControl?.channel ?? null,
    },
    'notification channels',
  );
}
