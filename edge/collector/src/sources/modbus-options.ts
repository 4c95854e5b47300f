import { pino, type Logger } from 'pino';
import { EdgeError } from '../errors.js';
import { IDENTITY_SCALE, type LinearScale } from '../tag-mapping.js';
import { systemClock, type Clock } from '@hazardwatch/kit';
import {
  DEFAULT_PLAN_LIMITS,
  isBitTable,
  MODBUS_TABLES,
  type BitTable,
  type CompiledModbusTag,
  type PlanLimits,
  type RegisterTable,
} from './modbus-plan.js';
import {
  MODBUS_DATA_TYPES,
  registerCount,
  WORD_ORDERS,
  type ModbusDataType,
  type WordOrder,
} from './word-order.js';

/** A holding or input register tag. */
export interface ModbusRegisterTagOptions {
  /** Point tag the readings carry. */
  readonly tag: string;
  readonly table: RegisterTable;
  /** Protocol (PDU) address, 0-based: holding register "40001" is address 0. */
  readonly address: number;
  /** @default 'uint16' */
  readonly type?: ModbusDataType;
  /** Ignored for 16-bit types except for the byte swap of 'BADC'/'DCBA'. @default 'ABCD' */
  readonly wordOrder?: WordOrder;
  /** Raw → engineering units. @default IDENTITY_SCALE */
  readonly scale?: LinearScale;
}

/** A coil or discrete input tag; the raw value is 0 or 1. */
export interface ModbusBitTagOptions {
  readonly tag: string;
  readonly table: BitTable;
  /** Protocol (PDU) address, 0-based: coil "00001" is address 0. */
  readonly address: number;
  /** @default IDENTITY_SCALE */
  readonly scale?: LinearScale;
}

export type ModbusTagOptions = ModbusRegisterTagOptions | ModbusBitTagOptions;

export interface ModbusSourceOptions {
  readonly name: string;
  readonly host: string;
  /** @default 502 */
  readonly port?: number;
  /** Unit identifier (slave id) addressed behind the TCP endpoint. @default 1 */
  readonly unitId?: number;
  /** Time between poll starts. @default 1000 */
  readonly pollIntervalMs?: number;
  /** Per request (and per connect attempt) timeout. @default 1000 */
  readonly timeoutMs?: number;
  /** Further attempts of a request after a timeout or a transient exception. @default 2 */
  readonly retries?: number;
  /** First delay before re-connecting; doubles up to `reconnectMaxMs`. @default 500 */
  readonly reconnectInitialMs?: number;
  /** @default 30000 */
  readonly reconnectMaxMs?: number;
  /** Most unused registers between tags read in one request. @default 8 */
  readonly maxGapRegisters?: number;
  /** Most unused coils/inputs between tags read in one request. @default 64 */
  readonly maxGapBits?: number;
  /** Lower it for devices that refuse long reads. @default 125 (the protocol maximum) */
  readonly maxRegistersPerRequest?: number;
  /** @default 2000 (the protocol maximum) */
  readonly maxBitsPerRequest?: number;
  readonly tags: readonly ModbusTagOptions[];
  /** @default silent */
  readonly logger?: Logger;
  /** Timestamps of readings (STYLE rule 10). @default systemClock */
  readonly clock?: Pick<Clock, 'now'>;
  /** The waits between polls and before a reconnect. @default systemClock */
  readonly timers?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
}

/** The options in normal form. */
export interface CompiledModbusOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly unitId: number;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly reconnectInitialMs: number;
  readonly reconnectMaxMs: number;
  readonly limits: PlanLimits;
  readonly tags: readonly CompiledModbusTag[];
  readonly logger: Logger;
  readonly clock: Pick<Clock, 'now'>;
  readonly timers: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
}

