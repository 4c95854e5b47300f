import type {
  LiveAlarmEvent,
  LiveColourChange,
  LiveGatewayPresence,
  LiveRoom,
  LiveValue,
  LiveWarningEvent,
  MonitoringChange,
} from '@hazardwatch/contracts';
import type { SiteIndex, WarningEvent } from '@hazardwatch/core';
import type { Logger } from 'pino';
import type { AlarmRepository, StoredAlarmEvent } from '@hazardwatch/store';
import { LiveRooms } from './live-rooms.js';
import type { LiveStoredEvents } from './live-source.js';
import type { LiveServer } from './live-types.js';
import type { ValueRouter } from './value-router.js';

/** Rows read per tail query. */
const TAIL_PAGE = 1000;

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
  const place = rooms.place(event.sourceKey);
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
 */
export class LiveFanout {
  #lastId: number;
  #queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly io: LiveServer,
    private readonly rooms: RoomCache,
    private readonly log: AlarmRepository,
    private readonly logger: Logger,
    private readonly router: Pick<ValueRouter, 'values'>,
    lastId: number,
    private readonly owns: (enterprise: string) => boolean = () => true,
  ) {
    this.#lastId = lastId;
  }

  /** Resolves when every batch handed in so far has been published. */
  idle(): Promise<void> {
    return this.#queue;
  }

  stored(events: LiveStoredEvents): void {
    this.#queue = this.#queue.then(() => this.#publish(events));
  }

  gateway(presence: LiveGatewayPresence): void {
    const rooms = this.rooms.current()?.enterprise(presence.enterprise) ?? [];
    this.#emit(rooms, (to) => to.emit('gateway', presence));
  }

  /**
   * A monitoring-change record (issue #19): to the enterprise's room and its current region
   * chain, and to the chain of the region stored on the change (the regulator who supervised the
   * enterprise when it was asked for, though the enterprise moved since).
   */
  change(change: MonitoringChange): void {
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
        const page = await this.log.eventsAfter(this.#lastId, TAIL_PAGE);
        for (const e of page) {
          this.#lastId = e.id;
          const event = liveAlarm(e, rooms, false);
          // Another worker's event: that worker publishes it.
          if (event.enterprise !== null && !this.owns(event.enterprise)) continue;
          this.#emit(rooms.source(e.sourceKey), (to) => to.emit('alarm', event));
        }
        if (page.length < TAIL_PAGE) return;
      }
    } catch (err) {
      // The events are stored: the next batch retries from the same id, and clients that miss
      // them meanwhile get them by replay.
      this.logger.warn({ err, afterId: this.#lastId }, 'alarm event tail failed');
    }
  }

  #emit(rooms: readonly LiveRoom[], send: (to: ReturnType<LiveServer['to']>) => void): void {
    // Never `io.to([])`: an empty room list would broadcast to every socket.
    if (rooms.length === 0) return;
    send(this.io.to(rooms as LiveRoom[]));
  }
}
