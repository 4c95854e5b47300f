/**
 * Decoding of Modbus register contents into numbers.
 *
 * Modbus itself only defines 16-bit registers sent big-endian (Modbus Application Protocol
 * Specification V1.1b3 §4.2); how a 32-bit value spans two registers is up to the device vendor.
 * We name the four layouts by the order in which the bytes A (most significant) … D (least
 * significant) of the 32-bit value appear on the wire:
 *
 * - `ABCD`: big-endian, high word first (Schneider "big endian", most PLCs).
 * - `CDAB`: word-swapped, low word first (Siemens/Modicon "little endian word order").
 * - `BADC`: byte-swapped within each word, high word first.
 * - `DCBA`: fully little-endian.
 *
 * For 16-bit types only the byte order matters: `ABCD`/`CDAB` read the register as sent,
 * `BADC`/`DCBA` swap its two bytes.
 */
export type ModbusDataType = 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32';
export type WordOrder = 'ABCD' | 'CDAB' | 'BADC' | 'DCBA';

export const MODBUS_DATA_TYPES: readonly ModbusDataType[] = ['int16', 'uint16', 'int32', 'uint32', 'float32'];
export const WORD_ORDERS: readonly WordOrder[] = ['ABCD', 'CDAB', 'BADC', 'DCBA'];

/** Registers (16-bit words) a value of this type occupies. */
export function registerCount(type: ModbusDataType): 1 | 2 {
  return type === 'int16' || type === 'uint16' ? 1 : 2;
}

const swapBytes = (word: number): number => ((word & 0xff) << 8) | ((word >> 8) & 0xff);
const byteSwapped = (order: WordOrder): boolean => order === 'BADC' || order === 'DCBA';
const wordSwapped = (order: WordOrder): boolean => order === 'CDAB' || order === 'DCBA';

/**
 * Puts the registers as received into big-endian (`ABCD`) order; the transformation is its own
 * inverse, so encoding uses it too.
 */
function toBigEndian(words: readonly number[], type: ModbusDataType, order: WordOrder): number[] {
  const n = registerCount(type);
  if (words.length < n) throw new RangeError(`${type} needs ${n} register(s), got ${words.length}`);
  let out = words.slice(0, n).map((w) => {
    if (!Number.isInteger(w) || w < 0 || w > 0xffff) throw new RangeError(`not a 16-bit register: ${w}`);
    return byteSwapped(order) ? swapBytes(w) : w;
  });
  if (n === 2 && wordSwapped(order)) out = [out[1]!, out[0]!];
  return out;
}

/** Decodes the first one or two registers of `words` (each 0…65535, as read) into a number. */
export function decodeRegisters(words: readonly number[], type: ModbusDataType, order: WordOrder): number {
  const be = toBigEndian(words, type, order);
  const buf = Buffer.alloc(be.length * 2);
  be.forEach((w, i) => buf.writeUInt16BE(w, i * 2));
  switch (type) {
    case 'int16':
      return buf.readInt16BE(0);
    case 'uint16':
      return buf.readUInt16BE(0);
    case 'int32':
      return buf.readInt32BE(0);
    case 'uint32':
      return buf.readUInt32BE(0);
    case 'float32':
      return buf.readFloatBE(0);
  }
}

/**
 * The registers a device would hold for `value` (the inverse of `decodeRegisters`), for test
 * peers and simulators. Integers out of the type's range throw rather than wrap silently.
 */
export function encodeRegisters(value: number, type: ModbusDataType, order: WordOrder): number[] {
  const buf = Buffer.alloc(registerCount(type) * 2);
  switch (type) {
    case 'int16':
      buf.writeInt16BE(value, 0);
      break;
    case 'uint16':
      buf.writeUInt16BE(value, 0);
      break;
    case 'int32':
      buf.writeInt32BE(value, 0);
      break;
    case 'uint32':
      buf.writeUInt32BE(value, 0);
      break;
    case 'float32':
      buf.writeFloatBE(value, 0);
      break;
  }
  const be: number[] = [];
  for (let i = 0; i < buf.length; i += 2) be.push(buf.readUInt16BE(i));
  return toBigEndian(be, type, order);
}
