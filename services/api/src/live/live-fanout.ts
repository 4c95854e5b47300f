import type {
  LiveAlarmEvent,
  LiveColourChange,
  LiveGatewayPresence,
  LiveRoom,
  LiveStatus,
  LiveValue,
  LiveWarningEvent,
  MonitoringChange,
} from '@hazardwatch/contracts';
import { parseSourceKey } from '@hazardwatch/contracts';
import type { SiteIndex, WarningEvent } from '@hazardwatch/core';
import type { Logger } from 'pino';
import type { AlarmRepository, StoredAlarmEvent } from '@hazardwatch/store';
import { LiveRooms } from './live-rooms.js';
import type { LiveStoredEvents } from './live-source.js';
import type { LiveServer } from './live-types.js';
import type { ValueRouter } from './value-router.js';

const isPlatform = (sourceKey: string): boolean => parseSourceKey(sourceKey)?.type === 'platform';

/** Rows read per tail query. */
const TAIL_PAGE = 1000;

/**
 * Most alarm events published one by one after a Redis outage; beyond it the screens reload their
 * snapshot instead (`resync`). Half the Redis streams adapter's stream length (MAXLEN ~ 10,000,
 * @socket.io/redis-streams-adapter's default): an API instance's reader, 100 entries a read, must
 * never find entries of the catch-up trimmed before it read them.
 */
export const CATCH_UP_MAX_EVENTS = 5000;

/**
 * The fanout's view of its Redis link (with Redis only). While the link is lost nothing is handed
 * to node-redis, whose offline queue has no bound: an XADD per alarm event, colour change and 预警
 * event of the whole outage waited there — in the process that runs the alarm engine — and an
 * alarm flood during a long outage ran it out of memory. The fanout keeps only the last alarm
 * event id it published and whether it dropped something; `linkChanged` catches up once it is back.
 */
export interface FanoutLink {
  /** Whether live push works now (RedisLink). */
  live(): boolean;
  /**
   * Resolves once Redis has answered every command handed to the adapter's client so far (a PING
   * on that client: replies come in order), or rejects. The catch-up waits for it after each page,
   * so node-redis holds one page at most.
   */
  drained(): Promise<unknown>;
  /**
   * Whether this fanout publishes stored alarm events (it has a source). Only then does it catch
   * up on the event log, and always ends an outage with `resync`: events handed to Redis just
   * before the loss was seen (within RedisLink's 4 s) may have been lost with the connection.
   */
  readonly publishesAlarms: boolean;
  /** @default CATCH_UP_MAX_EVENTS */
  readonly catchUpMaxEvents?: number;
}

/** The site model's rooms, rebuilt when the site model is replaced. */
export class RoomCache {
  #rooms: LiveRooms | undefined;

  /** `replaced`: called when a site model replaces another (joined rooms must be checked again). */
  constructor(
    private readonly site: () => SiteIndex | undefined,
    private readonly replaced: () => void = () => undefined,
  ) {}

  current(): LiveRooms | undefined {
    const site = this.site();
    if (site === undefined) return undefined;
    if (this.#rooms?.site !== site) {
      const before = this.#rooms;
      this.#rooms = new LiveRooms(site);
      if (before !== undefined) this.replaced();
    }
    return this.#rooms;
  }
}

export function liveAlarm(event: StoredAlarmEvent, rooms: LiveRooms, replayed: boolean): LiveAlarmEvent {
  const place = rooms.place(event.sourceKey, event.enterprise);
  return {
    ...event,
    enterprise: place.enterprise,
    hazard: place.hazard,
    gateway: place.gateway,
    region: place.region,
    replayed,
  };
}

export function liveWarning(e: WarningEvent): LiveWarningEvent {
  return {
    warningId: e.warningId,
    enterprise: e.enterprise,
    hazard: e.hazard,
    type: e.type,
    from: e.from,
    to: e.to,
    ts: e.ts,
    actor: e.actor,
    colour: e.colour,
    previousColour: e.previousColour ?? null,
    level: e.level,
  };
}

