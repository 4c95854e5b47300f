import { Type, type Static } from '@sinclair/typebox';
import type { AlarmEvent, WarningColour } from './alarms.js';
import type { Quality } from './quality.js';
import type { WarningEventType, WarningState } from './rest/warnings.js';
import type { MonitoringChange } from './rest/changes.js';
import type { LiveValueFrame } from './live-frame.js';

/**
 * socket.io live push (issue 4): the typed event maps shared by the API's gateway and the
 * dashboards, in the manner of socket.io's `typed-events.ts` (`new Server<ClientToServerEvents,
 * ServerToClientEvents>()` on one side, `io(url) as Socket<ServerToClientEvents,
 * ClientToServerEvents>` on the other). Client → server payloads also have TypeBox schemas: the
 * server checks them at runtime, the type comes from the same schema.
 */

/** Live values: bounds of the conflation interval a client may ask for, ms. */
export const LIVE_VALUES_MIN_INTERVAL_MS = 250;
export const LIVE_VALUES_MAX_INTERVAL_MS = 60_000;
/** @default interval until the client asks for another, ms. */
export const LIVE_VALUES_DEFAULT_INTERVAL_MS = 1000;
/** Scopes one `subscribe` / `unsubscribe` may name. */
export const LIVE_MAX_SCOPES_PER_REQUEST = 200;

const code = Type.String({ minLength: 1, maxLength: 64 });

/**
 * A room a client may join: a region subtree, an enterprise, a major hazard or a point — or
 * `platform`, the platform's own alarms (a TimescaleDB job failing or overdue: `platform:`
 * sources, issue #20). Those belong to no enterprise or region, so no other room hears them; only
 * a caller GET /api/v1/alarms/active lists them to (an administrator) may join it.
 */
export const LiveScopeSchema = Type.Union([
  Type.Object({ type: Type.Literal('region'), code }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('enterprise'), code }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('hazard'), enterprise: code, code }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal('point'), id: Type.Integer({ minimum: 0 }) },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('platform') }, { additionalProperties: false }),
]);
export type LiveScope = Static<typeof LiveScopeSchema>;

export const LiveSubscribeRequestSchema = Type.Object(
  {
    scopes: Type.Array(LiveScopeSchema, { minItems: 1, maxItems: LIVE_MAX_SCOPES_PER_REQUEST }),
    /**
     * Replay stored alarm events with a larger id (within the joined rooms) before `replay:done`;
     * the `id` of the last `alarm` event the client saw before it dropped.
     */
    sinceEventId: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type LiveSubscribeRequest = Static<typeof LiveSubscribeRequestSchema>;

export const LiveUnsubscribeRequestSchema = Type.Object(
  { scopes: Type.Array(LiveScopeSchema, { minItems: 1, maxItems: LIVE_MAX_SCOPES_PER_REQUEST }) },
  { additionalProperties: false },
);
export type LiveUnsubscribeRequest = Static<typeof LiveUnsubscribeRequestSchema>;

export const LiveValuesIntervalRequestSchema = Type.Object(
  { intervalMs: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);
export type LiveValuesIntervalRequest = Static<typeof LiveValuesIntervalRequestSchema>;

/**
 * A fresh access token for the running session (from `POST /api/v1/auth/refresh`), sent before
 * the current one expires. It must belong to the same user. Also set it as the client's
 * `auth.token`, so a reconnect presents it too.
 */
export const LiveReauthRequestSchema = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 4096 }) },
  { additionalProperties: false },
);
export type LiveReauthRequest = Static<typeof LiveReauthRequestSchema>;

/** Room names, as `socket.rooms` and the server use them. */
export type LiveRoom =
  `region:${string}` | `enterprise:${string}` | `hazard:${string}/${string}` | `point:${number}` | 'platform';

export function liveRoom(scope: LiveScope): LiveRoom {
  switch (scope.type) {
    case 'region':
      return `region:${scope.code}`;
    case 'enterprise':
      return `enterprise:${scope.code}`;
    case 'hazard':
      return `hazard:${scope.enterprise}/${scope.code}`;
    case 'point':
      return `point:${scope.id}`;
    case 'platform':
      return 'platform';
  }
}

/**
 * Codes a live request is refused with; they are the REST API's codes for the same refusals
 * (`HW_API_*` in @hazardwatch/api), so clients handle both alike.
 */
export const LIVE_ERROR_CODES = [
  'HW_API_UNAUTHENTICATED',
  'HW_API_SESSION_ENDED',
  'HW_API_VALIDATION',
  'HW_API_FORBIDDEN',
  'HW_API_NOT_FOUND',
  'HW_API_SITE_UNAVAILABLE',
  'HW_API_INTERNAL',
] as const;
export type LiveErrorCode = (typeof LIVE_ERROR_CODES)[number];

