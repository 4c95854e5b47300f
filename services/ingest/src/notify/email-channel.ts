import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { deliveryPayload } from './delivery-payload.js';
import { ChannelError, type NotificationChannel } from './notification-channel.js';

export interface EmailChannelOptions {
  readonly name: string;
  readonly host: string;
  /** @default 465 when secure, else 587 */
  readonly port?: number;
  /** Implicit TLS from the first byte (port 465). @default false */
  readonly secure?: boolean;
  /** Without `secure`: refuse to send unless STARTTLS succeeds. @default true */
  readonly requireTls?: boolean;
  readonly user?: string;
  readonly pass?: string;
  /** Sender, e.g. `HazardWatch 预警 <warn@example.gov.cn>`. */
  readonly from: string;
  /** Connection, greeting and socket timeouts. @default 10000 */
  readonly timeoutMs?: number;
}

interface SmtpFailure {
  readonly code?: string;
  readonly responseCode?: number;
  readonly message: string;
}

/**
 * Whether an SMTP failure may pass by retrying: no answer at all (connection, TLS, timeout) and
 * 4xx answers (greylisting, mailbox busy, rate limits) may; 5xx answers to the envelope or the
 * message (unknown mailbox, rejected content) will not. An authentication failure is retried
 * (counted and visible): the message is fine, the channel is misconfigured or its auth backend
 * is down, and the deliveries wait for the fix instead of being lost.
 */
export function smtpRetryable(error: SmtpFailure): boolean {
  if (error.code === 'EAUTH') return true;
  if (typeof error.responseCode === 'number') return error.responseCode < 500;
  return true;
}

/** E-mail over SMTP (nodemailer): one message to one address per delivery, zh-CN plain text. */
export class EmailChannel implements NotificationChannel {
  readonly name: string;
  readonly #transport: Transporter;
  constructor(private readonly options: EmailChannelOptions) {
    this.name = options.name;
    const secure = options.secure ?? false;
    const timeout = options.timeoutMs ?? 10_000;
    this.#transport = nodemailer.createTransport({
      host: options.host,
      port: options.port ?? (secure ? 465 : 587),
      secure,
      requireTLS: !secure && (options.requireTls ?? true),
      ...(options.user === undefined ? {} : { auth: { user: options.user, pass: options.pass ?? '' } }),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
  }

  async deliver(payload: unknown): Promise<void> {
    const p = deliveryPayload(this.name, payload);
    if (p.to === null) throw new ChannelError(`${this.name}: no e-mail address`, false);
    try {
      await this.#transport.sendMail({
        from: this.options.from,
        to: p.to,
        subject: p.message.title,
        text: p.message.text,
        headers: { 'Content-Language': 'zh-CN' },
      });
    } catch (error) {
      const e = error as SmtpFailure;
      throw new ChannelError(`${this.name}: ${e.message}`, smtpRetryable(e));
    }
  }
}
