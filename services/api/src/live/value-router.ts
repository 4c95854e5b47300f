import { encodeLiveValues, liveRoom, type LiveValue } from '@hazardwatch/contracts';
import type { LiveRooms } from './live-rooms.js';
import type { LiveServer, LiveSocket } from './live-types.js';
import { ValueConflator, type LiveClock } from './value-conflator.js';

/** socket.io-parser's EVENT packet type. */
const EVENT_PACKET = 2;

const PLATFORM_ROOM = liveRoom({ type: 'platform' });

export interface ValueRouterOptions {
  readonly io: LiveServer;
  readonly clock: LiveClock;
  /** false while the socket's connection is backed up (too many packets queued). */
  readonly canSend: (socket: LiveSocket) => boolean;
  /** Shortest gap between two batches to one client, ms (see ValueConflator). */
  readonly batchWindowMs?: number;
  /** The rooms a point's values go to (LiveRooms.point of the current site model). */
  readonly pointRooms: (pointId: number) => readonly string[];
}

interface Member {
  readonly socket: LiveSocket;
  /**
   * The values of batches skipped while the socket was backed up, latest per point (bounded by
   * the room's points); sent with the next batch it can take.
   */
  missed: Map<number, LiveValue> | undefined;
}

/**
 * The values of one room at one interval, conflated once and encoded once for every socket that
 * watches exactly that room at that interval — the common case (a console subscribed to its
 * region or enterprise), so the cost of conflation and JSON encoding grows with the rooms in use
 * rather than with the clients.
 *
 * A member that is backed up when a batch goes is skipped and keeps what it missed, one value
 * per point (latest wins); the next batch it can take carries those too, so it loses no point's
 * present value and the server never holds more for it than one value per point of the room.
 */
class RoomStream {
  readonly members = new Map<string, Member>();
  readonly conflator: ValueConflator;

  constructor(
    private readonly router: ValueRouter,
    readonly room: string,
    readonly intervalMs: number,
    clock: LiveClock,
    batchWindowMs: number | undefined,
  ) {
    this.conflator = new ValueConflator({
      clock,
      intervalMs,
      ...(batchWindowMs === undefined ? {} : { batchWindowMs }),
      canSend: () => true,
      send: (values) => this.#send(values),
    });
  }

  #send(values: readonly LiveValue[]): void {
    let encoded: unknown;
    for (const member of this.members.values()) {
      const ready = this.router.canSend(member.socket);
      if (!ready || member.missed !== undefined) {
        const missed = (member.missed ??= new Map());
        for (const v of values) missed.set(v.pointId, v);
        if (!ready) continue;
        member.missed = undefined;
        this.router.write(member.socket, this.router.encode([...missed.values()]));
        continue;
      }
      encoded ??= this.router.encode(values);
      this.router.write(member.socket, encoded);
    }
  }
}

type Placement =
  | { readonly kind: 'none' }
  | { readonly kind: 'stream'; readonly stream: RoomStream }
  | { readonly kind: 'own'; readonly conflator: ValueConflator; readonly rooms: readonly string[] };

/**
 * Routes live values to sockets (issue 4: at most one update per point per interval the client
 * asks for, latest wins, bounded memory for slow clients). A socket in exactly one room shares
 * that room's stream with the other sockets watching it at the same interval; a socket in several
 * rooms (say its region and one point's detail) has a conflator of its own, so a point in two of
 * its rooms still reaches it once.
 *
 * Values are written to the sockets' connections directly, not through the adapter: they are
 * neither shared with other instances (each instance fans out its own source's values) nor kept
 * for connection state recovery — a reconnecting client wants the present, not minutes of
 * superseded values; alarm events, which must not be lost, keep going through the adapter.
 */
export class ValueRouter {
  readonly #streams = new Map<string, RoomStream>();
  /** Streams per room (one per interval in use). */
  readonly #roomStreams = new Map<string, RoomStream[]>();
  /** Sockets with a conflator of their own, per room they are in. */
  readonly #ownByRoom = new Map<string, Set<ValueConflator>>();
  readonly #placement = new Map<string, Placement>();

  constructor(private readonly options: ValueRouterOptions) {}

  canSend(socket: LiveSocket): boolean {
    return this.options.canSend(socket);
  }

  encode(values: readonly LiveValue[]): unknown {
    return this.options.io.encoder.encode({
      type: EVENT_PACKET,
      nsp: '/',
      data: ['values', encodeLiveValues(values)],
    });
  }

  write(socket: LiveSocket, encoded: unknown): void {
    socket.client._packet(encoded as never, { preEncoded: true });
  }

