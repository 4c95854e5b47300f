import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The refresh token of a session kept on a device (the phone's 在此设备上保持登录, docs/mobile.md
 * §7) lives in this cookie, never in an answer body: HttpOnly, so script on the page — an XSS
 * included — cannot read it and carry it off; SameSite=Strict, so no other site's page or form
 * sends it (the dashboard's own fetch from a page opened by a notification link is same-site and
 * does); its path the device routes only; Secure whenever the request came over TLS (behind a
 * reverse proxy: with `trustProxy` set, as the login backoff needs anyway).
 */
export const DEVICE_COOKIE = 'hw_device';
export const DEVICE_COOKIE_PATH = '/api/v1/auth/device';

/** The kept refresh token the request carries, or undefined. */
export function deviceTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== DEVICE_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    // Our tokens are base64url: anything else is not one of ours.
    return /^[A-Za-z0-9_-]{1,256}$/.test(value) ? value : undefined;
  }
  return undefined;
}

function cookie(request: FastifyRequest, value: string, maxAgeSec: number): string {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  return `${DEVICE_COOKIE}=${value}; Path=${DEVICE_COOKIE_PATH}; Max-Age=${maxAgeSec}; HttpOnly; SameSite=Strict${secure}`;
}

/** Sets the kept refresh token, to live as long as the token does unused. */
export function setDeviceToken(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  maxAgeSec: number,
): void {
  void reply.header('set-cookie', cookie(request, token, maxAgeSec));
}

/** Ends the cookie on the device (sign-out, or a token the server refused). */
export function clearDeviceToken(request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('set-cookie', cookie(request, '', 0));
}
