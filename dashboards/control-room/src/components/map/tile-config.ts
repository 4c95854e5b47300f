/**
 * Optional XYZ tile basemap. Nothing is configured by default: a control room is often on a
 * network with no internet, so the offline vector basemap is the baseline and tiles are an extra.
 * The datum must be stated: Tianditu (`…/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk=…`) and OSM are
 * WGS-84/CGCS2000 (no shift); AMap-style tiles are GCJ-02 and every feature is shifted onto them
 * (logic/gcj02.ts). Kept per browser in localStorage; a build-time default may come from
 * VITE_TILE_URL / VITE_TILE_DATUM.
 */
import type { LonLat } from '@hazardwatch/contracts';
import { wgs84ToGcj02 } from '../../logic/gcj02.js';

export type Datum = 'wgs84' | 'gcj02';

export interface TileConfig {
  /** XYZ template with {z}/{x}/{y} (and optional {s}); '' = no tiles. */
  readonly url: string;
  readonly datum: Datum;
  readonly attribution: string;
}

const KEY = 'hw.tiles';

export function loadTileConfig(storage: Pick<Storage, 'getItem'> = localStorage): TileConfig {
  const env = import.meta.env as Record<string, string | undefined>;
  const fallback: TileConfig = {
    url: env['VITE_TILE_URL'] ?? '',
    datum: env['VITE_TILE_DATUM'] === 'gcj02' ? 'gcj02' : 'wgs84',
    attribution: env['VITE_TILE_ATTRIBUTION'] ?? '',
  };
  try {
    const raw = storage.getItem(KEY);
    if (!raw) return fallback;
    const v = JSON.parse(raw) as Partial<TileConfig>;
    return {
      url: typeof v.url === 'string' ? v.url : '',
      datum: v.datum === 'gcj02' ? 'gcj02' : 'wgs84',
      attribution: typeof v.attribution === 'string' ? v.attribution : '',
    };
  } catch {
    return fallback;
  }
}

export function saveTileConfig(config: TileConfig, storage: Pick<Storage, 'setItem'> = localStorage): void {
  storage.setItem(KEY, JSON.stringify(config));
}

/** Site coordinates (WGS-84) → the coordinates the basemap is drawn in. */
export function projector(config: TileConfig): (p: LonLat) => [number, number] {
  if (config.url !== '' && config.datum === 'gcj02') {
    return (p) => {
      const g = wgs84ToGcj02(p);
      return [g.lat, g.lon];
    };
  }
  return (p) => [p.lat, p.lon];
}
