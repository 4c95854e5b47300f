import { describe, expect, it } from 'vitest';
import { isEdgeError } from '../src/errors.js';
import {
  compileModbusOptions,
  type ModbusRegisterTagOptions,
  type ModbusTagOptions,
} from '../src/sources/modbus-options.js';
import {
  DEFAULT_PLAN_LIMITS,
  planRequests,
  splitRequest,
  type PlanLimits,
} from '../src/sources/modbus-plan.js';

const compile = (tags: readonly ModbusTagOptions[], limits: Partial<PlanLimits> = {}) =>
  compileModbusOptions({ name: 'plc', host: '127.0.0.1', tags, ...limits });

/** Requests as `table start+count [tags]`, easy to read in a failing diff. */
const plan = (tags: readonly ModbusTagOptions[], limits: Partial<PlanLimits> = {}): string[] => {
  const o = compile(tags, limits);
  return planRequests(o.tags, o.limits).map(
    (r) => `${r.table} ${r.start}+${r.count} [${r.tags.map((t) => t.tag).join(',')}]`,
  );
};
const reg = (
  tag: string,
  address: number,
  type: 'uint16' | 'float32' = 'uint16',
): ModbusRegisterTagOptions => ({
  tag,
  table: 'holding',
  address,
  type,
});

describe('planRequests', () => {
  it.each<[string, readonly ModbusTagOptions[], Partial<PlanLimits>, string[]]>([
    ['one tag, one request', [reg('A', 10)], {}, ['holding 10+1 [A]']],
    [
      'contiguous tags share a request',
      [reg('A', 0), reg('B', 1, 'float32'), reg('C', 3)],
      {},
      ['holding 0+4 [A,B,C]'],
    ],
    [
      'order of configuration does not matter',
      [reg('C', 3), reg('A', 0), reg('B', 1)],
      {},
      ['holding 0+4 [A,B,C]'],
    ],
    [
      'a gap within maxGap is read through',
      [reg('A', 0), reg('B', 9)],
      { maxGapRegisters: 8 },
      ['holding 0+10 [A,B]'],
    ],
    [
      'a gap above maxGap splits',
      [reg('A', 0), reg('B', 10)],
      { maxGapRegisters: 8 },
      ['holding 0+1 [A]', 'holding 10+1 [B]'],
    ],
    [
      'maxGap 0 joins only contiguous tags',
      [reg('A', 0), reg('B', 1), reg('C', 3)],
      { maxGapRegisters: 0 },
      ['holding 0+2 [A,B]', 'holding 3+1 [C]'],
    ],
    [
      '125 registers fit one request',
      [reg('A', 0), reg('B', 124)],
      { maxGapRegisters: 124 },
      ['holding 0+125 [A,B]'],
    ],
    [
      '126 registers do not',
      [reg('A', 0), reg('B', 125)],
      { maxGapRegisters: 124 },
      ['holding 0+1 [A]', 'holding 125+1 [B]'],
    ],
    [
      'a 32-bit value is never cut at the limit',
      [reg('A', 0), reg('B', 3, 'float32')],
      { maxRegistersPerRequest: 4 },
      ['holding 0+1 [A]', 'holding 3+2 [B]'],
    ],
    [
      'tables are never mixed',
      [
        reg('A', 0),
        { tag: 'B', table: 'input', address: 1 },
        { tag: 'C', table: 'coil', address: 0 },
        { tag: 'D', table: 'discrete', address: 0 },
      ],
      {},
      ['holding 0+1 [A]', 'input 1+1 [B]', 'coil 0+1 [C]', 'discrete 0+1 [D]'],
    ],
    [
      'coils coalesce with their own gap and limit',
      [
        { tag: 'A', table: 'coil', address: 0 },
        { tag: 'B', table: 'coil', address: 64 },
        { tag: 'C', table: 'coil', address: 200 },
      ],
      { maxGapBits: 63 },
      ['coil 0+65 [A,B]', 'coil 200+1 [C]'],
    ],
    [
      '2000 coils fit one request, 2001 do not',
      [
        { tag: 'A', table: 'coil', address: 0 },
        { tag: 'B', table: 'coil', address: 1999 },
        { tag: 'C', table: 'coil', address: 2000 },
      ],
      { maxGapBits: 1999 },
      ['coil 0+2000 [A,B]', 'coil 2000+1 [C]'],
    ],
    ['overlapping tags share a request', [reg('A', 0, 'float32'), reg('B', 1)], {}, ['holding 0+2 [A,B]']],
  ])('%s', (_name, tags, limits, expected) => {
    expect(plan(tags, limits)).toEqual(expected);
  });

  it('reads 300 contiguous registers in 3 requests (protocol limit 125)', () => {
    const tags = Array.from({ length: 300 }, (_, i) => reg(`T${i}`, i));
    const o = compile(tags);
    const requests = planRequests(o.tags, o.limits);
    expect(requests.map((r) => [r.start, r.count])).toEqual([
      [0, 125],
      [125, 125],
      [250, 50],
    ]);
    expect(requests.flatMap((r) => r.tags).length).toBe(300);
  });

  it('splits a refused request into one request per tag', () => {
    const o = compile([reg('A', 0), reg('B', 2, 'float32')]);
    const [request] = planRequests(o.tags, o.limits);
    expect(splitRequest(request!).map((r) => [r.start, r.count, r.tags[0]!.tag])).toEqual([
      [0, 1, 'A'],
      [2, 2, 'B'],
    ]);
  });
});

describe('compileModbusOptions', () => {
  it('applies the documented defaults', () => {
    const o = compile([reg('A', 0)]);
    expect(o).toMatchObject({
      port: 502,
      unitId: 1,
      pollIntervalMs: 1000,
      timeoutMs: 1000,
      retries: 2,
      limits: DEFAULT_PLAN_LIMITS,
    });
    expect(o.tags[0]).toMatchObject({
      type: 'uint16',
      wordOrder: 'ABCD',
      width: 1,
      scale: { factor: 1, offset: 0 },
    });
  });

  it.each<[string, Parameters<typeof compileModbusOptions>[0], RegExp]>([
    ['duplicate tag', { name: 's', host: 'h', tags: [reg('A', 0), reg('A', 1)] }, /A is configured twice/],
    ['no tags', { name: 's', host: 'h', tags: [] }, /no tags/],
    ['address beyond 65535', { name: 's', host: 'h', tags: [reg('A', 65535, 'float32')] }, /address 65535/],
    [
      'too long a request',
      { name: 's', host: 'h', tags: [reg('A', 0)], maxRegistersPerRequest: 126 },
      /maxRegistersPerRequest/,
    ],
    [
      'zero scale factor',
      { name: 's', host: 'h', tags: [{ ...reg('A', 0), scale: { factor: 0, offset: 0 } }] },
      /scale factor/,
    ],
    [
      'unknown word order',
      { name: 's', host: 'h', tags: [{ ...reg('A', 0), wordOrder: 'XYZW' as never }] },
      /word order/,
    ],
    [
      'backoff max below initial',
      { name: 's', host: 'h', tags: [reg('A', 0)], reconnectInitialMs: 500, reconnectMaxMs: 100 },
      /reconnectMaxMs/,
    ],
  ])('rejects %s with HW_EDGE_SOURCE_CONFIG', (_name, options, message) => {
    let error: unknown;
    try {
      compileModbusOptions(options);
    } catch (err) {
      error = err;
    }
    expect(isEdgeError(error, 'HW_EDGE_SOURCE_CONFIG')).toBe(true);
    expect((error as Error).message).toMatch(message);
  });
});
