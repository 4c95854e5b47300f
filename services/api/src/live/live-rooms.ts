import { liveRoom, parseSourceKey, type LiveColourChange, type LiveRoom } from '@hazardwatch/contracts';
import type { SiteIndex } from '@hazardwatch/core';

/** Where an alarm source sits in the site model. */
export interface SourcePlace {
  readonly pointId: number | null;
  readonly enterprise: string | null;
  readonly hazard: string | null;
  readonly gateway: string | null;
  readonly region: string | null;
}

const PLATFORM_ROOMS: readonly LiveRoom[] = [liveRoom({ type: 'platform' })];

const NOWHERE: SourcePlace = { pointId: null, enterprise: null, hazard: null, gateway: null, region: null };

/**
 * The rooms an event belongs to (fan-out): a point's event goes to the point, its major hazard,
 * its enterprise and every region of the enterprise's chain (town → … → province), so a
 * regulator subscribed anywhere up the chain hears it. Built per site model; point rooms are
 * cached because live values look them up at ingest rate.
 */
export class LiveRooms {
  readonly #points = new Map<number, readonly LiveRoom[]>();
  readonly #enterprises = new Map<string, readonly LiveRoom[]>();

  constructor(readonly site: SiteIndex) {}

  region(code: string): readonly LiveRoom[] {
    return this.site.regionChain(code).map((r) => liveRoom({ type: 'region', code: r.code }));
  }

  enterprise(code: string): readonly LiveRoom[] {
    let rooms = this.#enterprises.get(code);
    if (rooms === undefined) {
      const region = this.site.enterprise(code)?.region;
      rooms = [liveRoom({ type: 'enterprise', code }), ...(region === undefined ? [] : this.region(region))];
      this.#enterprises.set(code, rooms);
    }
    return rooms;
  }

  hazard(enterprise: string, code: string): readonly LiveRoom[] {
    return [liveRoom({ type: 'hazard', enterprise, code }), ...this.enterprise(enterprise)];
  }

  /** Empty for a point not in the site model. */
  point(id: number): readonly LiveRoom[] {
    let rooms = this.#points.get(id);
    if (rooms === undefined) {
      const p = this.site.pointById(id);
      rooms =
        p === undefined
          ? []
          : [
              liveRoom({ type: 'point', id }),
              ...(p.hazard === null ? this.enterprise(p.enterprise) : this.hazard(p.enterprise, p.hazard)),
            ];
      this.#points.set(id, rooms);
    }
    return rooms;
  }

  /**
   * Rooms of an alarm source key: a point's, a gateway's enterprise, and for `platform:` (a
   * TimescaleDB job, issue #20) the `platform` room only — no enterprise or region room hears it.
   * `stored`: the enterprise the database has for the source (StoredAlarmEvent.enterprise). A
   * point removed from the site model is no longer in it, yet its open alarm still returns and
   * waits for acknowledgement: its enterprise and region chain hear it (not its point or hazard
   * room, which no longer exist for a client to join).
   */
  source(sourceKey: string, stored?: string | null): readonly LiveRoom[] {
    if (parseSourceKey(sourceKey)?.type === 'platform') return PLATFORM_ROOMS;
    const place = this.place(sourceKey, stored);
    if (place.pointId !== null && this.site.pointById(place.pointId) !== undefined)
      return this.point(place.pointId);
    return place.enterprise === null ? [] : this.enterprise(place.enterprise);
  }

  colour(change: LiveColourChange): readonly LiveRoom[] {
    switch (change.level) {
      case 'point':
        return this.point(Number(change.code));
      case 'gateway':
      case 'enterprise':
        return this.enterprise(change.level === 'gateway' ? before(change.code) : change.code);
      case 'hazard':
        return this.hazard(before(change.code), after(change.code));
      case 'region':
        return this.region(change.code);
    }
  }

  /** `stored`: as for source(), where the site model no longer has the point. */
  place(sourceKey: string, stored?: string | null): SourcePlace {
    const source = parseSourceKey(sourceKey);
    // A platform source (a TimescaleDB job) has no place in the site: no enterprise room hears it.
    if (source === undefined || source.type === 'platform') return NOWHERE;
    if (source.type === 'gateway')
      return {
        ...NOWHERE,
        enterprise: source.enterprise,
        gateway: source.gateway,
        region: this.site.enterprise(source.enterprise)?.region ?? null,
      };
    const { pointId } = source;
    const p = this.site.pointById(pointId);
    if (p === undefined) {
      // Only an enterprise still in the site model places it (its region chain).
      const e = stored === undefined || stored === null ? undefined : this.site.enterprise(stored);
      return e === undefined
        ? { ...NOWHERE, pointId }
        : { ...NOWHERE, pointId, enterprise: e.code, region: e.region };
    }
    return {
      pointId,
      enterprise: p.enterprise,
      hazard: p.hazard,
      gateway: p.gateway,
      region: this.site.enterprise(p.enterprise)?.region ?? null,
    };
  }
}

const before = (key: string): string => key.slice(0, Math.max(0, key.indexOf('/')));
const after = (key: string): string => key.slice(key.indexOf('/') + 1);
