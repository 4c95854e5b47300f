import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeviceCredentialRepository } from '@hazardwatch/store';
import { apiErrors, type BrokerAccounts } from '@hazardwatch/api';
import { buildTestApi, E1, type TestApi } from './support/api-fixture.js';

/**
 * The credential routes and the production broker's account store (BrokerAccounts, ours): the
 * secret reaches the broker before it is stored, a broker that does not confirm leaves nothing
 * changed, a revocation is stored even while the broker is away. The real plugin is exercised in
 * services/cli/test/mosquitto-dynsec.int.test.ts.
 */
describe('credential routes with a broker account store', () => {
  let api: TestApi;
  let fail = false;
  const calls: Array<{
    kind: 'issued' | 'revoked';
    username: string;
    secret?: string;
    storedHash?: string | null;
  }> = [];
  const url = `/api/v1/enterprises/${E1}/gateways/GW01/credentials`;
  const stored = () => new DeviceCredentialRepository(api.client).forGateway(E1, 'GW01');

  const broker: BrokerAccounts = {
    issued: async (device, secret) => {
      // What the table holds while the broker is being told.
      calls.push({
        kind: 'issued',
        username: device.username,
        secret,
        storedHash: (await stored())?.secretHash ?? null,
      });
      if (fail) throw apiErrors.create('HW_API_BROKER_UNAVAILABLE', {});
    },
    revoked: (username) => {
      calls.push({ kind: 'revoked', username });
      return fail ? Promise.reject(apiErrors.create('HW_API_BROKER_UNAVAILABLE', {})) : Promise.resolve();
    },
  };

  beforeAll(async () => {
    api = await buildTestApi({ deps: { brokerAccounts: broker } });
  });
  afterAll(async () => {
    await api.close();
  });
  beforeEach(() => {
    fail = false;
    calls.length = 0;
  });
  const post = () => api.app.inject({ method: 'POST', url, headers: api.auth('admin') });

  it('hands the broker the secret it answers, before storing it; a broker that does not confirm changes nothing', async () => {
    fail = true;
    const refused = await post();
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toEqual({ code: 'HW_API_BROKER_UNAVAILABLE', message: expect.any(String) });
    expect(await stored()).toBeUndefined();

    fail = false;
    const issued = await post();
    expect(issued.statusCode).toBe(201);
    const { username, secret } = issued.json<{ username: string; secret: string }>();
    expect(calls.at(-1)).toEqual({ kind: 'issued', username, secret, storedHash: null });
    const first = (await stored())!.secretHash;

    // A rotation the broker does not confirm keeps the stored credential as it was.
    fail = true;
    expect((await post()).statusCode).toBe(503);
    expect((await stored())!.secretHash).toBe(first);
    fail = false;
    const rotated = await post();
    expect(rotated.statusCode).toBe(201);
    expect(calls.at(-1)).toMatchObject({
      kind: 'issued',
      secret: rotated.json<{ secret: string }>().secret,
      storedHash: first,
    });
  });

  it('stores a revocation even when the broker is away, and tells it', async () => {
    expect((await post()).statusCode).toBe(201);
    fail = true;
    const revoked = await api.app.inject({ method: 'DELETE', url, headers: api.auth('admin') });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ state: 'revoked' });
    expect(calls.at(-1)).toEqual({ kind: 'revoked', username: `${E1}.GW01` });
    expect((await stored())!.revokedAt).not.toBeNull();
  });
});