  /** Sockets sharing a room stream / with their own conflator (metrics, tests). */
  get counts(): { streams: number; shared: number; own: number } {
    let shared = 0;
    let own = 0;
    for (const p of this.#placement.values()) {
      if (p.kind === 'stream') shared += 1;
      else if (p.kind === 'own') own += 1;
    }
    return { streams: this.#streams.size, shared, own };
  }

  /** Starts routing to a socket; call again whenever its rooms or interval change. */
  update(socket: LiveSocket): void {
    // The `platform` room carries alarms only, never values: an administrator's console in its
    // region and that room still shares the region's stream.
    const rooms = [...socket.rooms].filter((r) => r !== socket.id && r !== PLATFORM_ROOM);
    const interval = socket.data.intervalMs;
    const before = this.#placement.get(socket.id) ?? { kind: 'none' };
    if (rooms.length === 0) {
      if (before.kind !== 'none') this.#unplace(socket, before);
      this.#placement.delete(socket.id);
      return;
    }
    if (rooms.length === 1) {
      const room = rooms[0]!;
      if (before.kind === 'stream' && before.stream.room === room && before.stream.intervalMs === interval)
        return;
      // What the old placement still held for it (in the room it is now in) goes at once.
      const pending = this.#within(this.#unplace(socket, before), rooms);
      const stream = this.#stream(room, interval);
      stream.members.set(socket.id, { socket, missed: undefined });
      this.#placement.set(socket.id, { kind: 'stream', stream });
      if (pending.length > 0) this.write(socket, this.encode(pending));
      return;
    }
    if (before.kind === 'own') {
      before.conflator.intervalMs = interval;
      for (const room of before.rooms) this.#ownByRoom.get(room)?.delete(before.conflator);
      for (const room of rooms) this.#own(room).add(before.conflator);
      this.#placement.set(socket.id, { kind: 'own', conflator: before.conflator, rooms });
      return;
    }
    const pending = this.#within(this.#unplace(socket, before), rooms);
    const conflator = new ValueConflator({
      clock: this.options.clock,
      intervalMs: interval,
      ...(this.options.batchWindowMs === undefined ? {} : { batchWindowMs: this.options.batchWindowMs }),
      canSend: () => this.canSend(socket),
      send: (values) => this.write(socket, this.encode(values)),
    });
    for (const room of rooms) this.#own(room).add(conflator);
    this.#placement.set(socket.id, { kind: 'own', conflator, rooms });
    for (const v of pending) conflator.offer(v);
  }

  remove(socket: LiveSocket): void {
    const before = this.#placement.get(socket.id);
    if (before !== undefined) this.#unplace(socket, before);
    this.#placement.delete(socket.id);
  }

  /** Offers each value to every stream and own conflator of one of its point's rooms. */
  values(values: readonly LiveValue[], rooms: LiveRooms): void {
    for (const value of values) {
      for (const room of rooms.point(value.pointId)) {
        const streams = this.#roomStreams.get(room);
        if (streams !== undefined) for (const s of streams) s.conflator.offer(value);
        const own = this.#ownByRoom.get(room);
        if (own !== undefined) for (const c of own) c.offer(value);
      }
    }
  }

  close(): void {
    for (const s of this.#streams.values()) s.conflator.close();
    for (const p of this.#placement.values()) if (p.kind === 'own') p.conflator.close();
    this.#streams.clear();
    this.#roomStreams.clear();
    this.#ownByRoom.clear();
    this.#placement.clear();
  }

  /** The values whose point has a room among `rooms`. */
  #within(values: readonly LiveValue[], rooms: readonly string[]): LiveValue[] {
    if (values.length === 0) return [];
    const wanted = new Set(rooms);
    return values.filter((v) => this.options.pointRooms(v.pointId).some((r) => wanted.has(r)));
  }

  #own(room: string): Set<ValueConflator> {
    let set = this.#ownByRoom.get(room);
    if (set === undefined) {
      set = new Set();
      this.#ownByRoom.set(room, set);
    }
    return set;
  }

  #stream(room: string, intervalMs: number): RoomStream {
    const key = `${room}\u0000${intervalMs}`;
    let stream = this.#streams.get(key);
    if (stream === undefined) {
      stream = new RoomStream(this, room, intervalMs, this.options.clock, this.options.batchWindowMs);
      this.#streams.set(key, stream);
      const list = this.#roomStreams.get(room) ?? [];
      list.push(stream);
      this.#roomStreams.set(room, list);
    }
    return stream;
  }

  /** Takes the socket out of its placement; returns values that were waiting for it. */
  #unplace(socket: LiveSocket, placement: Placement): LiveValue[] {
    if (placement.kind === 'stream') {
      const { stream } = placement;
      const missed = stream.members.get(socket.id)?.missed;
      stream.members.delete(socket.id);
      const waiting = new Map(missed);
      for (const v of stream.conflator.waiting()) waiting.set(v.pointId, v);
      if (stream.members.size === 0) {
        stream.conflator.close();
        this.#streams.delete(`${stream.room}\u0000${stream.intervalMs}`);
        const list = (this.#roomStreams.get(stream.room) ?? []).filter((s) => s !== stream);
        if (list.length === 0) this.#roomStreams.delete(stream.room);
        else this.#roomStreams.set(stream.room, list);
      }
      return [...waiting.values()];
    }
    if (placement.kind === 'own') {
      for (const room of placement.rooms) {
        const set = this.#ownByRoom.get(room);
        set?.delete(placement.conflator);
        if (set?.size === 0) this.#ownByRoom.delete(room);
      }
      const waiting = placement.conflator.waiting();
      placement.conflator.close();
      return waiting;
    }
    return [];
  }
}
