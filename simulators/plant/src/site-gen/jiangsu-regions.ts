/**
 * Real administrative divisions (GB/T 2260 codes) and chemical parks of Jiangsu, along the coast
 * and the Yangtze, for generated demo sites. Park centroids are approximate WGS-84 positions;
 * park codes (P + county code + 2 digits) and town codes (county code + 3 digits) are ours.
 */

export interface CountyEntry {
  readonly code: string;
  readonly name: string;
  readonly park: { readonly name: string; readonly lon: number; readonly lat: number };
  readonly towns: readonly string[];
}

export interface CityEntry {
  readonly code: string;
  readonly name: string;
  readonly counties: readonly CountyEntry[];
}

export const JIANGSU = { code: '320000', name: '江苏省' } as const;

export const JIANGSU_CITIES: readonly CityEntry[] = [
  {
    code: '320600',
    name: '南通市',
    counties: [
      {
        code: '320623',
        name: '如东县',
        park: { name: '江苏洋口港经济开发区（化工园区）', lon: 121.0167, lat: 32.5583 },
        towns: ['洋口镇', '长沙镇'],
      },
      {
        code: '320681',
        name: '启东市',
        park: { name: '启东经济开发区吕四港化工园区', lon: 121.62, lat: 32.06 },
        towns: ['吕四港镇'],
      },
    ],
  },
  {
    code: '320900',
    name: '盐城市',
    counties: [
      {
        code: '320922',
        name: '滨海县',
        park: { name: '滨海经济开发区沿海工业园', lon: 120.3, lat: 34.25 },
        towns: ['滨淮镇'],
      },
      {
        code: '320904',
        name: '大丰区',
        park: { name: '大丰港石化新材料产业园', lon: 120.78, lat: 33.2 },
        towns: ['大中街道'],
      },
    ],
  },
  {
    code: '320700',
    name: '连云港市',
    counties: [
      {
        code: '320703',
        name: '连云区',
        park: { name: '连云港石化产业基地（徐圩新区）', lon: 119.56, lat: 34.6 },
        towns: ['板桥街道'],
      },
      {
        code: '320723',
        name: '灌云县',
        park: { name: '灌云临港产业区', lon: 119.68, lat: 34.47 },
        towns: ['燕尾港镇'],
      },
    ],
  },
  {
    code: '321200',
    name: '泰州市',
    counties: [
      {
        code: '321283',
        name: '泰兴市',
        park: { name: '泰兴经济开发区', lon: 120.0, lat: 32.12 },
        towns: ['滨江镇'],
      },
    ],
  },
  {
    code: '320100',
    name: '南京市',
    counties: [
      {
        code: '320116',
        name: '六合区',
        park: { name: '南京江北新材料科技园', lon: 118.8, lat: 32.25 },
        towns: ['长芦街道'],
      },
    ],
  },
  {
    code: '321000',
    name: '扬州市',
    counties: [
      {
        code: '321081',
        name: '仪征市',
        park: { name: '扬州化学工业园区', lon: 119.25, lat: 32.27 },
        towns: ['青山镇'],
      },
    ],
  },
];