/** Validates and applies defaults; throws `HW_EDGE_SOURCE_CONFIG` naming the first problem. */
export function compileModbusOptions(options: ModbusSourceOptions): CompiledModbusOptions {
  const fail = (reason: string): never => {
    throw new EdgeError('HW_EDGE_SOURCE_CONFIG', { source: options.name, reason });
  };
  const int = (
    key: string,
    value: number | undefined,
    fallback: number,
    min: number,
    max: number,
  ): number => {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v < min || v > max)
      fail(`${key} must be an integer in ${min}…${max}, got ${v}`);
    return v;
  };
  if (options.host.length === 0) fail('host is empty');
  if (options.tags.length === 0) fail('no tags configured');
  const limits: PlanLimits = {
    maxGapRegisters: int(
      'maxGapRegisters',
      options.maxGapRegisters,
      DEFAULT_PLAN_LIMITS.maxGapRegisters,
      0,
      124,
    ),
    maxGapBits: int('maxGapBits', options.maxGapBits, DEFAULT_PLAN_LIMITS.maxGapBits, 0, 1999),
    maxRegistersPerRequest: int(
      'maxRegistersPerRequest',
      options.maxRegistersPerRequest,
      DEFAULT_PLAN_LIMITS.maxRegistersPerRequest,
      2, // a 32-bit value must fit in one request
      125,
    ),
    maxBitsPerRequest: int(
      'maxBitsPerRequest',
      options.maxBitsPerRequest,
      DEFAULT_PLAN_LIMITS.maxBitsPerRequest,
      1,
      2000,
    ),
  };
  if ((options.reconnectMaxMs ?? 30_000) < (options.reconnectInitialMs ?? 500)) {
    fail('reconnectMaxMs must not be below reconnectInitialMs');
  }
  const seen = new Set<string>();
  const tags = options.tags.map((t): CompiledModbusTag => {
    if (t.tag.length === 0 || t.tag.length > 64) fail(`tag "${t.tag}" must have 1…64 characters`);
    if (seen.has(t.tag)) fail(`tag ${t.tag} is configured twice`);
    seen.add(t.tag);
    if (!MODBUS_TABLES.includes(t.table)) fail(`tag ${t.tag}: unknown table ${String(t.table)}`);
    const scale = t.scale ?? IDENTITY_SCALE;
    if (!Number.isFinite(scale.factor) || !Number.isFinite(scale.offset) || scale.factor === 0) {
      fail(`tag ${t.tag}: scale factor must be finite and non-zero, offset finite`);
    }
    let type: ModbusDataType | 'bool' = 'bool';
    let wordOrder: WordOrder = 'ABCD';
    if (!isBitTable(t.table)) {
      const reg = t as ModbusRegisterTagOptions;
      type = reg.type ?? 'uint16';
      wordOrder = reg.wordOrder ?? 'ABCD';
      if (!MODBUS_DATA_TYPES.includes(type)) fail(`tag ${t.tag}: unknown type ${type}`);
      if (!WORD_ORDERS.includes(wordOrder)) fail(`tag ${t.tag}: unknown word order ${wordOrder}`);
    }
    const width = type === 'bool' ? 1 : registerCount(type);
    if (!Number.isInteger(t.address) || t.address < 0 || t.address + width > 0x10000) {
      fail(`tag ${t.tag}: address ${t.address} is outside 0…${0x10000 - width}`);
    }
    return Object.freeze({ tag: t.tag, table: t.table, address: t.address, width, type, wordOrder, scale });
  });
  return Object.freeze({
    name: options.name,
    host: options.host,
    port: int('port', options.port, 502, 1, 65535),
    unitId: int('unitId', options.unitId, 1, 0, 255),
    pollIntervalMs: int('pollIntervalMs', options.pollIntervalMs, 1000, 10, 86_400_000),
    timeoutMs: int('timeoutMs', options.timeoutMs, 1000, 10, 600_000),
    retries: int('retries', options.retries, 2, 0, 10),
    reconnectInitialMs: int('reconnectInitialMs', options.reconnectInitialMs, 500, 1, 3_600_000),
    reconnectMaxMs: int('reconnectMaxMs', options.reconnectMaxMs, 30_000, 1, 3_600_000),
    limits: Object.freeze(limits),
    tags,
    logger: options.logger ?? pino({ level: 'silent' }),
    clock: options.clock ?? systemClock,
    timers: options.timers ?? systemClock,
  });
}
