/**
 * The socket.io live connection with the typed event maps of @hazardwatch/contracts. It keeps
 * itself connected and tells the store what the operator must see:
 *  - `state`: connecting / live / offline / refused — the screen never looks live when it is not;
 *  - after a reconnect that socket.io could not recover (rooms lost), it subscribes again with
 *    `sinceEventId` (the replay cursor) and asks the store to reload its REST snapshots, which the
 *    books merge without double-applying anything;
 *  - a refused handshake (expired access token) refreshes the token and retries with backoff;
 *  - while the server says live push is interrupted (`live-status` live:false: its Redis is lost,
 *    alarms reach no screen although the socket is connected), `pushDegraded` tells the store and
 *    the REST snapshots are reloaded every DEGRADED_REFRESH_MS; at live:true, once more;
 *  - `resync`: a process publishing live events lost its own Redis link and has it back (this
 *    instance's may never have been lost): the REST snapshots are reloaded once.
 */
import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  LiveAlarmEvent,
  LiveColourChange,
  LiveGatewayPresence,
  LiveReplayDone,
  LiveScope,
  LiveStatus,
  LiveValue,
  LiveWarningEvent,
  MonitoringChange,
  ServerToClientEvents,
} from '@hazardwatch/contracts';
import { decodeLiveValues } from '@hazardwatch/contracts/live-frame';
import { backoffDelay, systemClock, type Clock, type TimerHandle } from '@hazardwatch/kit';
import { logger } from '../logic/logger.js';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ConnectionState = 'connecting' | 'live' | 'offline' | 'refused';

/** How often the REST snapshots are reloaded while the server's live push is interrupted, ms. */
export const DEGRADED_REFRESH_MS = 10_000;

export interface LiveHandlers {
  state(state: ConnectionState, detail?: string): void;
  alarm(event: LiveAlarmEvent): void;
  colour(change: LiveColourChange): void;
  warning(event: LiveWarningEvent): void;
  values(values: readonly LiveValue[]): void;
  gateway(presence: LiveGatewayPresence): void;
  /** A monitoring change recorded or decided (issue #19): the record as GET /changes/:id gives it. */
  change(record: MonitoringChange): void;
  replayDone(done: LiveReplayDone): void;
  /**
   * Rooms were (re)joined without state recovery, or live push is interrupted (every
   * DEGRADED_REFRESH_MS) or back, or the server says so (`resync`): reload the REST snapshots.
   */
  resync(): void;
  /**
   * Connected, but the server cannot push live events (`since`: ms UTC, server time), or it can
   * again (null). Also null when the connection drops: the connection state then says more.
   */
  pushDegraded(since: number | null): void;
}

export interface LiveClientOptions {
  /** The API origin; undefined = the page's own (the API serves the dashboard). */
  readonly url?: string;
  /** A current access token (refreshed when needed), or null when logged out. */
  readonly token: () => Promise<string | null>;
  /** Makes the next `token()` a fresh one after the server refused the old. */
  readonly refreshToken: () => Promise<boolean>;
  readonly scopes: readonly LiveScope[];
  /** The last alarm event id seen, for replay after a drop. */
  readonly sinceEventId: () => number | null;
  readonly handlers: LiveHandlers;
  /** For tests. @default socket.io-client's io */
  readonly connect?: (url: string | undefined, options: Parameters<typeof io>[1]) => LiveSocket;
  /** Timers of the retries. @default systemClock */
  readonly clock?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /** Uniform in [0, 1) for the retry backoff's jitter, for tests. @default Math.random */
  readonly random?: () => number;
  /** @default DEGRADED_REFRESH_MS */
  readonly degradedRefreshMs?: number;
}

const log = logger('live');

export class LiveClient {
  #socket: LiveSocket | null = null;
  #retry: TimerHandle | undefined;
  #refusals = 0;
  #stopped = false;
  /** The snapshot refresh while live push is interrupted; undefined when it is not. */
  #degraded: TimerHandle | undefined;

  constructor(private readonly options: LiveClientOptions) {}

