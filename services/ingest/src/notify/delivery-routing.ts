/**
 * Routing (pure): which deliveries a notification makes. One delivery = one notification to one
 * recipient over one channel (one outbox row). For each recipient, every configured channel that
 * can reach it: SMS to a responsible person's mobile, e-mail to their address when the site model
 * has one, the enterprise's group robots (WeCom/DingTalk) with the person @-mentioned by mobile,
 * and a regulator's region robots. Signed webhooks get the whole notification once. A recipient
 * no channel reaches is recorded as a failed delivery, so the record never pretends someone was
 * told.
 */
import { UNREACHABLE_CHANNEL, type AlarmEvent, type DeliveryRecipient } from '@hazardwatch/contracts';
import {
  alarmContext,
  isFireControlRoomRelevant,
  type ColourPolicy,
  type OutboundWarningNotification,
  type SiteIndex,
  type WarningRecipient,
} from '@hazardwatch/core';
import type { OutboxEnqueueItem } from '@hazardwatch/store';
import {
  renderFireControlMessage,
  renderWarningMessage,
  type FireControlNotice,
  type RenderedMessage,
} from './delivery-message.js';

export const CHANNEL_KINDS = ['sms', 'email', 'wecom', 'dingtalk', 'webhook'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** A group robot and whom it reaches: persons of an enterprise's 预警, regulators of a region. */
export interface RobotRoute {
  readonly channel: string;
  readonly enterprise: string | null;
  readonly region: string | null;
}

/** The configured channels as routing sees them (compiled from `notifications`). */
export interface DeliveryRoutes {
  /** Channel name of the SMS channel, if configured. */
  readonly sms: string | null;
  readonly email: string | null;
  readonly robots: readonly RobotRoute[];
  readonly webhooks: readonly string[];
  /** GB/T 50493-2019 §5.1.2 fire-control-room channel; `to` is the phone/e-mail for sms/email. */
  readonly fireControl: {
    readonly channel: string;
    readonly kind: ChannelKind;
    readonly to: string | null;
  } | null;
  /** Public base URL of the dashboard, for links in messages. */
  readonly publicUrl: string | null;
}

export const NO_ROUTES: DeliveryRoutes = Object.freeze({
  sms: null,
  email: null,
  robots: [],
  webhooks: [],
  fireControl: null,
  publicUrl: null,
});

/** What an SMS, e-mail or robot channel receives (the outbox payload of one delivery). */
export interface DeliveryPayload {
  readonly message: RenderedMessage;
  /** Mobile (SMS) or e-mail address; null for a group robot. */
  readonly to: string | null;
  /** Mobiles a group robot @-mentions. */
  readonly mention: readonly string[];
  /** The notification (or fire-control notice) itself, for the record. */
  readonly notification: unknown;
}

/** Why a delivery with contracts UNREACHABLE_CHANNEL failed (recorded, never attempted). */
export const UNREACHABLE_REASON = 'no channel reaches this recipient';

/** The site model parts routing reads (names for messages, persons' e-mail addresses). */
export type RoutingSiteView = Pick<SiteIndex, 'enterprise' | 'hazard' | 'pointById' | 'site'>;

/** A mainland mobile number as providers and robots want it (11 digits), or null (landline, other). */
export function mobileOf(phone: string | undefined): string | null {
  if (phone === undefined) return null;
  const digits = phone.replace(/[\s-]/g, '').replace(/^(\+86|0086)/, '');
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null;
}

/** The e-mail address of a responsible person, looked up in the site model (the hazards of the subject). */
function emailOf(
  site: RoutingSiteView,
  n: { enterprise: string; hazard: string | null },
  r: WarningRecipient,
) {
  if (r.role === 'regulator') return null;
  const role = r.role;
  const hazards =
    n.hazard === null
      ? site.site.hazards.filter((h) => h.enterprise === n.enterprise)
      : [site.hazard(n.enterprise, n.hazard)].filter((h) => h !== undefined);
  for (const h of hazards) {
    const p = h.responsible[role];
    if (p.name === r.name && p.phone === r.contact && p.email !== undefined) return p.email;
  }
  return null;
}

function recipientOf(r: WarningRecipient, address: string | null): DeliveryRecipient {
  return { role: r.role, name: r.name ?? null, address, regionCode: r.regionCode ?? null };
}

/** Deliveries of one 预警 notification (or flood summary), in a stable order. */
export function warningDeliveries(
  n: OutboundWarningNotification,
  site: RoutingSiteView,
  routes: DeliveryRoutes,
): OutboxEnqueueItem[] {
  const warningId = n.kind === 'summary' ? null : n.warningId;
  const hazard = n.kind === 'summary' ? null : n.hazard;
  const base = { warningId, kind: n.kind };
  const out: OutboxEnqueueItem[] = routes.webhooks.map((channel) => ({
    ...base,
    channel,
    payload: n,
    recipient: null,
  }));
  for (const r of n.recipients) {
    const message = renderWarningMessage(n, r, site, routes.publicUrl);
    const reached: OutboxEnqueueItem[] = [];
    const add = (channel: string, to: string | null, address: string, mention: readonly string[]): void => {
      const payload: DeliveryPayload = { message, to, mention, notification: n };
      reached.push({ ...base, channel, payload, recipient: recipientOf(r, address) });
    };
    if (r.role === 'regulator') {
      for (const robot of routes.robots)
        if (robot.region !== null && robot.region === r.regionCode)
          add(robot.channel, null, robot.channel, []);
    } else {
      const mobile = mobileOf(r.contact);
      const email = emailOf(site, { enterprise: n.enterprise, hazard }, r);
      if (routes.sms !== null && mobile !== null) add(routes.sms, mobile, mobile, []);
      if (routes.email !== null && email !== null) add(routes.email, email, email, []);
      for (const robot of routes.robots)
        if (robot.enterprise !== null && robot.enterprise === n.enterprise)
          add(robot.channel, null, robot.channel, mobile === null ? [] : [mobile]);
    }
    if (reached.length === 0)
      reached.push({
        ...base,
        channel: UNREACHABLE_CHANNEL,
        payload: { message, to: null, mention: [], notification: n } satisfies DeliveryPayload,
        recipient: recipientOf(r, null),
        failedReason: UNREACHABLE_REASON,
      });
    out.push(...reached);
  }
  return out;
}

/** A newly annunciated alarm: from normal (or returned-unacknowledged) to unacknowledged, not late. */
function annunciated(e: AlarmEvent): boolean {
  return e.to === 'UNACK' && (e.from === 'NORM' || e.from === 'RTNUN') && e.late !== true;
}

/**
 * GB/T 50493-2019 §5.1.2 (REFERENCE §8 item 10): a level-2 combustible gas alarm or a gas
 * detector/control-unit fault is also sent to the fire-control room, one delivery per alarm
 * annunciation, on the configured channel. Late (replayed) alarms are journal entries and are
 * not sent, as they sound no horn either.
 */
export function fireControlDeliveries(
  events: readonly AlarmEvent[],
  site: SiteIndex,
  policy: ColourPolicy,
  routes: DeliveryRoutes,
): OutboxEnqueueItem[] {
  const target = routes.fireControl;
  if (target === null) return [];
  const out: OutboxEnqueueItem[] = [];
  for (const e of events) {
    if (e.pointId === null || !annunciated(e)) continue;
    const point = site.pointById(e.pointId);
    if (point === undefined) continue;
    if (
      !isFireControlRoomRelevant(
        policy,
        alarmContext(site, { kind: 'point', pointId: e.pointId }, e.condition),
      )
    )
      continue;
    const notice: FireControlNotice = {
      type: 'fire_control',
      alarmId: e.alarmId,
      enterprise: point.enterprise,
      hazard: point.hazard,
      pointId: e.pointId,
      tag: point.tag,
      pointName: point.name,
      pointKind: point.kind,
      condition: e.condition,
      value: e.value,
      unit: point.unit,
      ts: e.ts,
    };
    const payload: unknown =
      target.kind === 'webhook'
        ? notice
        : ({
            message: renderFireControlMessage(notice, site, routes.publicUrl),
            to: target.to,
            mention: [],
            notification: notice,
          } satisfies DeliveryPayload);
    out.push({
      channel: target.channel,
      payload,
      alarmId: e.alarmId,
      kind: 'fire_control',
      recipient: {
        role: 'fire_control',
        name: '消防控制室',
        address: target.to ?? target.channel,
        regionCode: null,
      },
    });
  }
  return out;
}
