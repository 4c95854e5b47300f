import type { ClientToServerEvents, LiveRoom, LiveScope, ServerToClientEvents } from '@hazardwatch/contracts';
import type { Server, Socket } from 'socket.io';
import type { Principal } from '../access/access.js';

/** Instance-to-instance events (none: rooms and broadcasts go through the adapter). */
export type LiveInterServerEvents = Record<string, never>;

/**
 * Per-socket state kept in `socket.data`, which connection state recovery restores after a
 * reconnect (so it must stay plain, serialisable data).
 */
export interface LiveSocketData {
  principal: Principal;
  /** When the access token the session runs on expires, ms since epoch. */
  expiresAtMs: number;
  /** The user's session version the token was issued at (the session sweep compares it). */
  sessionVersion: number;
  /** Joined rooms and the scope each was checked as. */
  scopes: Partial<Record<LiveRoom, LiveScope>>;
  /** Live values interval, ms. */
  intervalMs: number;
}

export type LiveServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  LiveInterServerEvents,
  LiveSocketData
>;
export type LiveSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  LiveInterServerEvents,
  LiveSocketData
>;
