import { describe, expect, it } from 'vitest';
import type { DeviceCredentialRecord } from '@hazardwatch/core';
import { hashDeviceSecret, MqttAccessControl, newDeviceSecret } from '@hazardwatch/store';

describe('MqttAccessControl', () => {
  const issued = newDeviceSecret();
  const records = new Map<string, DeviceCredentialRecord>([
    [
      'E1.GW01',
      {
        username: 'E1.GW01',
        enterprise: 'E1',
        gateway: 'GW01',
        salt: issued.salt,
        secretHash: issued.secretHash,
        revokedAt: null,
      },
    ],
    [
      'E1.GW02',
      {
        username: 'E1.GW02',
        enterprise: 'E1',
        gateway: 'GW02',
        salt: issued.salt,
        secretHash: issued.secretHash,
        revokedAt: 1,
      },
    ],
  ]);
  const access = () =>
    new MqttAccessControl({
      lookup: (u) => Promise.resolve(records.get(u)),
      services: new Map([['svc', 'service-password-123']]),
    });

  it('stores only a salted hash: same secret, different salt, different hash', () => {
    const again = newDeviceSecret();
    expect(issued.secret).not.toBe(again.secret);
    expect(issued.secretHash).toBe(hashDeviceSecret(issued.secret, issued.salt));
    expect(hashDeviceSecret(issued.secret, again.salt)).not.toBe(issued.secretHash);
    expect(issued.secretHash).not.toContain(issued.secret);
  });

  it.each([
    ['E1.GW01', undefined, 'no_credentials'],
    [undefined, 'x', 'no_credentials'],
    ['E1.GW01', '', 'no_credentials'],
    ['E9.GW01', 'x', 'unknown_user'],
    ['E1.GW02', issued.secret, 'revoked'],
    ['E1.GW01', `${issued.secret}x`, 'wrong_secret'],
    ['svc', 'wrong', 'wrong_secret'],
  ] as const)('refuses %s / %s: %s, and counts it', async (username, password, reason) => {
    const a = access();
    expect(await a.authenticate(username, password)).toEqual({ ok: false, reason });
    expect(a.counters.authFailures[reason]).toBe(1);
  });

  it('admits a device with its secret (string or Buffer) and limits it to its own topics', async () => {
    const a = access();
    const result = await a.authenticate('E1.GW01', Buffer.from(issued.secret));
    expect(result).toEqual({
      ok: true,
      principal: { kind: 'device', username: 'E1.GW01', device: { enterprise: 'E1', gateway: 'GW01' } },
    });
    if (!result.ok) return;
    expect(a.mayPublish(result.principal, 'hw/v1/E1/GW01/telemetry')).toBe(true);
    expect(a.mayPublish(result.principal, 'hw/v1/E2/GW01/telemetry')).toBe(false);
    expect(a.maySubscribe(result.principal, 'hw/v1/+/+/telemetry')).toBe(false);
    expect(a.counters).toMatchObject({ publishDenied: 1, subscribeDenied: 1 });
  });

  it('admits a service user to everything', async () => {
    const a = access();
    const result = await a.authenticate('svc', 'service-password-123');
    expect(result.ok && result.principal.kind).toBe('service');
    if (!result.ok) return;
    expect(a.maySubscribe(result.principal, 'hw/v1/+/+/telemetry')).toBe(true);
    expect(a.isServiceUser('svc')).toBe(true);
    expect(a.isServiceUser('E1.GW01')).toBe(false);
  });
});
