import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPassword, signJwt, verifyJwt, verifyPassword } from '@hazardwatch/api';

const SECRET = 'k'.repeat(32);
const T0 = Date.UTC(2026, 0, 1);

describe('HS256 JWT', () => {
  it('round-trips claims and sets iat/exp in whole seconds', () => {
    const token = signJwt({ sub: 'u1', iss: 'hw' }, SECRET, T0 + 400, 900_000);
    const v = verifyJwt(token, SECRET, T0 + 1000, { iss: 'hw' });
    expect(v).toEqual({ ok: true, claims: { sub: 'u1', iss: 'hw', iat: T0 / 1000, exp: T0 / 1000 + 900 } });
  });

  it.each([
    ['expired at exp exactly', (t: string) => verifyJwt(t, SECRET, T0 + 900_000), 'expired'],
    ['wrong key', (t: string) => verifyJwt(t, 'x'.repeat(32), T0), 'signature'],
    ['wrong issuer', (t: string) => verifyJwt(t, SECRET, T0, { iss: 'other' }), 'claims'],
    ['two parts', (t: string) => verifyJwt(t.split('.').slice(0, 2).join('.'), SECRET, T0), 'malformed'],
  ])('refuses: %s', (_name, check, reason) => {
    const token = signJwt({ sub: 'u1', iss: 'hw' }, SECRET, T0, 900_000);
    expect(check(token)).toEqual({ ok: false, reason });
  });

  it('refuses alg none and any other header, even with a valid HMAC over it', () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: 'admin', iat: T0 / 1000, exp: T0 / 1000 + 60 })).toString(
      'base64url',
    );
    const sig = createHmac('sha256', SECRET).update(`${header}.${body}`).digest('base64url');
    expect(verifyJwt(`${header}.${body}.${sig}`, SECRET, T0)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyJwt(`${header}.${body}.`, SECRET, T0)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('scrypt password hashes', () => {
  const cost = { ln: 4, r: 8, p: 1 };
  it('verifies the right password only, with a per-user salt and the parameters stored', async () => {
    const a = await hashPassword('correct horse battery', cost);
    const b = await hashPassword('correct horse battery', cost);
    expect(a).toMatch(/^\$scrypt\$ln=4,r=8,p=1\$[\w-]+\$[\w-]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('anything', 'plain-text')).toBe(false);
  });
});
