import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadRuntimeConfig, notificationSetup } from 'hazardwatch';

function file(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'hw-notify-')), 'config.yaml');
  writeFileSync(path, content);
  return path;
}

function problems(env: NodeJS.ProcessEnv, path?: string): readonly string[] {
  try {
    loadRuntimeConfig(env, path);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const FULL = `
notifications:
  publicUrl: https://hw.example.gov.cn
  wecom:
    - { name: wecom-e1, key: KEY-1, enterprise: '91320623MA1W000001' }
    - { name: fire-room, url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K2' }
  dingtalk:
    - { name: ding-park, accessToken: TOKEN, secret: SEC123, region: P32062301 }
  webhooks:
    - { name: regulator-hook, url: 'https://hook.example.cn/hw', secret: a-very-long-shared-secret }
  fireControl: { channel: fire-room }
`;

describe('notifications configuration', () => {
  it('reads SMTP and SMS from the environment and robots from the file, into channels and routes', () => {
    const config = loadRuntimeConfig(
      {
        HW_SMTP_HOST: 'smtp.example.cn',
        HW_SMTP_PORT: '465',
        HW_SMTP_SECURE: 'true',
        HW_SMTP_USER: 'warn',
        HW_SMTP_PASS: 'smtp-secret',
        HW_SMTP_FROM: 'HazardWatch <warn@example.cn>',
        HW_SMS_ACCESS_KEY_ID: 'AK',
        HW_SMS_ACCESS_KEY_SECRET: 'AK-secret',
        HW_SMS_SIGN_NAME: '危化预警',
        HW_SMS_TEMPLATE_CODE: 'SMS_1',
      },
      file(FULL),
    );
    expect(config.notifications.email).toMatchObject({
      name: 'email',
      host: 'smtp.example.cn',
      port: 465,
      secure: true,
    });
    expect(config.notifications.sms).toMatchObject({
      name: 'sms',
      provider: 'aliyun',
      endpoint: 'https://dysmsapi.aliyuncs.com/',
    });
    const setup = notificationSetup(config.notifications);
    expect(setup.channels.map((c) => c.name)).toEqual([
      'regulator-hook',
      'email',
      'sms',
      'wecom-e1',
      'fire-room',
      'ding-park',
    ]);
    expect(setup.routes).toEqual({
      sms: 'sms',
      email: 'email',
      robots: [
        { channel: 'wecom-e1', enterprise: '91320623MA1W000001', region: null },
        { channel: 'fire-room', enterprise: null, region: null },
        { channel: 'ding-park', enterprise: null, region: 'P32062301' },
      ],
      webhooks: ['regulator-hook'],
      fireControl: { channel: 'fire-room', kind: 'wecom', to: null },
      publicUrl: 'https://hw.example.gov.cn',
    });
  });

  it.each([
    [
      'an unknown key, named',
      `notifications:\n  wecom:\n    - { name: a, key: K, enterprise: E1, colour: red }\n`,
      /notifications\/wecom\/0.*colour|colour/,
    ],
    [
      'a channel name used twice',
      `notifications:\n  wecom:\n    - { name: a, key: K, enterprise: E1 }\n  dingtalk:\n    - { name: a, accessToken: T, secret: S, region: R }\n`,
      /notifications\.dingtalk\[0\]\.name: channel name a is used twice/,
    ],
    [
      'the reserved channel name none',
      `notifications:\n  wecom:\n    - { name: none, key: K, enterprise: E1 }\n`,
      /notifications\.wecom\[0\]\.name: none is reserved/,
    ],
    [
      'a robot with both key and url',
      `notifications:\n  wecom:\n    - { name: a, key: K, url: 'https://x.cn/k', enterprise: E1 }\n`,
      /notifications\.wecom\[0\]: give exactly one of key and url/,
    ],
    [
      'a robot that reaches nobody',
      `notifications:\n  dingtalk:\n    - { name: a, accessToken: T, secret: S }\n`,
      /notifications\.dingtalk\[0\]: needs enterprise or region/,
    ],
    [
      'a fire-control channel that does not exist',
      `notifications:\n  fireControl: { channel: nowhere }\n`,
      /notifications\.fireControl\.channel: no configured channel is named nowhere/,
    ],
    [
      'a robot without its DingTalk secret',
      `notifications:\n  dingtalk:\n    - { name: a, accessToken: T, region: R }\n`,
      /secret/,
    ],
  ])('refuses %s', (_, content, expected) => {
    const found = problems({}, file(content));
    expect(found.some((p) => expected.test(p))).toBe(true);
  });

  it('refuses an SMS fire-control channel without the room’s number, and half an SMTP login', () => {
    const found = problems(
      {
        HW_SMS_ACCESS_KEY_ID: 'AK',
        HW_SMS_ACCESS_KEY_SECRET: 'S',
        HW_SMS_SIGN_NAME: 'N',
        HW_SMS_TEMPLATE_CODE: 'T',
        HW_SMTP_HOST: 'smtp.example.cn',
        HW_SMTP_FROM: 'a@example.cn',
        HW_SMTP_USER: 'warn',
      },
      file('notifications:\n  fireControl: { channel: sms }\n'),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        "notifications.fireControl.to: the sms channel needs the fire-control room's address",
        'notifications.email: user and pass go together',
      ]),
    );
  });
});