/**
 * Sends what the source delivers to the rooms it belongs to. `io.to([...rooms])` reaches a socket
 * in several of them once, and goes through the adapter, so with Redis every instance's sockets
 * hear it (and connection state recovery can resend it).
 *
 * Alarm events are read back from `alarm_events` (the tail after the last id sent), because the
 * stored id is the event id clients replay from; the batch from the source is the signal that
 * there is something to read. Batches are published one at a time, in order: alarms, then colour
 * changes, then 预警 — as the engine produced them.
 *
 * With Redis (`link`), while the link is lost nothing goes out (FanoutLink); when it is back
 * (`linkChanged`), the alarm events stored since the last one published are read from the log in
 * pages and published in order, then every screen is told to reload its snapshot (`resync`), for
 * what is not in the event log: colours, 预警, gateway presence, monitoring changes. Screens are
 * told even when their own instance's Redis stayed up and they never heard live:false.
 */
export class LiveFanout {
  #lastId: number;
  #queue: Promise<void> = Promise.resolve();
  /** Something was not published while the link was lost (the catch-up sends `resync`). */
  #dropped = false;
  /** Since when the link is lost, ms UTC (the `resync`'s `since`); undefined once caught up. */
  #lostAt: number | undefined;
  /**
   * Events not handed to Redis while it was lost (colour, 预警, presence, changes: alarm events
   * wait in the log); alarm events published by catch-ups; catch-ups left to the snapshot (over
   * the bound).
   */
  readonly counters = { droppedOffline: 0, caughtUp: 0, catchUpsSkipped: 0 };

  constructor(
    private readonly io: LiveServer,
    private readonly rooms: RoomCache,
    private readonly log: AlarmRepository,
    private readonly logger: Logger,
    private readonly router: Pick<ValueRouter, 'values'>,
    lastId: number,
    private readonly owns: (enterprise: string) => boolean = () => true,
    private readonly link?: FanoutLink,
    private readonly ownsPlatform: () => boolean = () => true,
  ) {
    this.#lastId = lastId;
  }

