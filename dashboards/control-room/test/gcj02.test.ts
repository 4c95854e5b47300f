import { describe, expect, it } from 'vitest';
import { gcj02ToWgs84, outsideChina, wgs84ToGcj02 } from '../src/logic/gcj02.js';

describe('WGS-84 → GCJ-02', () => {
  it('matches the published reference values (wandergis/coordtransform test: 116.404, 39.915)', () => {
    const g = wgs84ToGcj02({ lon: 116.404, lat: 39.915 });
    expect(g.lon).toBeCloseTo(116.41024449916938, 10);
    expect(g.lat).toBeCloseTo(39.91640428150164, 10);
  });

  it('shifts the example chemical park by a few hundred metres, east and north-ish', () => {
    const p = { lon: 121.0212, lat: 32.5561 };
    const g = wgs84ToGcj02(p);
    const dxM = (g.lon - p.lon) * 111_320 * Math.cos((p.lat * Math.PI) / 180);
    const dyM = (g.lat - p.lat) * 110_574;
    const d = Math.hypot(dxM, dyM);
    expect(d).toBeGreaterThan(200);
    expect(d).toBeLessThan(800);
  });

  it('leaves points outside China unshifted', () => {
    expect(outsideChina(2.35, 48.85)).toBe(true);
    expect(wgs84ToGcj02({ lon: 2.35, lat: 48.85 })).toEqual({ lon: 2.35, lat: 48.85 });
    expect(outsideChina(121, 32.5)).toBe(false);
  });

  it('inverts to within a millimetre across eastern China', () => {
    for (let lon = 100; lon <= 125; lon += 2.5) {
      for (let lat = 20; lat <= 45; lat += 2.5) {
        const back = gcj02ToWgs84(wgs84ToGcj02({ lon, lat }));
        expect(Math.abs(back.lon - lon)).toBeLessThan(1e-8);
        expect(Math.abs(back.lat - lat)).toBeLessThan(1e-8);
      }
    }
  });
});
