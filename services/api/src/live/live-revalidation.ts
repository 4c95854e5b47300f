import type { LiveRooms } from './live-rooms.js';
import type { Logger } from 'pino';
import type { AuditRepository } from '@hazardwatch/store';
import { sessionEnd, type SessionEnd, type UserSessions } from '../auth/user-sessions.js';
import type { RoomCache } from './live-fanout.js';
import { recheckRooms } from './live-handlers.js';
import { endSession } from './live-session.js';
import type { LiveServer, LiveSocket } from './live-types.js';
import { CoalescingRunner, unrefTimer, type TimerHandle } from '@hazardwatch/kit';
import type { LiveClock } from './value-conflator.js';

export interface LiveRevalidationOptions {
  readonly io: LiveServer;
  readonly rooms: RoomCache;
  readonly sessions: UserSessions;
  readonly audit: Pick<AuditRepository, 'append'>;
  readonly clock: LiveClock;
  readonly logger: Logger;
  /** How often this instance's sockets are checked, ms. @default 1000 */
  readonly intervalMs?: number;
}

export interface LiveRevalidation {
  /** Checks every socket of this instance now (and waits); runs never overlap. */
  run(): Promise<void>;
  /** The site model changed: re-check every socket's rooms now. */
  siteChanged(): void;
  close(): Promise<void>;
}

/**
 * Access of live sessions is checked again, not only at the handshake (issue 17 items 2 and 3):
 * - users: every `intervalMs` this instance's sockets' users are read (one query), and a socket
 *   whose user was disabled, deleted or given another role or scope since its token was issued
 *   gets `session_ended` and is disconnected (not recoverable), audited as `session.end`. Each
 *   instance sweeps its own sockets, so this holds across instances with or without Redis, and
 *   whichever process made the change;
 * - site: when the site model is replaced (an enterprise moved to another region) every socket's
 *   rooms go through `recheckRooms`, the one room check, and rooms now outside its scope are left.
 */
export function startLiveRevalidation(options: LiveRevalidationOptions): LiveRevalidation {
  const log = options.logger.child({ component: 'live-revalidation' });
  const intervalMs = options.intervalMs ?? 1000;
  const sockets = (): LiveSocket[] => [...options.io.of('/').sockets.values()];
  let site: LiveRooms | undefined = options.rooms.current();
  let closed = false;
  let timer: TimerHandle | undefined;

  const end = async (socket: LiveSocket, reason: SessionEnd): Promise<void> => {
    const { principal } = socket.data;
    endSession(socket, 'session_ended', { reason });
    log.info(
      { userId: principal.userId, username: principal.username, socket: socket.id, reason },
      'live session ended',
    );
    await options.audit.append({
      ts: options.clock.now(),
      actor: 'system',
      action: 'session.end',
      targetType: 'user',
      targetId: principal.userId,
      after: { username: principal.username, reason, channel: 'live', socket: socket.id },
      ip: socket.handshake.address,
      scopeRegion: principal.regionCode,
      scopeEnterprise: principal.enterpriseCode,
    });
  };

  const sweep = async (): Promise<void> => {
    const current = options.rooms.current();
    if (current !== site) {
      site = current;
      for (const socket of sockets()) await recheckRooms(socket, options.rooms);
    }
    const live = sockets();
    if (live.length === 0) return;
    const states = await options.sessions.refresh([...new Set(live.map((s) => s.data.principal.userId))]);
    for (const socket of live) {
      if (!socket.connected) continue;
      const reason = sessionEnd(states.get(socket.data.principal.userId), socket.data.sessionVersion);
      if (reason !== undefined) await end(socket, reason);
    }
  };

  const runner = new CoalescingRunner({
    task: sweep,
    onError: (err) => log.warn({ err }, 'live session check failed'),
  });
  const run = (): Promise<void> => runner.run();

  const arm = (): void => {
    timer = options.clock.setTimeout(() => {
      void run().finally(() => {
        if (!closed) arm();
      });
    }, intervalMs);
    unrefTimer(timer);
  };
  arm();

  return {
    run,
    siteChanged: () => void run(),
    close: async () => {
      closed = true;
      if (timer !== undefined) options.clock.clearTimeout(timer);
      await runner.close();
    },
  };
}
