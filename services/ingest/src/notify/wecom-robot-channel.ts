import { deliveryPayload } from './delivery-payload.js';
import { requestJson, retryableStatus } from './http-json.js';
import { ChannelError, type NotificationChannel } from './notification-channel.js';

export const WECOM_ROBOT_URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send';

export interface WeComRobotChannelOptions {
  readonly name: string;
  /** The robot's webhook key (…/webhook/send?key=KEY). One of `key` and `url`. */
  readonly key?: string;
  /** The whole webhook URL (key included); also how tests point the channel at a local receiver. */
  readonly url?: string;
  /** Base of the send URL when `key` is given. @default WECOM_ROBOT_URL */
  readonly baseUrl?: string;
  /** @default 5000 */
  readonly timeoutMs?: number;
}

/**
 * errcodes worth retrying: -1 system busy, 45009 API frequency limit (a group robot takes 20
 * messages a minute). Any other non-zero errcode (93000 invalid webhook URL, 40008 bad message
 * type, 44004 empty text …) will not change by retrying.
 */
const RETRYABLE_ERRCODES = new Set([-1, 45009]);

/** Text content limit of a WeCom robot message, bytes (UTF-8). */
const MAX_CONTENT_BYTES = 2048;

function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = text;
  while (Buffer.byteLength(out) > maxBytes - 3) out = out.slice(0, -1);
  return `${out}…`;
}

/**
 * 企业微信 group robot: POST {"msgtype":"text","text":{"content":…,"mentioned_mobile_list":[…]}}
 * to the webhook; delivered when the answer is HTTP 200 with errcode 0 (docs/notifications.md).
 */
export class WeComRobotChannel implements NotificationChannel {
  readonly name: string;
  readonly #url: string;
  constructor(private readonly options: WeComRobotChannelOptions) {
    this.name = options.name;
    this.#url =
      options.url ?? `${options.baseUrl ?? WECOM_ROBOT_URL}?key=${encodeURIComponent(options.key ?? '')}`;
  }

  async deliver(payload: unknown): Promise<void> {
    const p = deliveryPayload(this.name, payload);
    const body = JSON.stringify({
      msgtype: 'text',
      text: {
        content: truncateUtf8(p.message.text, MAX_CONTENT_BYTES),
        ...(p.mention.length > 0 ? { mentioned_mobile_list: p.mention } : {}),
      },
    });
    const answer = await requestJson(this.name, this.#url, {
      body,
      contentType: 'application/json',
      timeoutMs: this.options.timeoutMs ?? 5000,
    });
    if (answer.status !== 200)
      throw new ChannelError(`${this.name}: HTTP ${answer.status}`, retryableStatus(answer.status));
    const { errcode, errmsg } = (answer.body ?? {}) as { errcode?: unknown; errmsg?: unknown };
    if (errcode === 0) return;
    const code = typeof errcode === 'number' ? errcode : NaN;
    throw new ChannelError(
      `${this.name}: errcode ${String(errcode)} ${typeof errmsg === 'string' ? errmsg : ''}`.trim(),
      RETRYABLE_ERRCODES.has(code),
    );
  }
}