  /**
   * Whether this fanout publishes a stored alarm event: not another worker's, which that worker
   * publishes. A platform alarm's (issue #20: no enterprise) goes out through the worker raising
   * them, though every worker reads it in the one log.
   */
  #publishes(e: StoredAlarmEvent, event: LiveAlarmEvent): boolean {
    if (event.enterprise !== null) return this.owns(event.enterprise);
    return !isPlatform(e.sourceKey) || this.ownsPlatform();
  }

  /** false while the Redis link is lost: nothing is handed to node-redis then. */
  #live(): boolean {
    return this.link?.live() ?? true;
  }

  /** A colour change, 预警 event, presence or change not published: the screens must resync. */
  #drop(): void {
    this.#dropped = true;
    this.counters.droppedOffline += 1;
  }

  /**
   * Every change of the Redis link (RedisLink.onChange; its status at the start, if lost). Once it
   * is back the alarm events stored meanwhile go out in order, then `resync`: queued after the
   * batches handed in so far, and those handed in later wait for it.
   */
  linkChanged(status: LiveStatus): void {
    if (!status.live) {
      this.#lostAt ??= status.since;
      return;
    }
    this.#queue = this.#queue.then(() => this.#catchUp());
  }

  /** Resolves when every batch handed in so far has been published. */
  idle(): Promise<void> {
    return this.#queue;
  }

  stored(events: LiveStoredEvents): void {
    this.#queue = this.#queue.then(() => this.#publish(events));
  }

  gateway(presence: LiveGatewayPresence): void {
    if (!this.#live()) return this.#drop();
    const rooms = this.rooms.current()?.enterprise(presence.enterprise) ?? [];
    this.#emit(rooms, (to) => to.emit('gateway', presence));
  }

  /**
   * A monitoring-change record (issue #19): to the enterprise's room and its current region
   * chain, and to the chain of the region stored on the change (the regulator who supervised the
   * enterprise when it was asked for, though the enterprise moved since).
   */
  change(change: MonitoringChange): void {
    if (!this.#live()) return this.#drop();
    const rooms = this.rooms.current();
    if (rooms === undefined) return;
    const stored = change.region !== null && rooms.site.region(change.region) !== undefined;
    const to = new Set([
      ...rooms.enterprise(change.enterprise),
      ...(stored ? rooms.region(change.region!) : []),
    ]);
    this.#emit([...to], (room) => room.emit('change', change));
  }

  /** Offers each value to the local sockets in one of its point's rooms (ValueRouter). */
  values(values: readonly LiveValue[]): void {
    const rooms = this.rooms.current();
    if (rooms === undefined) return;
    this.router.values(values, rooms);
  }

  async #publish(events: LiveStoredEvents): Promise<void> {
    // The alarm events stay in the log, after #lastId: the catch-up publishes them.
    if (!this.#live()) {
      if (events.colourChanges.length > 0 || events.warningEvents.length > 0) this.#drop();
      return;
    }
    const rooms = this.rooms.current();
    if (rooms === undefined) return;
    if (events.alarmEvents.length > 0) await this.#tail(rooms);
    for (const change of events.colourChanges) {
      const c: LiveColourChange = change;
      this.#emit(rooms.colour(c), (to) => to.emit('colour', c));
    }
    for (const w of events.warningEvents) {
      const rs = w.hazard === null ? rooms.enterprise(w.enterprise) : rooms.hazard(w.enterprise, w.hazard);
      const event = liveWarning(w);
      this.#emit(rs, (to) => to.emit('warning', event));
    }
  }

  async #tail(rooms: LiveRooms): Promise<void> {
    try {
      for (;;) {
        // Lost meanwhile: the rest waits in the log for the catch-up.
        if (!this.#live()) return;
        const page = await this.log.eventsAfter(this.#lastId, TAIL_PAGE);
        for (const e of page) {
          this.#lastId = e.id;
          const event = liveAlarm(e, rooms, false);
          if (!this.#publishes(e, event)) continue;
          this.#emit(rooms.source(e.sourceKey, e.enterprise), (to) => to.emit('alarm', event));
        }
        if (page.length < TAIL_PAGE) return;
      }
    } catch (err) {
      // The events are stored: the next batch retries from the same id, and clients that miss
      // them meanwhile get them by replay.
      this.logger.warn({ err, afterId: this.#lastId }, 'alarm event tail failed');
    }
  }

  async #catchUp(): Promise<void> {
    const link = this.link;
    if (link === undefined || this.#lostAt === undefined || !link.live()) return;
    const since = this.#lostAt;
    const rooms = this.rooms.current();
    try {
      if (link.publishesAlarms && rooms !== undefined) await this.#catchUpAlarms(link, rooms);
    } catch (err) {
      // The events are stored: screens have them from the snapshot the resync makes them load.
      this.logger.warn({ err, afterId: this.#lastId }, 'alarm event catch-up failed');
      this.#dropped = true;
    }
    // Lost again during the catch-up: the next restoration goes on from #lastId.
    if (!link.live()) return;
    if (this.#dropped || link.publishesAlarms) {
      // Through the adapter: every instance's sockets, after the alarm events above.
      this.io.emit('resync', { reason: 'redis', since });
      this.logger.info(
        { since, dropped: this.counters.droppedOffline },
        'live resync sent after redis outage',
      );
    }
    this.#dropped = false;
    this.#lostAt = undefined;
  }

  /** The alarm events stored after #lastId, a page at a time, each page answered by Redis first. */
  async #catchUpAlarms(link: FanoutLink, rooms: LiveRooms): Promise<void> {
    const max = link.catchUpMaxEvents ?? CATCH_UP_MAX_EVENTS;
    const newest = await this.log.lastEventId();
    // Ids come from a sequence: the distance is at least the number of events behind (those of
    // every enterprise; rolled-back ids add to it), so a backlog near the bound may be left to the
    // snapshot, and one over it is never published one by one.
    if (newest - this.#lastId > max) {
      this.logger.warn(
        { afterId: this.#lastId, newest, max },
        'alarm events of the redis outage not published one by one: screens reload their snapshot',
      );
      this.#lastId = newest;
      this.#dropped = true;
      this.counters.catchUpsSkipped += 1;
      return;
    }
    for (;;) {
      if (!link.live()) return;
      const page = await this.log.eventsAfter(this.#lastId, TAIL_PAGE);
      for (const e of page) {
        this.#lastId = e.id;
        const event = liveAlarm(e, rooms, false);
        if (!this.#publishes(e, event)) continue;
        this.#emit(rooms.source(e.sourceKey, e.enterprise), (to) => to.emit('alarm', event));
        this.counters.caughtUp += 1;
      }
      await link.drained();
      if (page.length < TAIL_PAGE) return;
    }
  }

  #emit(rooms: readonly LiveRoom[], send: (to: ReturnType<LiveServer['to']>) => void): void {
    // Never `io.to([])`: an empty room list would broadcast to every socket.
    if (rooms.length === 0) return;
    send(this.io.to(rooms as LiveRoom[]));
  }
}
