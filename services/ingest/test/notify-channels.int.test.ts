import { afterEach, describe, expect, it } from 'vitest';
import {
  AliyunSmsSender,
  ChannelError,
  DingTalkRobotChannel,
  EmailChannel,
  SmsChannel,
  WeComRobotChannel,
  type DeliveryPayload,
} from '@hazardwatch/ingest';
import {
  aliyunSms,
  dingTalkRobot,
  smtpPeer,
  weComRobot,
  type HttpReceiver,
  type SmtpPeer,
} from './notify-receivers.js';

const message = {
  title: '【红色预警】示例氯碱化工有限公司 液氯储罐区：新发预警',
  text: '【红色预警】示例氯碱化工有限公司 液氯储罐区：新发预警\n时间：2026-11-23 16:00:00（北京时间）',
  link: null,
  params: {
    colour: '红色预警',
    enterprise: '示例氯碱化工有限公司',
    hazard: '液氯储罐区',
    event: '新发预警',
    time: '2026-11-23 16:00:00',
    deadline: '',
  },
};
const payload = (over: Partial<DeliveryPayload> = {}): DeliveryPayload => ({
  message,
  to: null,
  mention: [],
  notification: { warningId: 'w-1' },
  ...over,
});

/** The failure a delivery rejects with (a ChannelError, or the test fails). */
async function failure(p: Promise<void>): Promise<ChannelError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChannelError);
  const e = error as ChannelError;
  // Coded (STYLE rule 4): the code says whether retrying helps, as `retryable` does.
  expect(e.code).toBe(e.retryable ? 'HW_INGEST_DELIVERY_DEFERRED' : 'HW_INGEST_DELIVERY_REFUSED');
  return e;
}

