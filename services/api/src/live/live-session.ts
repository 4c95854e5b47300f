import { TypeCompiler } from '@sinclair/typebox/compiler';
import { LiveReauthRequestSchema, type LiveError, type ServerToClientEvents } from '@hazardwatch/contracts';
import type { Logger } from 'pino';
import type { Authentication } from '../auth/auth-service.js';
import type { RoomCache } from './live-fanout.js';
import { joinedRooms, recheckRooms } from './live-handlers.js';
import type { LiveSocket } from './live-types.js';
import { unrefTimer, type TimerHandle } from '@hazardwatch/kit';
import type { LiveClock } from './value-conflator.js';

const checkReauth = TypeCompiler.Compile(LiveReauthRequestSchema);

/** socket.io-parser's EVENT packet type. */
const EVENT_PACKET = 2;

/**
 * Sends a last event and disconnects the socket (a server disconnect: not recovered). The event
 * is written to the socket's connection directly: with connection state recovery on, `emit`
 * goes through the adapter, which with Redis delivers it only after a round trip — after the
 * disconnect, so the client would never see it.
 */
export function endSession<E extends 'session_expired' | 'session_ended'>(
  socket: LiveSocket,
  event: E,
  payload: Parameters<ServerToClientEvents[E]>[0],
): void {
  const encoded = socket.nsp.server.encoder.encode({ type: EVENT_PACKET, nsp: '/', data: [event, payload] });
  socket.client._packet(encoded as never, { preEncoded: true });
  socket.disconnect(true);
}

/** Longest delay a Node.js timer takes (2^31 − 1 ms); longer waits are re-armed. */
const MAX_TIMER_MS = 2_147_483_647;

export interface SessionDeps {
  readonly clock: LiveClock;
  /** The REST API's access-token check (same secret, issuer, clock and session check). */
  readonly authenticate: (token: string) => Promise<Authentication>;
  readonly rooms: RoomCache;
  readonly logger: Logger;
}

/**
 * Keeps a socket's session within its access token's lifetime: when `socket.data.expiresAtMs`
 * passes, the client gets `session_expired` and is disconnected (a server disconnect, so the
 * session is not recovered: a reconnect needs a valid token). Before that, `reauth` with a fresh
 * token of the same user moves the end to the new token's expiry; the new token's scope applies
 * at once (rooms it no longer allows are left).
 */
export function installSessionExpiry(socket: LiveSocket, deps: SessionDeps): void {
  let timer: TimerHandle | undefined;
  const stop = (): void => {
    if (timer !== undefined) deps.clock.clearTimeout(timer);
    timer = undefined;
  };
  const arm = (): void => {
    stop();
    const leftMs = socket.data.expiresAtMs - deps.clock.now();
    if (leftMs <= 0) {
      endSession(socket, 'session_expired', { expiredAt: socket.data.expiresAtMs });
      return;
    }
    // Fires at the expiry (or re-arms after the longest timer); `arm` then decides on the clock.
    timer = deps.clock.setTimeout(
      () => {
        timer = undefined;
        arm();
      },
      Math.min(leftMs, MAX_TIMER_MS),
    );
    unrefTimer(timer);
  };
  socket.on('disconnect', stop);

  socket.on('reauth', (request, ack) => {
    if (typeof ack !== 'function') return;
    const refuse = (error: LiveError): void => ack({ ok: false, error });
    if (!checkReauth.Check(request)) {
      const detail = checkReauth.Errors(request).First()?.message ?? 'reauth';
      refuse({ code: 'HW_API_VALIDATION', message: `invalid request: ${detail}` });
      return;
    }
    void (async () => {
      const verdict = await deps.authenticate(request.token);
      if (!verdict.ok) {
        const what = verdict.code === 'HW_API_SESSION_ENDED' ? 'session ended' : 'authentication required';
        refuse({ code: verdict.code, message: `${what}: ${verdict.reason}` });
        return;
      }
      if (verdict.principal.userId !== socket.data.principal.userId) {
        refuse({ code: 'HW_API_FORBIDDEN', message: 'forbidden: the token belongs to another user' });
        return;
      }
      socket.data.principal = verdict.principal;
      socket.data.expiresAtMs = verdict.expiresAtMs;
      socket.data.sessionVersion = verdict.sessionVersion;
      arm();
      await recheckRooms(socket, deps.rooms);
      ack({ ok: true, expiresAt: verdict.expiresAtMs, rooms: joinedRooms(socket) });
    })().catch((err: unknown) => {
      deps.logger.error({ err, socket: socket.id }, 'live request failed');
      refuse({ code: 'HW_API_INTERNAL', message: 'internal error' });
    });
  });

  arm();
}
