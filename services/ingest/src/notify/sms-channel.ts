import { createHmac, randomUUID } from 'node:crypto';
import type { RenderedMessage } from './delivery-message.js';
import { deliveryPayload } from './delivery-payload.js';
import { requestJson, retryableStatus } from './http-json.js';
import { ChannelError, type NotificationChannel } from './notification-channel.js';

/** A provider's way of sending one SMS; rejects with a ChannelError saying whether retrying helps. */
export interface SmsSender {
  send(phone: string, message: RenderedMessage): Promise<void>;
}

/** SMS to one mobile per delivery, through a provider adapter. */
export class SmsChannel implements NotificationChannel {
  constructor(
    readonly name: string,
    private readonly sender: SmsSender,
  ) {}

  async deliver(payload: unknown): Promise<void> {
    const p = deliveryPayload(this.name, payload);
    if (p.to === null) throw new ChannelError(`${this.name}: no phone number`, false);
    await this.sender.send(p.to, p.message);
  }
}

export const ALIYUN_SMS_ENDPOINT = 'https://dysmsapi.aliyuncs.com/';

export interface AliyunSmsOptions {
  /** @default ALIYUN_SMS_ENDPOINT */
  readonly endpoint?: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** Approved SMS signature (短信签名). */
  readonly signName: string;
  /** Approved template (模板) whose variables are RenderedMessage.params. */
  readonly templateCode: string;
  /** @default cn-hangzhou */
  readonly regionId?: string;
  /** @default 5000 */
  readonly timeoutMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default randomUUID */
  readonly nonce?: () => string;
}

/** Aliyun's percent-encoding of RPC signatures: RFC 3986 (space %20, `*` %2A, `~` kept). */
export function aliyunPercentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * RPC signature (SignatureVersion 1.0, HMAC-SHA1): the parameters but `Signature` sorted by name,
 * percent-encoded as `k=v` joined by `&` (the canonicalized query string); StringToSign =
 * `${method}&%2F&${percentEncode(canonicalized)}`; key = `${accessKeySecret}&`; base64.
 */
export function aliyunRpcSignature(
  method: string,
  params: Readonly<Record<string, string>>,
  accessKeySecret: string,
): string {
  const canonical = Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${aliyunPercentEncode(k)}=${aliyunPercentEncode(params[k]!)}`)
    .join('&');
  const stringToSign = `${method}&${aliyunPercentEncode('/')}&${aliyunPercentEncode(canonical)}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign).digest('base64');
}

/**
 * Codes worth retrying: the provider's own failures and flow control (a phone number receives
 * a limited number of notifications per minute/hour/day). Anything else — a bad number,
 * signature, template, account or credentials — will not change by retrying.
 */
function retryableCode(code: string): boolean {
  return (
    code.startsWith('isp.') ||
    code.startsWith('isv.BUSINESS_LIMIT') ||
    code.startsWith('BUSINESS_LIMIT') ||
    code.startsWith('Throttling') ||
    code === 'ServiceUnavailable'
  );
}

/** Template variables are limited in length by the provider (35 characters for notifications). */
const MAX_PARAM_CHARS = 35;

/**
 * Aliyun Short Message Service (Dysmsapi 2017-05-25) SendSms, RPC style: form-encoded POST of the
 * common parameters (AccessKeyId, Action, Format, RegionId, SignatureMethod, SignatureNonce,
 * SignatureVersion, Timestamp, Version) and PhoneNumbers, SignName, TemplateCode, TemplateParam
 * (JSON), signed as aliyunRpcSignature. Accepted when the answer's `Code` is `OK`.
 */
export class AliyunSmsSender implements SmsSender {
  constructor(private readonly options: AliyunSmsOptions) {}

  async send(phone: string, message: RenderedMessage): Promise<void> {
    const o = this.options;
    const templateParam = Object.fromEntries(
      Object.entries(message.params).map(([k, v]) => [k, [...v].slice(0, MAX_PARAM_CHARS).join('')]),
    );
    const params: Record<string, string> = {
      AccessKeyId: o.accessKeyId,
      Action: 'SendSms',
      Format: 'JSON',
      PhoneNumbers: phone,
      RegionId: o.regionId ?? 'cn-hangzhou',
      SignName: o.signName,
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: (o.nonce ?? randomUUID)(),
      SignatureVersion: '1.0',
      TemplateCode: o.templateCode,
      TemplateParam: JSON.stringify(templateParam),
      Timestamp: new Date((o.now ?? Date.now)()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Version: '2017-05-25',
    };
    params['Signature'] = aliyunRpcSignature('POST', params, o.accessKeySecret);
    const body = Object.entries(params)
      .map(([k, v]) => `${aliyunPercentEncode(k)}=${aliyunPercentEncode(v)}`)
      .join('&');
    const answer = await requestJson('sms', o.endpoint ?? ALIYUN_SMS_ENDPOINT, {
      body,
      contentType: 'application/x-www-form-urlencoded',
      timeoutMs: o.timeoutMs ?? 5000,
    });
    const { Code, Message } = (answer.body ?? {}) as { Code?: unknown; Message?: unknown };
    if (answer.status === 200 && Code === 'OK') return;
    const code = typeof Code === 'string' ? Code : '';
    throw new ChannelError(
      `sms: HTTP ${answer.status} ${code} ${typeof Message === 'string' ? Message : ''}`.trim(),
      code === '' ? retryableStatus(answer.status) : retryableCode(code),
    );
  }
}
