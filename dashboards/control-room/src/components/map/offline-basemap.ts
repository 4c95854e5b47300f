/**
 * Offline basemap drawn from the site model alone (no tiles, no polygons in the model): each
 * region that holds enterprises is the padded convex hull of its enterprises and hazards, labelled
 * at its centroid (the configured one, else the mean), over a 0.01° graticule on a plain background.
 * It is honest about what it is: an arrangement of the configured sites, not a map of the ground.
 */
import L from 'leaflet';
import type { Enterprise, Hazard, LonLat, RegionDetail, RegionNode } from '@hazardwatch/contracts';
import { paddedHull } from '../../logic/hull.js';
import { flattenRegions, subtreeCodes } from '../../state/site-store.js';

/** ~550 m at these latitudes: one enterprise still makes a visible area. */
const PAD_DEG = 0.005;

export interface BasemapInput {
  readonly roots: readonly RegionNode[];
  readonly details: ReadonlyMap<string, RegionDetail>;
  readonly enterprises: readonly Enterprise[];
  readonly hazards: readonly Hazard[];
  readonly project: (p: LonLat) => [number, number];
}

const KIND_STYLE: Record<string, L.PathOptions> = {
  province: { color: '#3a4a5a', weight: 1, fillOpacity: 0.03, dashArray: '6 4' },
  city: { color: '#3f5468', weight: 1, fillOpacity: 0.04, dashArray: '4 4' },
  county: { color: '#4d6680', weight: 1.5, fillOpacity: 0.05 },
  town: { color: '#5a7896', weight: 1, fillOpacity: 0.06 },
  park: { color: '#6f93b8', weight: 1.5, fillOpacity: 0.08 },
};

export function buildOfflineBasemap(input: BasemapInput): {
  layer: L.LayerGroup;
  bounds: L.LatLngBounds | null;
} {
  const layer = L.layerGroup();
  let bounds: L.LatLngBounds | null = null;
  const places: LonLat[] = [
    ...input.enterprises.map((e) => e.location),
    ...input.hazards.flatMap((h) => (h.location ? [h.location] : [])),
  ];
  if (places.length > 0) {
    const latlngs = places.map(input.project);
    bounds = L.latLngBounds(latlngs).pad(0.3);
    const step = 0.01;
    const b = bounds.pad(2);
    for (let lat = Math.floor(b.getSouth() / step) * step; lat <= b.getNorth(); lat += step)
      L.polyline(
        [
          [lat, b.getWest()],
          [lat, b.getEast()],
        ],
        { color: '#1b2430', weight: 1, interactive: false },
      ).addTo(layer);
    for (let lon = Math.floor(b.getWest() / step) * step; lon <= b.getEast(); lon += step)
      L.polyline(
        [
          [b.getSouth(), lon],
          [b.getNorth(), lon],
        ],
        { color: '#1b2430', weight: 1, interactive: false },
      ).addTo(layer);
  }
  // Graticule first, then outer regions, so inner ones draw on top.
  // Outer regions first so inner ones draw on top.
  for (const region of flattenRegions(input.roots)) {
    const codes = subtreeCodes(region);
    const inside = input.enterprises.filter((e) => codes.has(e.region));
    if (inside.length === 0) continue;
    const insideCodes = new Set(inside.map((e) => e.code));
    const pts: LonLat[] = [
      ...inside.map((e) => e.location),
      ...input.hazards.filter((h) => insideCodes.has(h.enterprise) && h.location).map((h) => h.location),
    ];
    const depth = { province: 4, city: 3, county: 2, town: 1, park: 0 }[region.kind];
    const hull = paddedHull(pts, PAD_DEG * (1 + depth * 0.6)).map(input.project);
    L.polygon(hull, { ...KIND_STYLE[region.kind], fillColor: '#8ab4f8', interactive: false }).addTo(layer);
    const centroid = input.details.get(region.code)?.centroid ?? {
      lon: pts.reduce((s, p) => s + p.lon, 0) / pts.length,
      lat: pts.reduce((s, p) => s + p.lat, 0) / pts.length,
    };
    L.marker(input.project(centroid), {
      interactive: false,
      icon: L.divIcon({
        className: `hw-region-label hw-region-${region.kind}`,
        html: region.name,
        iconSize: [160, 16],
        iconAnchor: [80, -6],
      }),
    }).addTo(layer);
  }
  return { layer, bounds };
}
