/** A way to reach people (signed webhook now; SMS and e-mail adapters plug in the same way). */
export interface NotificationChannel {
  readonly name: string;
  /** Resolves when the peer accepted the notification; rejects with a ChannelError otherwise. */
  deliver(payload: unknown): Promise<void>;
}

/** A delivery failure, saying whether trying again later can help. */
export class ChannelError extends Error {
  override readonly name = 'ChannelError';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}
