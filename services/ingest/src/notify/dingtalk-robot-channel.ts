import { createHmac } from 'node:crypto';
import { deliveryPayload } from './delivery-payload.js';
import { requestJson, retryableStatus } from './http-json.js';
import { ChannelError, type NotificationChannel } from './notification-channel.js';

export const DINGTALK_ROBOT_URL = 'https://oapi.dingtalk.com/robot/send';

export interface DingTalkRobotChannelOptions {
  readonly name: string;
  /** The robot's access token. One of `accessToken` and `url`. */
  readonly accessToken?: string;
  /** The whole webhook URL (…/robot/send?access_token=…); tests point it at a local receiver. */
  readonly url?: string;
  /** Base of the send URL when `accessToken` is given. @default DINGTALK_ROBOT_URL */
  readonly baseUrl?: string;
  /** The robot's 加签 secret (`SEC…`). */
  readonly secret: string;
  /** @default 5000 */
  readonly timeoutMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * DingTalk 加签: base64(HMAC-SHA256(key = secret, message = `${timestamp}\n${secret}`)), URL-encoded;
 * the timestamp (ms) must be within one hour of DingTalk's clock.
 */
export function dingTalkSign(secret: string, timestamp: string): string {
  return encodeURIComponent(createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64'));
}

/** -1 system busy; 130101 sending too fast (20 messages a minute per robot). */
const RETRYABLE_ERRCODES = new Set([-1, 130101]);

/**
 * 钉钉 custom group robot with 加签: POST {"msgtype":"text","text":{"content":…},"at":{"atMobiles":[…]}}
 * to …/robot/send?access_token=…&timestamp=…&sign=…; delivered on errcode 0. The mentioned mobiles
 * are also written into the text (`@138…`), where DingTalk shows the mention.
 */
export class DingTalkRobotChannel implements NotificationChannel {
  readonly name: string;
  readonly #url: string;
  constructor(private readonly options: DingTalkRobotChannelOptions) {
    this.name = options.name;
    this.#url =
      options.url ??
      `${options.baseUrl ?? DINGTALK_ROBOT_URL}?access_token=${encodeURIComponent(options.accessToken ?? '')}`;
  }

  async deliver(payload: unknown): Promise<void> {
    const p = deliveryPayload(this.name, payload);
    const timestamp = String((this.options.now ?? Date.now)());
    const sign = dingTalkSign(this.options.secret, timestamp);
    const url = `${this.#url}${this.#url.includes('?') ? '&' : '?'}timestamp=${timestamp}&sign=${sign}`;
    const mentions = p.mention.map((m) => `@${m}`).join(' ');
    const body = JSON.stringify({
      msgtype: 'text',
      text: { content: mentions ? `${p.message.text}\n${mentions}` : p.message.text },
      at: { atMobiles: p.mention, isAtAll: false },
    });
    const answer = await requestJson(this.name, url, {
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