  start(): void {
    const { handlers } = this.options;
    const connect =
      this.options.connect ?? ((url, o): LiveSocket => (url === undefined ? io(o) : io(url, o)));
    handlers.state('connecting');
    const socket = connect(this.options.url, {
      // Each (re)connection asks for the token again, so a refreshed one is used.
      auth: (cb) => {
        this.options.token().then(
          (token) => cb({ token: token ?? '' }),
          () => cb({ token: '' }),
        );
      },
      // WebSocket only (docs/operations.md §5, "Load balancer"): one long-lived connection, which
      // any balancer may send to any API instance, so no sticky sessions are needed. The list
      // used to be ['websocket', 'polling'], which never fell back to polling anyway
      // (engine.io-client tries only the first transport unless `tryAllTransports`), while the
      // docs asked operators for stickiness because of that fallback. Proven through a balancer
      // by services/cli/test/api-balancer.int.test.ts.
      transports: ['websocket'],
      reconnectionDelay: 1000,
      reconnectionDelayMax: 10_000,
    });
    this.#socket = socket;
    socket.on('connect', () => {
      this.#refusals = 0;
      if (socket.recovered) {
        handlers.state('live');
        return;
      }
      this.#subscribe(socket);
    });
    socket.on('disconnect', (reason) => {
      // The server says again at the next connection if live push is still interrupted.
      this.#endDegraded(false);
      handlers.state('offline', reason);
      // The server closing the socket on purpose stops socket.io's own reconnection.
      if (reason === 'io server disconnect' && !this.#stopped) this.#later(() => socket.connect(), 2000);
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      if (socket.active) {
        handlers.state('offline', err.message);
        return;
      }
      // Refused by the server's middleware: not retried by socket.io. Refresh the token and retry.
      this.#refusals += 1;
      handlers.state(this.#refusals > 3 ? 'refused' : 'offline', err.data?.code ?? err.message);
      // 2 s after the first refusal, doubling to 30 s, full jitter: a control room's screens that
      // were all refused at once (the API restarted with a new key) do not come back in step.
      const delay = backoffDelay(this.#refusals - 1, {
        initialMs: 2000,
        maxMs: 30_000,
        ...(this.options.random ? { random: this.options.random } : {}),
      });
      this.#later(() => {
        this.options.refreshToken().then(
          () => socket.connect(),
          () => socket.connect(),
        );
      }, delay);
    });
    socket.on('alarm', (e) => handlers.alarm(e));
    socket.on('colour', (c) => handlers.colour(c));
    socket.on('warning', (w) => handlers.warning(w));
    socket.on('values', (frame) => handlers.values(decodeLiveValues(frame)));
    socket.on('gateway', (g) => handlers.gateway(g));
    socket.on('change', (c) => handlers.change(c));
    socket.on('replay:done', (d) => handlers.replayDone(d));
    socket.on('live-status', (status) => this.#liveStatus(status));
    // A publisher's own Redis link was lost and is back (its alarm events of the outage came just
    // before): colours, 预警 and presence of the outage are only in the snapshot. This instance's
    // Redis may have stayed up, so no live-status said anything.
    socket.on('resync', (signal) => {
      log.info({ since: signal.since }, 'live resync asked by the server');
      handlers.resync();
    });
  }

  #liveStatus(status: LiveStatus): void {
    const { handlers } = this.options;
    if (status.live) {
      // Back: what was missed is in the snapshot (the events held during the outage follow too).
      if (this.#endDegraded(true)) handlers.resync();
      return;
    }
    if (this.#degraded !== undefined) return;
    log.warn({ reason: status.reason, since: status.since }, 'live push interrupted');
    handlers.pushDegraded(status.since);
    const clock = this.options.clock ?? systemClock;
    const every = this.options.degradedRefreshMs ?? DEGRADED_REFRESH_MS;
    const refresh = (): void => {
      this.#degraded = clock.setTimeout(() => {
        if (this.#stopped) return;
        handlers.resync();
        refresh();
      }, every);
    };
    refresh();
  }

  /** Stops the degraded refresh; true when it was running. */
  #endDegraded(restored: boolean): boolean {
    if (this.#degraded === undefined) return false;
    (this.options.clock ?? systemClock).clearTimeout(this.#degraded);
    this.#degraded = undefined;
    if (restored) log.info({}, 'live push restored');
    this.options.handlers.pushDegraded(null);
    return true;
  }

  #later(fn: () => void, ms: number): void {
    const clock = this.options.clock ?? systemClock;
    clock.clearTimeout(this.#retry);
    this.#retry = clock.setTimeout(() => {
      if (!this.#stopped) fn();
    }, ms);
  }

  #subscribe(socket: LiveSocket): void {
    const { handlers, scopes } = this.options;
    if (scopes.length === 0) {
      handlers.state('live');
      handlers.resync();
      return;
    }
    const since = this.options.sinceEventId();
    socket
      .timeout(10_000)
      .emit(
        'subscribe',
        { scopes: [...scopes], ...(since !== null ? { sinceEventId: since } : {}) },
        (err, result) => {
          if (err) {
            log.warn({ err: String(err) }, 'subscribe timed out');
            handlers.state('offline', 'subscribe timeout');
            socket.disconnect().connect();
            return;
          }
          if (!result.ok) {
            log.error({ code: result.error.code, message: result.error.message }, 'subscribe refused');
            handlers.state('refused', result.error.code);
            return;
          }
          handlers.state('live');
          handlers.resync();
        },
      );
  }

  stop(): void {
    this.#stopped = true;
    (this.options.clock ?? systemClock).clearTimeout(this.#retry);
    (this.options.clock ?? systemClock).clearTimeout(this.#degraded);
    this.#degraded = undefined;
    this.#socket?.disconnect();
    this.#socket = null;
  }
}
