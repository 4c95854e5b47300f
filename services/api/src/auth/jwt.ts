import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * JSON Web Tokens, HS256 only (RFC 7519 with RFC 7518 §3.2). Small on purpose: the header is
 * fixed, so `alg: none` or an RS/HS confusion can never be accepted.
 */
const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

export interface JwtClaims {
  readonly [claim: string]: unknown;
  /** Seconds since epoch. */
  readonly iat: number;
  /** Seconds since epoch. */
  readonly exp: number;
}

export type JwtVerification =
  | { readonly ok: true; readonly claims: JwtClaims }
  | { readonly ok: false; readonly reason: 'malformed' | 'signature' | 'expired' | 'claims' };

function base64url(text: string | Buffer): string {
  return Buffer.from(text).toString('base64url');
}

function sign(input: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(input).digest();
}

/** Signs `claims` with `iat` = now and `exp` = now + ttl (both whole seconds). */
export function signJwt(
  claims: Record<string, unknown>,
  secret: string,
  nowMs: number,
  ttlMs: number,
): string {
  const iat = Math.floor(nowMs / 1000);
  const body = base64url(JSON.stringify({ ...claims, iat, exp: iat + Math.ceil(ttlMs / 1000) }));
  const input = `${HEADER}.${body}`;
  return `${input}.${sign(input, secret).toString('base64url')}`;
}

/** Checks shape, header, signature (constant time), `exp` and, when given, `iss`. */
export function verifyJwt(
  token: string,
  secret: string,
  nowMs: number,
  expect: { iss?: string } = {},
): JwtVerification {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [header, body, signature] = parts as [string, string, string];
  if (header !== HEADER) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(signature, 'base64url');
  const wanted = sign(`${header}.${body}`, secret);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
    return { ok: false, reason: 'signature' };
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof claims !== 'object' || claims === null) return { ok: false, reason: 'malformed' };
  const c = claims as Record<string, unknown>;
  if (typeof c['exp'] !== 'number' || typeof c['iat'] !== 'number') return { ok: false, reason: 'claims' };
  if (nowMs >= c['exp'] * 1000) return { ok: false, reason: 'expired' };
  if (expect.iss !== undefined && c['iss'] !== expect.iss) return { ok: false, reason: 'claims' };
  return { ok: true, claims: c as JwtClaims };
}
