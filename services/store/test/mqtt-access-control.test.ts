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

  describe('whether a session’s credential is still current', () => {
    const device = (revokedAt: number | null, secret = issued): DeviceCredentialRecord => ({
      username: 'E1.GW01',
      enterprise: 'E1',
      gateway: 'GW01',
      salt: secret.salt,
      secretHash: secret.secretHash,
      revokedAt,
    });
    function counting(initial: DeviceCredentialRecord) {
      const state: {
        record: DeviceCredentialRecord | undefined;
        reads: number;
        failing: boolean;
        nowMs: number;
      } = { record: initial, reads: 0, failing: false, nowMs: 0 };
      const control = new MqttAccessControl({
        lookup: (u) => {
          state.reads++;
          if (state.failing) return Promise.reject(new Error('store down'));
          return Promise.resolve(u === 'E1.GW01' ? state.record : undefined);
        },
        services: new Map([['svc', 'service-password-123']]),
        credentialCacheMs: 30_000,
        now: () => state.nowMs,
      });
      return { state, control };
    }
    const login = async (control: MqttAccessControl, secret: string) => {
      const result = await control.authenticate('E1.GW01', secret);
      if (!result.ok) throw new Error(result.reason);
      return result.principal;
    };

    it('answers from the login’s read until a change is announced, then reads again', async () => {
      const { state, control } = counting(device(null));
      const principal = await login(control, issued.secret);
      expect(await control.isCurrent(principal)).toBe(true);
      expect(await control.isCurrent(principal)).toBe(true);
      expect(state.reads).toBe(1);
      state.record = device(5);
      // Not announced yet: the cached answer stands (bounded by credentialCacheMs).
      expect(await control.isCurrent(principal)).toBe(true);
      control.credentialChanged('E1.GW01');
      expect(await control.isCurrent(principal)).toBe(false);
      expect(state.reads).toBe(2);
    });

    const changes: Array<[string, () => DeviceCredentialRecord | undefined]> = [
      ['revoked', () => device(5)],
      ['rotated', () => device(null, newDeviceSecret())],
      ['deleted', () => undefined],
    ];
    it.each(changes)('is false once the credential is %s', async (_name, next) => {
      const { state, control } = counting(device(null));
      const principal = await login(control, issued.secret);
      state.record = next();
      control.credentialChanged();
      expect(await control.isCurrent(principal)).toBe(false);
    });

    it('keeps a re-issued credential’s new sessions current and the old ones not', async () => {
      const { state, control } = counting(device(null));
      const old = await login(control, issued.secret);
      const second = newDeviceSecret();
      state.record = device(null, second);
      control.credentialChanged('E1.GW01');
      const renewed = await login(control, second.secret);
      expect([await control.isCurrent(old), await control.isCurrent(renewed)]).toEqual([false, true]);
    });

    it('reads again after credentialCacheMs, and only then lets an old answer stand if the store fails', async () => {
      const { state, control } = counting(device(null));
      const principal = await login(control, issued.secret);
      state.nowMs = 30_000;
      state.failing = true;
      expect(await control.isCurrent(principal)).toBe(true);
      expect(state.reads).toBe(2);
      control.credentialChanged('E1.GW01');
      await expect(control.isCurrent(principal)).rejects.toThrow('store down');
    });

    it('does not cache a read begun before a change, and judges a login racing one again', async () => {
      let release = (): void => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let record = device(null);
      let reads = 0;
      const control = new MqttAccessControl({
        lookup: async () => {
          reads++;
          const seen = record;
          if (reads === 1) await gate;
          return seen;
        },
      });
      const pending = control.authenticate('E1.GW01', issued.secret);
      record = device(5);
      control.credentialChanged('E1.GW01');
      release();
      expect(await pending).toEqual({ ok: false, reason: 'revoked' });
      expect(reads).toBe(2);
    });

    it('tells listeners which credential changed, until they stop listening', () => {
      const { control } = counting(device(null));
      const heard: Array<string | undefined> = [];
      const stop = control.onCredentialChanged((u) => heard.push(u));
      control.credentialChanged('E1.GW01');
      control.credentialChanged();
      stop();
      control.credentialChanged('E1.GW01');
      expect(heard).toEqual(['E1.GW01', undefined]);
    });

    it('keeps service users current, and never a principal it did not log in', async () => {
      const { control } = counting(device(null));
      const svc = await control.authenticate('svc', 'service-password-123');
      expect(svc.ok && (await control.isCurrent(svc.principal))).toBe(true);
      const made = {
        kind: 'device',
        username: 'E1.GW01',
        device: { enterprise: 'E1', gateway: 'GW01' },
      } as const;
      expect(await control.isCurrent(made)).toBe(false);
    });
  });
});
