import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  LIVE_VALUES_MAX_INTERVAL_MS,
  LIVE_VALUES_MIN_INTERVAL_MS,
  LiveSubscribeRequestSchema,
  LiveUnsubscribeRequestSchema,
  LiveValuesIntervalRequestSchema,
  liveRoom,
  type LiveError,
  type LiveRoom,
  type LiveScope,
  type LiveSubscribeResult,
} from '@hazardwatch/contracts';
import type { Logger } from 'pino';
import { Access } from '../access/access.js';
import type { AuthorityTable } from '../access/authority.js';
import { liveRefusal } from '../access/live-actions.js';
import type { AlarmRepository } from '@hazardwatch/store';
import { liveAlarm, type RoomCache } from './live-fanout.js';
import { checkLiveScope } from './live-scope.js';
import type { LiveSocket } from './live-types.js';
import type { ValueRouter } from './value-router.js';

const checkSubscribe = TypeCompiler.Compile(LiveSubscribeRequestSchema);
const checkUnsubscribe = TypeCompiler.Compile(LiveUnsubscribeRequestSchema);
const checkInterval = TypeCompiler.Compile(LiveValuesIntervalRequestSchema);

/** Rows read per replay query. */
const REPLAY_PAGE = 500;

export interface HandlerDeps {
  readonly rooms: RoomCache;
  readonly log: AlarmRepository;
  readonly logger: Logger;
  /** Most alarm events one replay sends. */
  readonly replayLimit: number;
  /** Who may do what (issue #19): socket events answer to the table like routes (LIVE_ACTIONS). */
  readonly authority: AuthorityTable;
}

const invalid = (detail: string): LiveError => ({
  code: 'HW_API_VALIDATION',
  message: `invalid request: ${detail}`,
});
const unavailable: LiveError = { code: 'HW_API_SITE_UNAVAILABLE', message: 'no site model is loaded yet' };

/** Rooms the socket is in besides its own id room. */
export function joinedRooms(socket: LiveSocket): LiveRoom[] {
  return [...socket.rooms].filter((r) => r !== socket.id) as LiveRoom[];
}

/**
 * Joins the scopes' rooms, all or none: every scope is checked (one check, `checkLiveScope`)
 * before any room is joined.
 */
export async function join(
  socket: LiveSocket,
  scopes: readonly LiveScope[],
  rooms: RoomCache,
): Promise<LiveSubscribeResult> {
  const site = rooms.current()?.site;
  if (site === undefined) return { ok: false, error: unavailable };
  const access = new Access(socket.data.principal, site);
  const accepted: Array<[LiveRoom, LiveScope]> = [];
  for (const scope of scopes) {
    const verdict = checkLiveScope(access, site, scope);
    if (!verdict.ok) return { ok: false, error: verdict.error };
    accepted.push([verdict.room, scope]);
  }
  await socket.join(accepted.map(([room]) => room));
  for (const [room, scope] of accepted) socket.data.scopes[room] = scope;
  return { ok: true, rooms: joinedRooms(socket) };
}

/**
 * The one place joined rooms are checked again (`checkLiveScope`, the REST guard's `Access`): after
 * a recovered reconnect or a `reauth` (the token may carry another scope) and whenever the site
 * model changes (an enterprise moved to another region). Rooms now refused are left, and the
 * client is told which (`rooms_left`); the rooms left are returned.
 */
export async function recheckRooms(socket: LiveSocket, rooms: RoomCache): Promise<LiveRoom[]> {
  const site = rooms.current()?.site;
  const access = site === undefined ? undefined : new Access(socket.data.principal, site);
  const left: LiveRoom[] = [];
  for (const room of joinedRooms(socket)) {
    const scope = socket.data.scopes[room];
    if (
      scope === undefined ||
      access === undefined ||
      site === undefined ||
      !checkLiveScope(access, site, scope).ok
    ) {
      delete socket.data.scopes[room];
      await socket.leave(room);
      left.push(room);
    }
  }
  if (left.length > 0 && socket.connected) socket.emit('rooms_left', { rooms: left, reason: 'out_of_scope' });
  return left;
}

/** Sends stored alarm events after `sinceEventId` that belong to one of the socket's rooms. */
async function replay(socket: LiveSocket, sinceEventId: number, deps: HandlerDeps): Promise<void> {
  let cursor = sinceEventId;
  let count = 0;
  let complete = false;
  while (socket.connected) {
    const rooms = deps.rooms.current();
    if (rooms === undefined) break;
    const page = await deps.log.eventsAfter(cursor, REPLAY_PAGE);
    for (const e of page) {
      if (count >= deps.replayLimit) break;
      cursor = e.id;
      if (!rooms.source(e.sourceKey, e.enterprise).some((r) => socket.rooms.has(r))) continue;
      socket.emit('alarm', liveAlarm(e, rooms, true));
      count += 1;
    }
    if (count >= deps.replayLimit) break;
    if (page.length < REPLAY_PAGE) {
      complete = true;
      break;
    }
  }
  socket.emit('replay:done', { lastEventId: cursor, count, complete });
}

/** The client → server events of one socket. Every handler answers through its ack, never throws. */
export function installHandlers(
  socket: LiveSocket,
  values: Pick<ValueRouter, 'update'>,
  deps: HandlerDeps,
): void {
  const fail = (err: unknown, ack: (result: { ok: false; error: LiveError }) => void): void => {
    deps.logger.error({ err, socket: socket.id }, 'live request failed');
    ack({ ok: false, error: { code: 'HW_API_INTERNAL', message: 'internal error' } });
  };

  socket.on('subscribe', (request, ack) => {
    if (typeof ack !== 'function') return;
    if (!checkSubscribe.Check(request)) {
      ack({ ok: false, error: invalid(checkSubscribe.Errors(request).First()?.message ?? 'subscribe') });
      return;
    }
    const refused = liveRefusal(
      deps.authority,
      'subscribe',
      new Access(socket.data.principal, deps.rooms.current()?.site),
    );
    if (refused) {
      ack({ ok: false, error: refused });
      return;
    }
    void (async () => {
      const result = await join(socket, request.scopes, deps.rooms);
      ack(result);
      if (result.ok && request.sinceEventId !== undefined) await replay(socket, request.sinceEventId, deps);
    })().catch((err: unknown) => fail(err, ack));
  });

  socket.on('unsubscribe', (request, ack) => {
    if (typeof ack !== 'function') return;
    if (!checkUnsubscribe.Check(request)) {
      ack({ ok: false, error: invalid(checkUnsubscribe.Errors(request).First()?.message ?? 'unsubscribe') });
      return;
    }
    void (async () => {
      for (const room of request.scopes.map(liveRoom)) {
        delete socket.data.scopes[room];
        await socket.leave(room);
      }
      ack({ ok: true, rooms: joinedRooms(socket) });
    })().catch((err: unknown) => fail(err, ack));
  });

  socket.on('values:interval', (request, ack) => {
    if (typeof ack !== 'function') return;
    if (!checkInterval.Check(request)) {
      ack({ ok: false, error: invalid(checkInterval.Errors(request).First()?.message ?? 'values:interval') });
      return;
    }
    const intervalMs = Math.min(
      LIVE_VALUES_MAX_INTERVAL_MS,
      Math.max(LIVE_VALUES_MIN_INTERVAL_MS, request.intervalMs),
    );
    socket.data.intervalMs = intervalMs;
    values.update(socket);
    ack({ ok: true, intervalMs });
  });
}
