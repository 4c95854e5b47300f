/**
 * Alarm source keys: the stable text name of what an alarm is about, as stored in
 * `alarms.source_key` / `alarm_events.source_key` and carried by `AlarmEvent.sourceKey`. The
 * engine keeps at most one open alarm per (key, condition), so every side must build a key the
 * same way and read it back the same way — hence builders and one parser here, never by hand.
 *
 *   point:<id>                      a monitoring point (its numeric id, `point_ids.id`)
 *   gateway:<enterprise>/<gateway>  a gateway (communication loss is one alarm per gateway)
 *   platform:<component>/<name>     the platform's own machinery (e.g. `platform:timescaledb/
 *                                   retention:readings`, a TimescaleDB background job): no
 *                                   enterprise, never in a colour roll-up, never a 预警
 */
export type SourceKey = `point:${number}` | `gateway:${string}/${string}` | `platform:${string}/${string}`;

/** What a source key names; tagged on `type`. */
export type ParsedSourceKey =
  | { readonly type: 'point'; readonly pointId: number }
  | { readonly type: 'gateway'; readonly enterprise: string; readonly gateway: string }
  | { readonly type: 'platform'; readonly component: string; readonly name: string };

const POINT = 'point:';
const GATEWAY = 'gateway:';
const PLATFORM = 'platform:';
/** A point id as the builder writes it: a non-negative integer without leading zeros. */
const POINT_ID = /^(0|[1-9][0-9]*)$/;

/** `pointId`: an integer (`point_ids.id`). */
export function pointSourceKey(pointId: number): SourceKey {
  return `point:${pointId}`;
}

/** Enterprise and gateway codes are topic-safe (no `/`), so the key splits back unambiguously. */
export function gatewaySourceKey(enterprise: string, gateway: string): SourceKey {
  return `gateway:${enterprise}/${gateway}`;
}

/**
 * A component of the platform itself (`timescaledb`) and what of it (`retention:readings`);
 * neither contains `/`.
 */
export function platformSourceKey(component: string, name: string): SourceKey {
  return `platform:${component}/${name}`;
}

/** The key of a parsed source: `buildSourceKey(parseSourceKey(k)!) === k` for every valid key. */
export function buildSourceKey(source: ParsedSourceKey): SourceKey {
  switch (source.type) {
    case 'point':
      return pointSourceKey(source.pointId);
    case 'gateway':
      return gatewaySourceKey(source.enterprise, source.gateway);
    case 'platform':
      return platformSourceKey(source.component, source.name);
  }
}

/**
 * What a key names; undefined for a key no builder writes (unknown prefix, a point id that is
 * not a canonical safe integer, a gateway or platform key without exactly two non-empty parts).
 */
export function parseSourceKey(key: string): ParsedSourceKey | undefined {
  if (key.startsWith(POINT)) {
    const id = key.slice(POINT.length);
    if (!POINT_ID.test(id)) return undefined;
    const pointId = Number(id);
    return Number.isSafeInteger(pointId) ? { type: 'point', pointId } : undefined;
  }
  if (key.startsWith(GATEWAY)) {
    const [enterprise, gateway, ...rest] = key.slice(GATEWAY.length).split('/');
    if (!enterprise || !gateway || rest.length > 0) return undefined;
    return { type: 'gateway', enterprise, gateway };
  }
  if (key.startsWith(PLATFORM)) {
    const [component, name, ...rest] = key.slice(PLATFORM.length).split('/');
    if (!component || !name || rest.length > 0) return undefined;
    return { type: 'platform', component, name };
  }
  return undefined;
}
