import { describe, expect, it } from 'vitest';
import {
  colourRank,
  isWarningColour,
  WARNING_COLOURS,
  WARNING_COLOURS_DESC,
  worstColour,
  type WarningColour,
} from '@hazardwatch/contracts';

describe('预警 colour order (红 > 橙 > 黄 > 蓝 > none)', () => {
  const ranks: Array<[WarningColour | null | undefined, number]> = [
    ['red', 4],
    ['orange', 3],
    ['yellow', 2],
    ['blue', 1],
    [null, 0],
    [undefined, 0],
  ];
  it.each(ranks)('ranks %s as %i', (colour, rank) => {
    expect(colourRank(colour)).toBe(rank);
  });

  it('lists the colours lowest first and, for legends, highest first', () => {
    expect([...WARNING_COLOURS]).toEqual(['blue', 'yellow', 'orange', 'red']);
    expect([...WARNING_COLOURS_DESC]).toEqual(['red', 'orange', 'yellow', 'blue']);
  });

  it.each([
    [['blue', null, 'orange', 'yellow'], 'orange'],
    [['red', 'blue'], 'red'],
    [[null, undefined], null],
    [[], null],
  ] as Array<[Array<WarningColour | null | undefined>, WarningColour | null]>)(
    'finds the worst of %o',
    (colours, worst) => {
      expect(worstColour(colours)).toBe(worst);
    },
  );

  it.each([
    ['red', true],
    ['blue', true],
    ['Red', false],
    ['green', false],
    ['', false],
    [null, false],
    [3, false],
  ])('tells whether %o is a 预警 colour', (value, is) => {
    expect(isWarningColour(value)).toBe(is);
  });
});
