import { HazardWatchError } from '@hazardwatch/kit';

/** A way to reach people (signed webhook now; SMS and e-mail adapters plug in the same way). */
export interface NotificationChannel {
  readonly name: string;
  /** Resolves when the peer accepted the notification; rejects with a ChannelError otherwise. */
  deliver(payload: unknown): Promise<void>;
}

type DeliveryErrorCode = 'HW_INGEST_DELIVERY_DEFERRED' | 'HW_INGEST_DELIVERY_REFUSED';

/**
 * A delivery failure, saying whether trying again later can help: HW_INGEST_DELIVERY_DEFERRED
 * (retryable) or HW_INGEST_DELIVERY_REFUSED (errors.ts). The message (channel name and the peer's
 * answer, never a key or secret) becomes the delivery's `lastError`.
 */
export class ChannelError extends HazardWatchError<DeliveryErrorCode> {
  override readonly name = 'ChannelError';
  constructor(message: string, retryable: boolean) {
    super(
      retryable ? 'HW_INGEST_DELIVERY_DEFERRED' : 'HW_INGEST_DELIVERY_REFUSED',
      message,
      { detail: message },
      retryable,
    );
  }
}
