import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signJwt, type LiveGateway } from '@hazardwatch/api';
import { ManualClock } from '@hazardwatch/kit';
import { buildTestApi, E1, E2, NOW, type TestApi, type TestUser } from './support/api-fixture.js';
import {
  attachTo,
  client,
  connected,
  next,
  record,
  SETTINGS,
  urlOf,
  type LiveClient,
} from './live-fixture.js';

const TTL_MS = SETTINGS.auth.accessTokenTtlMs;

/** The claims of a fixture token, signed again at `atMs` (what a refresh would hand out), optionally changed. */
function resign(token: string, atMs: number, change: Record<string, unknown> = {}): string {
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  delete claims['iat'];
  delete claims['exp'];
  return signJwt({ ...claims, ...change }, SETTINGS.auth.jwtSecret, atMs, TTL_MS);
}

let api: TestApi;
let gateway: LiveGateway;
let clock: ManualClock;
let url: string;
const clients: LiveClient[] = [];

/** Connected with a token of `user` signed now (the clock moves on from test to test). */
const as = async (user: TestUser): Promise<LiveClient> => {
  const c = client(url, resign(api.tokens[user], clock.now()));
  clients.push(c);
  return connected(c);
};
/** A round trip: everything the server sent before answering has arrived. */
const barrier = (c: LiveClient) =>
  c.timeout(5000).emitWithAck('unsubscribe', { scopes: [{ type: 'region', code: '0' }] });
const reauth = (c: LiveClient, token: unknown) => c.timeout(5000).emitWithAck('reauth', { token } as never);
const disconnected = (c: LiveClient) =>
  new Promise<string>((resolve) => c.once('disconnect', (reason) => resolve(reason)));

beforeAll(async () => {
  api = await buildTestApi();
  clock = new ManualClock(NOW);
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  gateway = await attachTo(api, api.app.server, { clock });
  url = urlOf(api.app.server);
});

afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});

afterAll(async () => {
  await gateway.close();
  await api.close();
});

describe('live session and access-token expiry', () => {
  it('ends the session when the token expires: session_expired, then a server disconnect', async () => {
    const start = clock.now();
    const c = await as('opE1');
    const expiredAt = Math.floor(start / 1000) * 1000 + TTL_MS;
    const expired = record(c, 'session_expired');
    clock.advance(expiredAt - 1 - start);
    await barrier(c);
    expect(expired).toEqual([]);
    expect(c.connected).toBe(true);

    const gone = disconnected(c);
    const event = next(c, 'session_expired');
    clock.advance(1);
    expect(await event).toEqual({ expiredAt });
    expect(await gone).toBe('io server disconnect');
  });

  it('extends the session with a fresh token of the same user, sent before expiry', async () => {
    const start = clock.now();
    const c = await as('opE1');
    const firstExpiry = Math.floor(start / 1000) * 1000 + TTL_MS;
    // Refreshed half way through the token's life.
    clock.advance(TTL_MS / 2);
    const renewed = resign(api.tokens.opE1, clock.now());
    const result = await reauth(c, renewed);
    const secondExpiry = Math.floor(clock.now() / 1000) * 1000 + TTL_MS;
    expect(result).toEqual({ ok: true, expiresAt: secondExpiry, rooms: [] });

    const expired = record(c, 'session_expired');
    clock.advance(firstExpiry - clock.now() + 1000);
    await barrier(c);
    expect(expired).toEqual([]);
    expect(c.connected).toBe(true);

    const gone = disconnected(c);
    clock.advance(secondExpiry - clock.now());
    expect(await gone).toBe('io server disconnect');
    expect(expired).toEqual([{ expiredAt: secondExpiry }]);
  });

  it('refuses a token of another user, an invalid or expired one, and keeps the old expiry', async () => {
    const start = clock.now();
    const c = await as('opE1');
    const expiredToken = signJwt(
      { sub: 'x', name: 'x', role: 'admin', iss: 'hazardwatch' },
      SETTINGS.auth.jwtSecret,
      start - 2 * TTL_MS,
      TTL_MS,
    );
    const cases: Array<[unknown, string]> = [
      [resign(api.tokens.opE2, start), 'HW_API_FORBIDDEN'],
      [resign(api.tokens.admin, start), 'HW_API_FORBIDDEN'],
      [expiredToken, 'HW_API_UNAUTHENTICATED'],
      ['not-a-jwt', 'HW_API_UNAUTHENTICATED'],
      ['', 'HW_API_VALIDATION'],
      [42, 'HW_API_VALIDATION'],
    ];
    for (const [token, code] of cases) {
      const result = await reauth(c, token);
      expect(result, String(token)).toMatchObject({ ok: false, error: { code } });
    }
    const wrongShape = await c.timeout(5000).emitWithAck('reauth', { token: 'x', extra: 1 } as never);
    expect(wrongShape).toMatchObject({ ok: false, error: { code: 'HW_API_VALIDATION' } });

    const gone = disconnected(c);
    clock.advance(Math.floor(start / 1000) * 1000 + TTL_MS - clock.now());
    expect(await gone).toBe('io server disconnect');
  });

  it('applies the new token scope at once: rooms it no longer allows are left', async () => {
    const start = clock.now();
    const c = await as('opE1');
    const joined = await c
      .timeout(5000)
      .emitWithAck('subscribe', { scopes: [{ type: 'enterprise', code: E1 }] });
    expect(joined).toEqual({ ok: true, rooms: [`enterprise:${E1}`] });
    // The same user, moved to another enterprise by an administrator since the last token.
    const moved = await reauth(c, resign(api.tokens.opE1, start, { ent: E2 }));
    expect(moved).toMatchObject({ ok: true, rooms: [] });
    const refused = await c
      .timeout(5000)
      .emitWithAck('subscribe', { scopes: [{ type: 'enterprise', code: E1 }] });
    expect(refused).toMatchObject({ ok: false, error: { code: 'HW_API_FORBIDDEN' } });
  });
});