/** Subject and text of a received MIME message (encoded-words, base64 or quoted-printable body). */
function decodeMail(raw: string): { subject: string; text: string; headers: string } {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = head.replace(/\r?\n[ \t]+/g, ' ');
  const subjectLine = /^Subject: (.*)$/im.exec(headers)?.[1] ?? '';
  const subject = subjectLine.replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=\s*/gi, (_, enc: string, data: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString('utf8')
      : Buffer.from(
          data
            .replace(/_/g, ' ')
            .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
  const body = rest.join('\n\n');
  const encoding = /^Content-Transfer-Encoding: (.*)$/im.exec(headers)?.[1]?.trim().toLowerCase();
  const text =
    encoding === 'base64'
      ? Buffer.from(body.replace(/\s/g, ''), 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? Buffer.from(
            body
              .replace(/=\r?\n/g, '')
              .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8')
        : body;
  return { subject, text: text.replace(/\r\n/g, '\n').trim(), headers };
}

describe('EmailChannel over SMTP (nodemailer → a real smtp-server)', () => {
  let peer: SmtpPeer | undefined;
  afterEach(async () => {
    await peer?.close();
    peer = undefined;
  });

  const channel = (port: number, pass = 'smtp-pass') =>
    new EmailChannel({
      name: 'email',
      host: '127.0.0.1',
      port,
      secure: false,
      requireTls: false,
      user: 'hw',
      pass,
      from: 'HazardWatch 预警 <warn@hw.example.cn>',
      timeoutMs: 3000,
    });

  it('delivers to the address with the zh-CN subject and body', async () => {
    peer = await smtpPeer('hw', 'smtp-pass');
    await channel(peer.port).deliver(payload({ to: 'wang@example.cn' }));
    expect(peer.mails).toHaveLength(1);
    const mail = peer.mails[0]!;
    expect(mail.from).toBe('warn@hw.example.cn');
    expect(mail.to).toEqual(['wang@example.cn']);
    const decoded = decodeMail(mail.raw);
    expect(decoded.subject).toBe(message.title);
    expect(decoded.text).toBe(message.text);
    expect(decoded.headers).toMatch(/^Content-Language: zh-CN$/im);
  });

  it('an authentication failure is retryable (the message waits for the fixed credentials)', async () => {
    peer = await smtpPeer('hw', 'smtp-pass');
    const e = await failure(channel(peer.port, 'wrong').deliver(payload({ to: 'wang@example.cn' })));
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(/535|auth/i);
    expect(peer.mails).toHaveLength(0);
  });

  it('a 4xx answer is retryable, a 5xx answer is not', async () => {
    peer = await smtpPeer('hw', 'smtp-pass');
    peer.rcpt = (a) =>
      a.startsWith('busy') ? { code: 451, text: 'Try again later' } : { code: 550, text: 'No such user' };
    expect((await failure(channel(peer.port).deliver(payload({ to: 'busy@example.cn' })))).retryable).toBe(
      true,
    );
    expect((await failure(channel(peer.port).deliver(payload({ to: 'nobody@example.cn' })))).retryable).toBe(
      false,
    );
  });

  it('a peer that is down is retryable', async () => {
    peer = await smtpPeer('hw', 'smtp-pass');
    const port = peer.port;
    await peer.close();
    peer = undefined;
    expect((await failure(channel(port).deliver(payload({ to: 'wang@example.cn' })))).retryable).toBe(true);
  });
});

describe('WeComRobotChannel (企业微信 group robot)', () => {
  let robot: HttpReceiver | undefined;
  afterEach(async () => {
    await robot?.close();
    robot = undefined;
  });

  it('posts a text message with the mentioned mobiles; errcode 0 is delivered', async () => {
    robot = await weComRobot('KEY-1');
    await new WeComRobotChannel({
      name: 'wecom',
      key: 'KEY-1',
      baseUrl: `${robot.url}/cgi-bin/webhook/send`,
    }).deliver(payload({ mention: ['13800000001'] }));
    expect(JSON.parse(robot.received[0]!.body)).toEqual({
      msgtype: 'text',
      text: { content: message.text, mentioned_mobile_list: ['13800000001'] },
    });
  });

  it('errcode 45009 (frequency limit) is retryable; a wrong key (93000) is not', async () => {
    robot = await weComRobot('KEY-1', () => ({ json: { errcode: 45009, errmsg: 'api freq out of limit' } }));
    const base = `${robot.url}/cgi-bin/webhook/send`;
    expect(
      (
        await failure(
          new WeComRobotChannel({ name: 'wecom', key: 'KEY-1', baseUrl: base }).deliver(payload()),
        )
      ).retryable,
    ).toBe(true);
    const wrong = await failure(
      new WeComRobotChannel({ name: 'wecom', key: 'OTHER', baseUrl: base }).deliver(payload()),
    );
    expect(wrong.retryable).toBe(false);
    expect(wrong.message).toContain('93000');
  });

  it('HTTP 500 is retryable', async () => {
    robot = await weComRobot('KEY-1', () => ({ status: 500, json: {} }));
    const url = `${robot.url}/cgi-bin/webhook/send?key=KEY-1`;
    expect((await failure(new WeComRobotChannel({ name: 'wecom', url }).deliver(payload()))).retryable).toBe(
      true,
    );
  });
});

describe('DingTalkRobotChannel (钉钉 robot with 加签)', () => {
  let robot: HttpReceiver | undefined;
  afterEach(async () => {
    await robot?.close();
    robot = undefined;
  });
  const SECRET = 'SECa1b2c3d4e5f6';

  it('signs the request (the receiver recomputes it), @-mentions by mobile; errcode 0 is delivered', async () => {
    robot = await dingTalkRobot('TOKEN-1', SECRET);
    await new DingTalkRobotChannel({
      name: 'ding',
      accessToken: 'TOKEN-1',
      secret: SECRET,
      baseUrl: `${robot.url}/robot/send`,
    }).deliver(payload({ mention: ['13800000002'] }));
    expect(JSON.parse(robot.received[0]!.body)).toEqual({
      msgtype: 'text',
      text: { content: `${message.text}\n@13800000002` },
      at: { atMobiles: ['13800000002'], isAtAll: false },
    });
  });

  it('a wrong secret or a timestamp over an hour old is refused (310000) and not retried', async () => {
    robot = await dingTalkRobot('TOKEN-1', SECRET);
    const base = `${robot.url}/robot/send`;
    const wrong = await failure(
      new DingTalkRobotChannel({
        name: 'ding',
        accessToken: 'TOKEN-1',
        secret: 'SECwrong',
        baseUrl: base,
      }).deliver(payload()),
    );
    expect(wrong).toMatchObject({ retryable: false });
    expect(wrong.message).toContain('310000');
    const stale = await failure(
      new DingTalkRobotChannel({
        name: 'ding',
        accessToken: 'TOKEN-1',
        secret: SECRET,
        baseUrl: base,
        now: () => Date.now() - 3_700_000,
      }).deliver(payload()),
    );
    expect(stale.message).toContain('310000');
  });

  it('130101 (sending too fast) is retryable', async () => {
    robot = await dingTalkRobot('TOKEN-1', SECRET, () => ({
      json: { errcode: 130101, errmsg: 'send too fast' },
    }));
    const url = `${robot.url}/robot/send?access_token=TOKEN-1`;
    expect(
      (await failure(new DingTalkRobotChannel({ name: 'ding', url, secret: SECRET }).deliver(payload())))
        .retryable,
    ).toBe(true);
  });
});

describe('SmsChannel with the Aliyun Dysmsapi SendSms adapter', () => {
  let provider: HttpReceiver | undefined;
  afterEach(async () => {
    await provider?.close();
    provider = undefined;
  });
  const sender = (endpoint: string, secret = 'ak-secret') =>
    new AliyunSmsSender({
      endpoint,
      accessKeyId: 'AK-ID',
      accessKeySecret: secret,
      signName: '危化预警',
      templateCode: 'SMS_000001',
    });

  it('sends a signed SendSms the provider verifies; Code OK is delivered', async () => {
    provider = await aliyunSms('AK-ID', 'ak-secret');
    await new SmsChannel('sms', sender(provider.url)).deliver(payload({ to: '13800000001' }));
    const params = new URLSearchParams(provider.received[0]!.body);
    expect(params.get('PhoneNumbers')).toBe('13800000001');
    expect(params.get('SignName')).toBe('危化预警');
    expect(params.get('TemplateCode')).toBe('SMS_000001');
    expect(JSON.parse(params.get('TemplateParam')!)).toEqual(message.params);
  });

  it('a signature the provider does not match is given up; flow control and system errors are retried', async () => {
    provider = await aliyunSms('AK-ID', 'ak-secret');
    const bad = await failure(
      new SmsChannel('sms', sender(provider.url, 'wrong')).deliver(payload({ to: '13800000001' })),
    );
    expect(bad).toMatchObject({ retryable: false });
    expect(bad.message).toContain('SignatureDoesNotMatch');
    const illegal = await failure(
      new SmsChannel('sms', sender(provider.url)).deliver(payload({ to: '12345' })),
    );
    expect(illegal.message).toContain('isv.MOBILE_NUMBER_ILLEGAL');
    expect(illegal.retryable).toBe(false);
    for (const Code of ['isv.BUSINESS_LIMIT_CONTROL', 'isp.SYSTEM_ERROR']) {
      provider.answer = () => ({ json: { Code, Message: 'later' } });
      expect(
        (await failure(new SmsChannel('sms', sender(provider.url)).deliver(payload({ to: '13800000001' }))))
          .retryable,
      ).toBe(true);
    }
  });
});
