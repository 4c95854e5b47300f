/**
 * Local peers for the notification channels, each checking requests the way the provider
 * documents (docs/notifications.md) and answering in the provider's format: a WeCom group robot,
 * a DingTalk robot with 加签, Aliyun Dysmsapi SendSms (RPC signature) and an SMTP server.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Received {
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A JSON answer; `status` defaults to 200. */
export interface Answer {
  readonly status?: number;
  readonly json: unknown;
}

export interface HttpReceiver {
  readonly url: string;
  readonly received: Received[];
  /** Decides each answer; checked requests that fail a check are answered by the check itself. */
  answer: (r: Received) => Answer;
  close(): Promise<void>;
}

async function httpReceiver(
  check: (r: Received) => Answer | null,
  answer: (r: Received) => Answer,
): Promise<HttpReceiver> {
  const received: Received[] = [];
  const receiver = { received, answer };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const r: Received = { url: new URL(req.url ?? '/', 'http://receiver'), headers: req.headers, body };
      received.push(r);
      const a = check(r) ?? receiver.answer(r);
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(a.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(receiver, {
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

const OK_ERRCODE: Answer = { json: { errcode: 0, errmsg: 'ok' } };

/** WeCom group robot: POST /cgi-bin/webhook/send?key=KEY, msgtype text, content ≤ 2048 bytes. */
export function weComRobot(
  key: string,
  answer: (r: Received) => Answer = () => OK_ERRCODE,
): Promise<HttpReceiver> {
  return httpReceiver((r) => {
    if (r.url.pathname !== '/cgi-bin/webhook/send' || r.url.searchParams.get('key') !== key)
      return { json: { errcode: 93000, errmsg: 'invalid webhook url' } };
    const body = JSON.parse(r.body) as {
      msgtype?: unknown;
      text?: { content?: unknown; mentioned_mobile_list?: unknown };
    };
    const mentions = body.text?.mentioned_mobile_list;
    if (
      body.msgtype !== 'text' ||
      typeof body.text?.content !== 'string' ||
      Buffer.byteLength(body.text.content) > 2048 ||
      (mentions !== undefined &&
        (!Array.isArray(mentions) || mentions.some((m) => !/^1\d{10}$/.test(String(m)))))
    )
      return { json: { errcode: 40008, errmsg: 'invalid message type' } };
    return null;
  }, answer);
}

/** DingTalk robot with 加签: access_token, timestamp within one hour, sign recomputed. */
export function dingTalkRobot(
  accessToken: string,
  secret: string,
  answer: (r: Received) => Answer = () => OK_ERRCODE,
): Promise<HttpReceiver> {
  return httpReceiver((r) => {
    const q = r.url.searchParams;
    if (r.url.pathname !== '/robot/send' || q.get('access_token') !== accessToken)
      return { json: { errcode: 300001, errmsg: 'token is not exist' } };
    const timestamp = q.get('timestamp') ?? '';
    const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
    if (Math.abs(Date.now() - Number(timestamp)) > 3_600_000 || q.get('sign') !== expected)
      return { json: { errcode: 310000, errmsg: 'sign not match' } };
    const body = JSON.parse(r.body) as {
      msgtype?: unknown;
      text?: { content?: unknown };
      at?: { atMobiles?: unknown };
    };
    if (
      body.msgtype !== 'text' ||
      typeof body.text?.content !== 'string' ||
      !Array.isArray(body.at?.atMobiles)
    )
      return { json: { errcode: 40035, errmsg: 'missing param' } };
    return null;
  }, answer);
}

function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export const SMS_OK = (): Answer => ({
  json: {
    Message: 'OK',
    RequestId: 'F655A8D5-B967-440B-8683-DAD6FF8DE990',
    BizId: '900619746936498440^0',
    Code: 'OK',
  },
});

/**
 * Aliyun Dysmsapi SendSms (RPC, POST form): recomputes Signature (HMAC-SHA1 with `secret&` over
 * `POST&%2F&percentEncode(sorted canonical query)`), checks the Timestamp window (15 min) and the
 * operation's parameters, and answers in Dysmsapi's JSON.
 */
export function aliyunSms(
  accessKeyId: string,
  accessKeySecret: string,
  answer: (r: Received) => Answer = SMS_OK,
): Promise<HttpReceiver> {
  return httpReceiver((r) => {
    const params = new URLSearchParams(r.body);
    const canonical = [...params.keys()]
      .filter((k) => k !== 'Signature')
      .sort()
      .map((k) => `${percentEncode(k)}=${percentEncode(params.get(k)!)}`)
      .join('&');
    const expected = createHmac('sha1', `${accessKeySecret}&`)
      .update(`POST&${percentEncode('/')}&${percentEncode(canonical)}`)
      .digest('base64');
    if (params.get('AccessKeyId') !== accessKeyId)
      return {
        status: 404,
        json: { Code: 'InvalidAccessKeyId.NotFound', Message: 'Specified access key is not found.' },
      };
    if (params.get('Signature') !== expected)
      return {
        status: 400,
        json: {
          Code: 'SignatureDoesNotMatch',
          Message: 'Specified signature is not matched with our calculation.',
        },
      };
    const ts = Date.parse(params.get('Timestamp') ?? '');
    if (
      !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(params.get('Timestamp') ?? '') ||
      Math.abs(Date.now() - ts) > 900_000
    )
      return {
        status: 400,
        json: { Code: 'InvalidTimeStamp.Expired', Message: 'Specified time stamp or date value is expired.' },
      };
    let templateOk = true;
    try {
      JSON.parse(params.get('TemplateParam') ?? '');
    } catch {
      templateOk = false;
    }
    if (
      params.get('Action') !== 'SendSms' ||
      params.get('Version') !== '2017-05-25' ||
      params.get('SignatureMethod') !== 'HMAC-SHA1' ||
      params.get('SignatureVersion') !== '1.0' ||
      !params.get('SignatureNonce') ||
      !params.get('SignName') ||
      !params.get('TemplateCode') ||
      !templateOk
    )
      return { json: { Code: 'isv.INVALID_PARAMETERS', Message: 'parameters invalid' } };
    if (!/^1[3-9]\d{9}$/.test(params.get('PhoneNumbers') ?? ''))
      return { json: { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: 'mobile number illegal' } };
    return null;
  }, answer);
}

export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly raw: string;
}

export interface SmtpPeer {
  readonly port: number;
  readonly mails: ReceivedMail[];
  /** RCPT TO answer: null accepts; otherwise an SMTP reply code and text. */
  rcpt: (address: string) => { code: number; text: string } | null;
  close(): Promise<void>;
}

/** A real SMTP server (smtp-server) on port 0 with AUTH PLAIN/LOGIN, no TLS (a local test peer). */
export async function smtpPeer(user: string, pass: string): Promise<SmtpPeer> {
  const mails: ReceivedMail[] = [];
  const peer = { mails, rcpt: () => null } as Pick<SmtpPeer, 'mails' | 'rcpt'>;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === pass) callback(null, { user });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      const refusal = peer.rcpt(address.address);
      if (refusal === null) callback();
      else callback(Object.assign(new Error(refusal.text), { responseCode: refusal.code }));
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((a) => a.address),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return Object.assign(peer, {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
