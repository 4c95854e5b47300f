/**
 * Site for the 预警 tests. Region chain: province 320000 → city 320600 → county 320623 →
 * park PARK1 and town TOWN1; a second city 320500 with no county under it.
 *   E1 in PARK1 (hazards TF1, TF2) — county tier = park + county;
 *   E2 in TOWN1 (hazard R1)         — the town is skipped, county tier = county;
 *   E3 directly in city 320500      — no county tier: escalation goes enterprise → city → province.
 */
import { SiteIndex, requireValidSite } from '@hazardwatch/core';

const person = (name: string, phone: string, userId?: string) => ({
  name,
  phone,
  ...(userId ? { userId } : {}),
});

const hazard = (code: string, enterprise: string, who: [string, string, string]) => ({
  code,
  enterprise,
  name: `${code} 罐区`,
  declaredLevel: 4,
  type: 'tank_farm',
  responsible: {
    principal: person(who[0], '13800000001', `u-${who[0]}`),
    technical: person(who[1], '13800000002'),
    operational: person(who[2], '13800000003'),
  },
  location: { lon: 121, lat: 32.5 },
  inventory: [{ substance: 'Cl2', designMaxTonnes: 10 }],
  exposedPopulation: 1,
});

export function warningSite(): SiteIndex {
  const file = {
    version: 1,
    regions: [
      { code: '320000', name: '江苏省', kind: 'province' },
      { code: '320600', name: '南通市', kind: 'city', parent: '320000' },
      { code: '320623', name: '如东县', kind: 'county', parent: '320600' },
      { code: 'PARK1', name: '洋口化工园区', kind: 'park', parent: '320623' },
      { code: 'TOWN1', name: '掘港街道', kind: 'town', parent: '320623' },
      { code: '320500', name: '苏州市', kind: 'city', parent: '320000' },
    ],
    enterprises: [
      { code: 'E1', name: '甲企业', region: 'PARK1', location: { lon: 121, lat: 32.5 } },
      { code: 'E2', name: '乙企业', region: 'TOWN1', location: { lon: 121, lat: 32.4 } },
      { code: 'E3', name: '丙企业', region: '320500', location: { lon: 120.6, lat: 31.3 } },
    ],
    hazards: [
      hazard('TF1', 'E1', ['张主', '李技', '王操']),
      hazard('TF2', 'E1', ['张主', '赵技', '钱操']),
      hazard('R1', 'E2', ['孙主', '周技', '吴操']),
      hazard('H3', 'E3', ['郑主', '冯技', '陈操']),
    ],
    gateways: [],
    points: [],
  };
  return new SiteIndex(requireValidSite(file).site);
}

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const T0 = Date.UTC(2025, 5, 1, 8, 0, 0);
export const TF1 = { enterprise: 'E1', hazard: 'TF1' } as const;
