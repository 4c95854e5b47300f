import { createHmac } from 'node:crypto';
import { ChannelError, type NotificationChannel } from './notification-channel.js';

export interface WebhookChannelOptions {
  readonly name: string;
  readonly url: string;
  /** Shared secret for the HMAC-SHA256 signature. */
  readonly secret: string;
  /** @default 5000 */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

export const SIGNATURE_HEADER = 'x-hazardwatch-signature';
export const TIMESTAMP_HEADER = 'x-hazardwatch-timestamp';

/**
 * Signature a receiver recomputes: HMAC-SHA256 over `${timestamp}.${body}` with the shared secret,
 * hex, prefixed `sha256=`. Including the timestamp lets the receiver refuse replays.
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** POSTs each notification as JSON, signed. 2xx = delivered; 408, 429 and 5xx = retry; other 4xx = give up. */
export class WebhookChannel implements NotificationChannel {
  readonly name: string;
  constructor(private readonly options: WebhookChannelOptions) {
    this.name = options.name;
  }

  async deliver(payload: unknown): Promise<void> {
    const body = JSON.stringify(payload);
    const timestamp = String((this.options.now ?? Date.now)());
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: webhookSignature(this.options.secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
    } catch (error) {
      throw new ChannelError(`webhook ${this.name}: ${(error as Error).message}`, true);
    }
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return;
    const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
    throw new ChannelError(`webhook ${this.name}: HTTP ${response.status}`, retryable);
  }
}
