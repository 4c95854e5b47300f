import type { LinearScale } from '../tag-mapping.js';
import type { ModbusDataType, WordOrder } from './word-order.js';

/**
 * Request planning for the Modbus source: the configured tags are read with as few requests as
 * the device allows, because on a serial gateway or a slow PLC every request costs a round trip
 * (tens of milliseconds), while a few unused registers in a request cost almost nothing.
 */
export type RegisterTable = 'holding' | 'input';
export type BitTable = 'coil' | 'discrete';
export type ModbusTable = RegisterTable | BitTable;

export const MODBUS_TABLES: readonly ModbusTable[] = ['holding', 'input', 'coil', 'discrete'];

export const isBitTable = (table: ModbusTable): table is BitTable => table === 'coil' || table === 'discrete';

/** A tag in normal form: validated, defaults applied. */
export interface CompiledModbusTag {
  readonly tag: string;
  readonly table: ModbusTable;
  /** Protocol (PDU) address, 0-based. */
  readonly address: number;
  /** Registers or bits the tag occupies. */
  readonly width: number;
  /** Register tables only. */
  readonly type: ModbusDataType | 'bool';
  readonly wordOrder: WordOrder;
  readonly scale: LinearScale;
}

export interface ModbusRequest {
  readonly table: ModbusTable;
  readonly start: number;
  /** Registers or bits to read. */
  readonly count: number;
  /** Tags decoded from the answer, in address order. */
  readonly tags: readonly CompiledModbusTag[];
}

export interface PlanLimits {
  /**
   * Most unused registers (bits) between two tags that still share a request; 0 reads only
   * contiguous tags together.
   */
  readonly maxGapRegisters: number;
  readonly maxGapBits: number;
  /** Modbus Application Protocol V1.1b3 §6.3/§6.4: at most 125 registers per read. */
  readonly maxRegistersPerRequest: number;
  /** Modbus Application Protocol V1.1b3 §6.1/§6.2: at most 2000 coils/inputs per read. */
  readonly maxBitsPerRequest: number;
}

export const DEFAULT_PLAN_LIMITS: PlanLimits = Object.freeze({
  maxGapRegisters: 8,
  maxGapBits: 64,
  maxRegistersPerRequest: 125,
  maxBitsPerRequest: 2000,
});

/**
 * Groups tags into read requests: per table, in address order, a tag joins the current request
 * when the gap before it is at most the table's max gap and the request stays within the size
 * limit. Greedy in address order is optimal here: a request is a contiguous range, so skipping a
 * tag cannot let a later tag join.
 */
export function planRequests(tags: readonly CompiledModbusTag[], limits: PlanLimits): ModbusRequest[] {
  const requests: ModbusRequest[] = [];
  for (const table of MODBUS_TABLES) {
    const bits = isBitTable(table);
    const maxGap = bits ? limits.maxGapBits : limits.maxGapRegisters;
    const maxCount = bits ? limits.maxBitsPerRequest : limits.maxRegistersPerRequest;
    const sorted = tags
      .filter((t) => t.table === table)
      .sort((a, b) => a.address - b.address || b.width - a.width);
    let start = 0;
    let end = 0; // exclusive
    let members: CompiledModbusTag[] = [];
    const flush = (): void => {
      if (members.length > 0) requests.push({ table, start, count: end - start, tags: members });
    };
    for (const tag of sorted) {
      const tagEnd = tag.address + tag.width;
      const fits =
        members.length > 0 && tag.address - end <= maxGap && Math.max(end, tagEnd) - start <= maxCount;
      if (fits) {
        end = Math.max(end, tagEnd);
        members.push(tag);
      } else {
        flush();
        start = tag.address;
        end = tagEnd;
        members = [tag];
      }
    }
    flush();
  }
  return requests;
}

/**
 * One request per tag, for a request the device refused: some devices answer "illegal data
 * address" for a range that crosses an unmapped register, which would otherwise hide every good
 * tag read together with a bad one.
 */
export function splitRequest(request: ModbusRequest): ModbusRequest[] {
  return request.tags.map((tag) => ({
    table: request.table,
    start: tag.address,
    count: tag.width,
    tags: [tag],
  }));
}
