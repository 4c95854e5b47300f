/**
 * Alarm source keys: the stable text name of what an alarm is about, as stored in
 * `alarms.source_key` / `alarm_events.source_key` and carried by `AlarmEvent.sourceKey`. The
 * engine keeps at most one open alarm per (key, condition), so every side must build a key the
 * same way and read it back the same way — hence builders and one parser here, never by hand.
 *
 *   point:<id>                      a monitoring point (its numeric id, `point_ids.id`)
 *   gateway:<enterprise>/<gateway>  a gateway (communication loss is one alarm per gateway)
 */
export type SourceKey = `point:${number}` | `gateway:${string}/${string}`;

/** What a source key names; tagged on `type`. */
export type ParsedSourceKey =
  | { readonly type: 'point'; readonly pointId: number }
  | { readonly type: 'gateway'; readonly enterprise: string; readonly gateway: string };

const POINT = 'point:';
const GATEWAY = 'gateway:';
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

/** The key of a parsed source: `buildSourceKey(parseSourceKey(k)!) === k` for every valid key. */
export function buildSourceKey(source: ParsedSourceKey): SourceKey {
  return source.type === 'point'
    ? pointSourceKey(source.pointId)
    : gatewaySourceKey(source.enterprise, source.gateway);
}

/**
 * What a key names; undefined for a key no builder writes (unknown prefix, a point id that is
 * not a canonical safe integer, a gateway key without exactly two non-empty codes).
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
  return undefined;
}
