/**
 * A minimal valid site file, rebuilt fresh for every test so mutations never leak.
 * Enterprise E1 has a tank farm TF1 (chlorine) with a level point, and a generic point P1.
 */
export const E1 = 'E1';

export interface MutableSite {
  version: 1;
  regions: Record<string, unknown>[];
  enterprises: Record<string, unknown>[];
  hazards: Record<string, unknown>[];
  gateways: Record<string, unknown>[];
  points: Record<string, unknown>[];
  [key: string]: unknown;
}

const person = (name: string) => ({ name, phone: '13800000000' });

export function baseSite(): MutableSite {
  return {
    version: 1,
    regions: [
      { code: '320000', name: '江苏省', kind: 'province' },
      { code: '320600', name: '南通市', kind: 'city', parent: '320000' },
      { code: '320623', name: '如东县', kind: 'county', parent: '320600' },
      { code: 'PARK1', name: '化工园区', kind: 'park', parent: '320623' },
    ],
    enterprises: [{ code: E1, name: '示例企业', region: 'PARK1', location: { lon: 121, lat: 32.5 } }],
    hazards: [
      {
        code: 'TF1',
        enterprise: E1,
        name: '液氯罐区',
        // Cl₂ 10 t: S = 2, R = α(1 person ⇒ 1.0) · 4 · 2 = 8 ⇒ 四级.
        declaredLevel: 4,
        type: 'tank_farm',
        responsible: { principal: person('甲'), technical: person('乙'), operational: person('丙') },
        location: { lon: 121.001, lat: 32.501 },
        inventory: [{ substance: 'Cl2', designMaxTonnes: 10 }],
        exposedPopulation: 1,
      },
    ],
    gateways: [{ code: 'GW1', enterprise: E1, name: '网关' }],
    points: [
      {
        tag: 'P1',
        enterprise: E1,
        hazard: 'TF1',
        gateway: 'GW1',
        kind: 'temperature',
        unit: '°C',
        range: { min: -20, max: 100 },
        limits: { ll: -10, l: 0, h: 60, hh: 80 },
      },
    ],
  };
}

/** The first point, typed loosely for mutation. */
export const point0 = (s: MutableSite): Record<string, unknown> => s.points[0]!;

/** Replace point 0 with a gas point of the given kind and fields. */
export function gasPoint(s: MutableSite, fields: Record<string, unknown>): void {
  s.points[0] = {
    tag: 'AT1',
    enterprise: E1,
    hazard: 'TF1',
    gateway: 'GW1',
    range: { min: 0, max: 100 },
    ...fields,
  };
}
