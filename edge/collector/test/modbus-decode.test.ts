import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeRegisters,
  encodeRegisters,
  MODBUS_DATA_TYPES,
  registerCount,
  WORD_ORDERS,
  type ModbusDataType,
  type WordOrder,
} from '../src/sources/word-order.js';

// Expected words are written out by hand from the byte layout (A = most significant byte), not
// computed with the code under test.
const cases: readonly [ModbusDataType, WordOrder, readonly number[], number][] = [
  ['uint16', 'ABCD', [0x1234], 0x1234],
  ['uint16', 'CDAB', [0x1234], 0x1234],
  ['uint16', 'BADC', [0x3412], 0x1234],
  ['uint16', 'DCBA', [0x3412], 0x1234],
  ['uint16', 'ABCD', [0xffff], 65535],
  ['int16', 'ABCD', [0xffff], -1],
  ['int16', 'ABCD', [0x8000], -32768],
  ['int16', 'ABCD', [0x7fff], 32767],
  ['int16', 'BADC', [0x0080], -32768],
  ['int16', 'DCBA', [0xfeff], -2],
  ['uint32', 'ABCD', [0x1234, 0x5678], 0x12345678],
  ['uint32', 'CDAB', [0x5678, 0x1234], 0x12345678],
  ['uint32', 'BADC', [0x3412, 0x7856], 0x12345678],
  ['uint32', 'DCBA', [0x7856, 0x3412], 0x12345678],
  ['uint32', 'ABCD', [0xffff, 0xffff], 4294967295],
  ['int32', 'ABCD', [0xffff, 0xfffe], -2],
  ['int32', 'CDAB', [0xfffe, 0xffff], -2],
  ['int32', 'BADC', [0xffff, 0xfeff], -2],
  ['int32', 'DCBA', [0xfeff, 0xffff], -2],
  ['int32', 'ABCD', [0x8000, 0x0000], -2147483648],
  ['float32', 'ABCD', [0x4148, 0x0000], 12.5],
  ['float32', 'CDAB', [0x0000, 0x4148], 12.5],
  ['float32', 'BADC', [0x4841, 0x0000], 12.5],
  ['float32', 'DCBA', [0x0000, 0x4841], 12.5],
  ['float32', 'ABCD', [0xbfc0, 0x0000], -1.5],
  ['float32', 'CDAB', [0x0000, 0xbfc0], -1.5],
  ['float32', 'ABCD', [0x0000, 0x0000], 0],
];

describe('decodeRegisters', () => {
  it.each(cases)('%s %s %j → %d', (type, order, words, expected) => {
    expect(decodeRegisters(words, type, order)).toBe(expected);
  });

  it.each(cases)('encodeRegisters is the inverse: %s %s %j', (type, order, words, value) => {
    expect(encodeRegisters(value, type, order)).toEqual(words);
  });

  it('decodes float32 NaN as NaN (the source drops it, it is not a reading)', () => {
    expect(decodeRegisters([0x7fc0, 0x0000], 'float32', 'ABCD')).toBeNaN();
  });

  it('reads only the registers the type needs', () => {
    expect(decodeRegisters([0x0001, 0xffff, 0xffff], 'uint16', 'ABCD')).toBe(1);
    expect(decodeRegisters([0x0000, 0x0002, 0xffff], 'uint32', 'ABCD')).toBe(2);
  });

  it('rejects too few registers and values that are not 16-bit words', () => {
    expect(() => decodeRegisters([0x1234], 'float32', 'ABCD')).toThrow(RangeError);
    expect(() => decodeRegisters([0x10000], 'uint16', 'ABCD')).toThrow(RangeError);
    expect(() => decodeRegisters([-1], 'int16', 'ABCD')).toThrow(RangeError);
  });

  it('knows the register count of every type', () => {
    expect(MODBUS_DATA_TYPES.map(registerCount)).toEqual([1, 1, 2, 2, 2]);
  });

  it('round-trips every integer of every type and word order', () => {
    const ranges: Record<Exclude<ModbusDataType, 'float32'>, [number, number]> = {
      int16: [-32768, 32767],
      uint16: [0, 65535],
      int32: [-2147483648, 2147483647],
      uint32: [0, 4294967295],
    };
    for (const [type, [min, max]] of Object.entries(ranges) as [ModbusDataType, [number, number]][]) {
      fc.assert(
        fc.property(fc.integer({ min, max }), fc.constantFrom(...WORD_ORDERS), (value, order) => {
          expect(decodeRegisters(encodeRegisters(value, type, order), type, order)).toBe(value);
        }),
      );
    }
  });

  it('round-trips every float32 of every word order', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true }), fc.constantFrom(...WORD_ORDERS), (value, order) => {
        expect(decodeRegisters(encodeRegisters(value, 'float32', order), 'float32', order)).toBe(value);
      }),
    );
  });
});