export interface LiveError {
  readonly code: LiveErrorCode;
  readonly message: string;
  /** The refused scope, when one scope of the request was refused. */
  readonly scope?: LiveScope;
}

/**
 * `err.data` of a refused handshake (`connect_error`). HW_API_SESSION_ENDED: the token's user was
 * disabled, deleted or given another role or scope since it was issued — log in again.
 */
export interface LiveConnectErrorData {
  readonly code: Extract<LiveErrorCode, 'HW_API_UNAUTHENTICATED' | 'HW_API_SESSION_ENDED'>;
}

/** Answer to `subscribe` / `unsubscribe`: on success, every room the socket is now in. */
export type LiveSubscribeResult =
  | { readonly ok: true; readonly rooms: readonly LiveRoom[] }
  | { readonly ok: false; readonly error: LiveError };

/** Answer to `values:interval`: the interval in effect, clamped to the allowed bounds, ms. */
export type LiveValuesIntervalResult =
  { readonly ok: true; readonly intervalMs: number } | { readonly ok: false; readonly error: LiveError };

/**
 * Answer to `reauth`: when the session now ends (the new token's expiry, ms UTC) and the rooms the
 * socket is still in — a scope narrowed since the last token leaves rooms now refused.
 */
export type LiveReauthResult =
  | { readonly ok: true; readonly expiresAt: number; readonly rooms: readonly LiveRoom[] }
  | { readonly ok: false; readonly error: LiveError };

/**
 * Sent once when the access token the session runs on expires, just before the server
 * disconnects the socket. Reconnect with a fresh token (the session is not recovered).
 */
export interface LiveSessionExpired {
  /** The token's expiry, ms UTC. */
  readonly expiredAt: number;
}

/**
 * Sent once when an administrator disabled or deleted the user, or changed their role or scope,
 * just before the server disconnects the socket; REST answers the same session's tokens 401
 * HW_API_SESSION_ENDED and its refresh tokens are revoked: the client logs in again.
 */
export interface LiveSessionEnded {
  readonly reason: 'user_disabled' | 'user_deleted' | 'grant_changed';
}

/**
 * Rooms the server made the socket leave because they are no longer in the user's scope (the site
 * model changed: say an enterprise moved to another region). Nothing more is sent for them.
 */
export interface LiveRoomsLeft {
  readonly rooms: readonly LiveRoom[];
  readonly reason: 'out_of_scope';
}

/** An alarm state change as pushed: the stored event with its id (the replay cursor) and its place. */
export interface LiveAlarmEvent extends AlarmEvent {
  /** `alarm_events.id`: increases with every stored event; clients de-duplicate on it. */
  readonly id: number;
  /** The alarm's 预警 colour when the event was stored. */
  readonly colour: WarningColour | null;
  readonly enterprise: string | null;
  /** Major hazard of the point, if any. */
  readonly hazard: string | null;
  /** Gateway of the point, or the gateway of a gateway alarm. */
  readonly gateway: string | null;
  /** The enterprise's innermost region. */
  readonly region: string | null;
  /**
   * The alarm's limit as REST gives it (the record's: a process limit, the rate-of-change slope,
   * or the staleness / gateway-loss timeout in ms); null when it has none. Absent from older
   * servers: a client then falls back to the point's limits.
   */
  readonly limit?: number | null;
  /** true when sent by a `sinceEventId` replay, not live. */
  readonly replayed: boolean;
}

/** Roll-up levels (the four-colour roll-up in @hazardwatch/core). */
export type LiveColourLevel = 'point' | 'gateway' | 'hazard' | 'enterprise' | 'region';

/**
 * A colour change of one node. `code`: point id, `enterprise/gateway`, `enterprise/hazard`,
 * enterprise code or region code. `to` null = back to normal.
 */
export interface LiveColourChange {
  readonly level: LiveColourLevel;
  readonly code: string;
  readonly from: WarningColour | null;
  readonly to: WarningColour | null;
  /** ms UTC. */
  readonly ts: number;
  /**
   * Region changes only: the change's number as the database stored it, rising with every stored
   * change of that region. A region's changes are made and pushed by whichever worker stored them,
   * so two can arrive out of order: keep the one with the highest `seq`. Absent on other levels
   * (each node's changes come from the one worker evaluating it, in order).
   */
  readonly seq?: number;
}

