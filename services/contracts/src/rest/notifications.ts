import { Type, type Static } from '@sinclair/typebox';
import { Ms, Nullable, OneOf } from './shapes.js';

/** Delivery states of one notification to one recipient over one channel. */
export const DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/**
 * Who a notification was addressed to: one of the three 包保责任人 (principal / technical /
 * operational), a regulator (region), a group robot, or the fire control room.
 */
export const DeliveryRecipientSchema = Type.Object({
  /** principal | technical | operational | regulator | group | fire_control */
  role: Type.String(),
  /** Person, region or group name; null when the channel addresses a fixed target only. */
  name: Nullable(Type.String()),
  /** Where it went: a phone number, an e-mail address, a robot or receiver name. */
  address: Nullable(Type.String()),
  /** Region code, for regulator recipients. */
  regionCode: Nullable(Type.String()),
});
export type DeliveryRecipient = Static<typeof DeliveryRecipientSchema>;

/**
 * Channel name of a delivery no configured channel can make (a recipient without a mobile, an
 * e-mail address or a robot): recorded failed, never attempted. Reserved: no channel may be
 * configured under this name. The ingest records it, the dashboard shows it as "no channel".
 */
export const UNREACHABLE_CHANNEL = 'none';

/** One delivery (one outbox row): a notification to one recipient over one channel. */
export const NotificationDeliverySchema = Type.Object({
  id: Type.Number(),
  /**
   * Configured channel name (e.g. `email`, `sms`, `wecom-park`, `dingtalk`, `webhook`), or
   * UNREACHABLE_CHANNEL (`none`) when no channel reaches the recipient.
   */
  channel: Type.String(),
  /** What happened: opened, upgraded, escalated, reminder, urged, closed, fire_control … */
  kind: Nullable(Type.String()),
  recipient: Nullable(DeliveryRecipientSchema),
  state: OneOf(DELIVERY_STATES),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  createdAt: Ms(),
  /** Next retry for a pending delivery. */
  nextAttemptAt: Nullable(Ms()),
  deliveredAt: Nullable(Ms()),
  failedAt: Nullable(Ms()),
});
export type NotificationDelivery = Static<typeof NotificationDeliverySchema>;
