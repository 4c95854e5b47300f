import { describe, expect, it } from 'vitest';
import {
  EMPTY_FILTER,
  filterQuery,
  isFiltering,
  matchesAlarm,
  regionChains,
  type AlarmFilter,
  type FilterableAlarm,
  type FilterNames,
} from '../src/components/journal/alarm-filter.js';

/**
 * The filter the alarm journal and the live console share (issue #21): the console applies it to
 * its live list, the journal sends it to the API. County 320623 (park P32062301) and county 320682
 * under city 320600.
 */
const chains = regionChains([
  {
    code: '320600',
    children: [
      { code: '320623', children: [{ code: 'P32062301', children: [] }] },
      { code: '320682', children: [] },
    ],
  },
]);
const names: FilterNames = {
  enterpriseName: (c) => ({ E1: '如东示例氯碱化工有限公司', E3: '如皋示例化工有限公司' })[c],
  hazardName: (e, h) => (e === 'E1' && h === 'CL-TF01' ? '液氯储罐区' : undefined),
  pointName: (id) => (id === 1 ? '液氯储罐V-1101液位' : undefined),
  regionsOf: (e) => chains.get(e === 'E1' ? 'P32062301' : '320682') ?? [],
};

const E1_HH: FilterableAlarm = {
  colour: 'red',
  state: 'UNACK',
  condition: 'HH',
  enterprise: 'E1',
  hazard: 'CL-TF01',
  tag: 'LT-1101',
  gateway: 'GW01',
  pointId: 1,
};
const E1_GATEWAY: FilterableAlarm = {
  ...E1_HH,
  colour: 'blue',
  state: 'ACKED',
  condition: 'GATEWAY_OFFLINE',
  hazard: null,
  tag: null,
  pointId: null,
};
const E3_H: FilterableAlarm = {
  ...E1_HH,
  enterprise: 'E3',
  hazard: 'HYD-U02',
  tag: 'TT-3101',
  pointId: 9,
  colour: 'orange',
};
const ALL = [E1_HH, E1_GATEWAY, E3_H];
const passing = (f: Partial<AlarmFilter>) =>
  ALL.filter((a) => matchesAlarm(a, { ...EMPTY_FILTER, ...f }, names)).map(
    (a) => `${a.enterprise}:${a.condition}`,
  );

describe('alarm filter', () => {
  it('passes everything when empty, and says so', () => {
    expect(passing({})).toHaveLength(3);
    expect(isFiltering(EMPTY_FILTER)).toBe(false);
    expect(isFiltering({ ...EMPTY_FILTER, text: '  ' })).toBe(false);
    expect(isFiltering({ ...EMPTY_FILTER, colours: ['red'] })).toBe(true);
  });

  it.each([
    [{ colours: ['red', 'orange'] }, ['E1:HH', 'E3:HH']],
    [{ colours: ['blue'] }, ['E1:GATEWAY_OFFLINE']],
    [{ states: ['ACKED'] }, ['E1:GATEWAY_OFFLINE']],
    [{ conditions: ['GATEWAY_OFFLINE', 'LL'] }, ['E1:GATEWAY_OFFLINE']],
    [{ enterprise: 'E3' }, ['E3:HH']],
    [{ enterprise: 'E1', hazard: 'CL-TF01' }, ['E1:HH']],
    // A region takes its subtree: the city holds both counties, the park only E1.
    [{ region: '320600' }, ['E1:HH', 'E1:GATEWAY_OFFLINE', 'E3:HH']],
    [{ region: 'P32062301' }, ['E1:HH', 'E1:GATEWAY_OFFLINE']],
    [{ region: '320682' }, ['E3:HH']],
    // Free text: tag, point name, gateway, enterprise and hazard by code or name; literal.
    [{ text: 'lt-11' }, ['E1:HH']],
    [{ text: '液位' }, ['E1:HH']],
    [{ text: '氯碱' }, ['E1:HH', 'E1:GATEWAY_OFFLINE']],
    [{ text: '液氯储罐区' }, ['E1:HH']],
    [{ text: 'HYD-U02' }, ['E3:HH']],
    [{ text: 'gw01' }, ['E1:HH', 'E1:GATEWAY_OFFLINE', 'E3:HH']],
    [{ text: '.*' }, []],
    [{ colours: ['red'], text: '如皋' }, []],
  ] as const)('filter %j passes %j', (f, expected) => {
    expect(passing(f as Partial<AlarmFilter>)).toEqual(expected);
  });

  it('sends the filter as the API’s query parameters, a hazard only with its enterprise', () => {
    expect(filterQuery(EMPTY_FILTER)).toEqual({});
    expect(
      filterQuery({
        colours: ['red', 'orange'],
        states: ['UNACK'],
        conditions: ['HH'],
        region: '320623',
        enterprise: 'E1',
        hazard: 'CL-TF01',
        text: '  液位 ',
      }),
    ).toEqual({
      colour: ['red', 'orange'],
      state: ['UNACK'],
      condition: ['HH'],
      region: '320623',
      enterprise: 'E1',
      hazard: 'CL-TF01',
      q: '液位',
    });
    expect(filterQuery({ ...EMPTY_FILTER, hazard: 'CL-TF01' })).toEqual({});
  });

  it('knows each region’s chain up to its root', () => {
    expect(chains.get('P32062301')).toEqual(['P32062301', '320623', '320600']);
    expect(chains.get('320600')).toEqual(['320600']);
  });
});
