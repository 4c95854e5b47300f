import { ChannelError } from './notification-channel.js';
import type { DeliveryPayload } from './delivery-routing.js';

/** The payload of an SMS, e-mail or robot delivery, checked: a malformed row is given up, not retried. */
export function deliveryPayload(channel: string, payload: unknown): DeliveryPayload {
  const p = payload as Partial<DeliveryPayload> | null;
  const m = p?.message;
  if (
    typeof p !== 'object' ||
    p === null ||
    typeof m !== 'object' ||
    m === null ||
    typeof m.text !== 'string' ||
    typeof m.title !== 'string' ||
    !Array.isArray(p.mention)
  )
    throw new ChannelError(`${channel}: payload is not a rendered delivery`, false);
  return p as DeliveryPayload;
}