/** A 预警 state change (push → 签收 → 处置反馈 → 督办/核查 → 消警, escalation, colour change). */
export interface LiveWarningEvent {
  readonly warningId: string;
  readonly enterprise: string;
  readonly hazard: string | null;
  readonly type: WarningEventType;
  readonly from: WarningState | null;
  readonly to: WarningState;
  /** ms UTC. */
  readonly ts: number;
  readonly actor: string;
  readonly colour: WarningColour;
  readonly previousColour: WarningColour | null;
  /** Administrative level answerable after the event. */
  readonly level: 'enterprise' | 'county' | 'city' | 'province';
}

/** One point's latest value in a conflated `values` batch. */
export interface LiveValue {
  readonly pointId: number;
  /** Source timestamp, ms UTC. */
  readonly ts: number;
  readonly value: number;
  readonly quality: Quality;
}

export interface LiveGatewayPresence {
  readonly enterprise: string;
  readonly gateway: string;
  readonly online: boolean;
  /** ms UTC. */
  readonly ts: number;
  /** Readings waiting in the gateway's disk spool as last reported; null = never reported. */
  readonly spoolDepth: number | null;
  /**
   * ms UTC: since when the gateway is in this state, as this server's ingest knows it (at the
   * earliest its start; the REST status's `since` may know an older one). `ts` is the last sign of
   * life. Absent from an older server.
   */
  readonly since?: number;
}

export interface LiveReplayDone {
  /** The id the replay read up to (its request's `sinceEventId` when nothing was missed): the next `sinceEventId`. */
  readonly lastEventId: number;
  readonly count: number;
  /** false when the replay stopped at its cap: fetch the rest over REST (`GET /api/v1/alarms`). */
  readonly complete: boolean;
}

/**
 * Whether this server can push live events now. Sent to every socket of an instance when its
 * broadcast path (Redis, with several instances) is lost — alarms raised meanwhile reach no
 * screen until it is back — and again when it returns; a socket that connects meanwhile gets the
 * current state at once. Nothing is sent while all is well. While `live` is false the client reads
 * its REST snapshot on a timer (REST still works); at `live: true` it reads it once more.
 */
export type LiveStatus =
  | {
      readonly live: false;
      /** What is lost: `redis`, the bus between the API instances and the ingest workers. */
      readonly reason: 'redis';
      /** ms UTC: since when. */
      readonly since: number;
    }
  | { readonly live: true; readonly since: number };

/**
 * Reload the REST snapshots now. Sent to every socket of every instance by a process that
 * publishes live events (an ingest worker, `serve`) once its own Redis link is back after an
 * outage: while it was lost, that process handed nothing to Redis — an alarm flood during a long
 * outage would otherwise have grown without bound in the process running the alarm engine — so
 * colour changes, 预警 and gateway presence of the outage never went out (alarm events are sent
 * after it from the event log, before this). A screen connected to an instance whose own Redis
 * stayed up was never told `live-status` live:false: this is how it learns it missed something.
 */
export interface LiveResync {
  /** What was lost: `redis`, the sender's link to it. */
  readonly reason: 'redis';
  /** ms UTC: since when the sender's link was lost. */
  readonly since: number;
}

export interface ServerToClientEvents {
  alarm: (event: LiveAlarmEvent) => void;
  colour: (change: LiveColourChange) => void;
  warning: (event: LiveWarningEvent) => void;
  /** At most one value per point per the client's interval; the latest wins. */
  values: (frame: LiveValueFrame) => void;
  gateway: (presence: LiveGatewayPresence) => void;
  /**
   * A monitoring change was recorded or decided (issue #19): sent to the enterprise's room and the
   * rooms of its region chain — the current region's and the one stored on the change — so its
   * regulators see it at once. The record as GET /api/v1/changes/:id gives it.
   */
  change: (record: MonitoringChange) => void;
  'replay:done': (done: LiveReplayDone) => void;
  session_expired: (expired: LiveSessionExpired) => void;
  session_ended: (ended: LiveSessionEnded) => void;
  rooms_left: (left: LiveRoomsLeft) => void;
  'live-status': (status: LiveStatus) => void;
  resync: (signal: LiveResync) => void;
}

export interface ClientToServerEvents {
  subscribe: (request: LiveSubscribeRequest, ack: (result: LiveSubscribeResult) => void) => void;
  unsubscribe: (request: LiveUnsubscribeRequest, ack: (result: LiveSubscribeResult) => void) => void;
  'values:interval': (
    request: LiveValuesIntervalRequest,
    ack: (result: LiveValuesIntervalResult) => void,
  ) => void;
  reauth: (request: LiveReauthRequest, ack: (result: LiveReauthResult) => void) => void;
}
