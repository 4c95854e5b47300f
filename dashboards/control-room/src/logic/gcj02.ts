/**
 * WGS-84 → GCJ-02 ("Mars coordinates"), the obfuscated datum that AMap/Gaode-style tile servers
 * draw in. The site model stores WGS-84 (= CGCS2000 to well under a metre), so a marker put on
 * GCJ-02 tiles unshifted lands 300–700 m off in eastern China. Tianditu and OSM tiles are
 * WGS-84/CGCS2000 and need no shift.
 *
 * The published algorithm (Krasovsky 1940 ellipsoid, polynomial + sine offsets around 105°E 35°N);
 * outside mainland China's rough bounding box no offset is applied, as the providers do.
 */
import type { LonLat } from '@hazardwatch/contracts';

/** Krasovsky 1940 semi-major axis, m. */
const A = 6378245.0;
/** Krasovsky 1940 first eccentricity squared. */
const EE = 0.006693421622965943;

/** The rough box the providers shift in; outside it, GCJ-02 = WGS-84. */
export function outsideChina(lon: number, lat: number): boolean {
  return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function offsetLat(x: number, y: number): number {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3;
  r += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3;
  return r;
}

function offsetLon(x: number, y: number): number {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3;
  r += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;
  return r;
}

/** Degrees WGS-84 → degrees GCJ-02. */
export function wgs84ToGcj02(p: LonLat): LonLat {
  if (outsideChina(p.lon, p.lat)) return { lon: p.lon, lat: p.lat };
  const radLat = (p.lat / 180) * Math.PI;
  const s = Math.sin(radLat);
  const magic = 1 - EE * s * s;
  const sqrtMagic = Math.sqrt(magic);
  const dLat =
    (offsetLat(p.lon - 105, p.lat - 35) * 180) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
  const dLon = (offsetLon(p.lon - 105, p.lat - 35) * 180) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return { lon: p.lon + dLon, lat: p.lat + dLat };
}

/**
 * Degrees GCJ-02 → WGS-84 by fixed-point iteration (the forward offset varies slowly, so a few
 * steps reach millimetres); used to turn a click on GCJ-02 tiles back into site coordinates.
 */
export function gcj02ToWgs84(p: LonLat, tolerance = 1e-9): LonLat {
  if (outsideChina(p.lon, p.lat)) return { lon: p.lon, lat: p.lat };
  let guess = { lon: p.lon, lat: p.lat };
  for (let i = 0; i < 30; i += 1) {
    const f = wgs84ToGcj02(guess);
    const dLon = f.lon - p.lon;
    const dLat = f.lat - p.lat;
    guess = { lon: guess.lon - dLon, lat: guess.lat - dLat };
    if (Math.abs(dLon) < tolerance && Math.abs(dLat) < tolerance) break;
  }
  return guess;
}
