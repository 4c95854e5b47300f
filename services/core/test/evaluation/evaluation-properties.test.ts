import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EvaluationEngine, sourceKey, type ConditionChange, type EvaluatedPoint } from '@hazardwatch/core';
import { E1, LADDER, RecordingSink, gateway, point } from './evaluation-fixture.js';

const GATEWAYS = ['GW1', 'GW2'] as const;
/** Range of every generated point; generated values go beyond it on both sides. */
const RANGE = { min: -10, max: 110 };
/** Kinds whose over-range (and for O₂ under-range) readings drive the limits (sensor-fault.ts). */
const KINDS = ['other', 'temperature', 'combustible_gas', 'toxic_gas', 'open_path_gas', 'oxygen'] as const;

const limitsArb = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 4, maxLength: 4 }),
    fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  )
  .map(([values, present]) => {
    const [ll, l, h, hh] = [...values].sort((a, b) => a - b) as [number, number, number, number];
    const pick = (v: number, k: number) => (present[k] ? v : null);
    return { ll: pick(ll, 0), l: pick(l, 1), h: pick(h, 2), hh: pick(hh, 3) };
  });

const pointArb = (id: number) =>
  fc
    .record({
      limits: limitsArb,
      deadband: fc.integer({ min: 0, max: 5 }),
      onDelayMs: fc.constantFrom(0, 0, 1000, 3000),
      offDelayMs: fc.constantFrom(0, 0, 1000, 3000),
      staleAfterMs: fc.constantFrom(0, 5000, 20_000),
      gateway: fc.constantFrom(...GATEWAYS),
      kind: fc.constantFrom(...KINDS),
      roc: fc.constantFrom<EvaluatedPoint['rateOfChange']>(
        [],
        [{ direction: 'rising', slopePerMin: 30, windowMs: 5000 }],
        [
          { direction: 'rising', slopePerMin: 60, windowMs: 3000 },
          { direction: 'falling', slopePerMin: 60, windowMs: 10_000 },
        ],
      ),
    })
    .map(({ roc, ...rest }) => point({ id, ...rest, rateOfChange: roc, range: RANGE }));

const configArb = fc.tuple(pointArb(1), pointArb(2), pointArb(3));

const opArb = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      op: fc.constant('observe' as const),
      id: fc.constantFrom(1, 2, 3, 1, 2, 3, 9),
      /** Offset from the newest source time: negative = late, 0 = duplicate. */
      dt: fc.integer({ min: -3000, max: 4000 }),
      value: fc.oneof(fc.double({ min: -30, max: 130, noNaN: true }), fc.constant(Number.NaN)),
      quality: fc.constantFrom(0, 0, 0, 0, 1, 2),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 6000 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constantFrom('offline' as const, 'online' as const),
      gw: fc.constantFrom(...GATEWAYS),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reconfigure' as const), config: configArb }) },
);

type Op = typeof opArb extends fc.Arbitrary<infer O> ? O : never;

/** The changes emitted by each operation, in order. */
function run(config: readonly EvaluatedPoint[], ops: readonly Op[]): ConditionChange[][] {
  const sink = new RecordingSink();
  const gateways = [gateway('GW1', 15_000), gateway('GW2', 0)];
  const engine = new EvaluationEngine({ points: config, gateways, sink });
  let sourceTs = 1_000_000;
  let now = 0;
  const perOp: ConditionChange[][] = [];
  for (const o of ops) {
    const before = sink.changes.length;
    switch (o.op) {
      case 'observe':
        sourceTs = Math.max(sourceTs, sourceTs + o.dt);
        engine.observe(o.id, sourceTs + Math.min(o.dt, 0), o.value, o.quality);
        break;
      case 'tick':
        now += o.dt;
        engine.tick(now);
        break;
      case 'offline':
        engine.gatewayOffline(E1, o.gw, now);
        break;
      case 'online':
        engine.gatewayOnline(E1, o.gw, now);
        break;
      case 'reconfigure':
        engine.reconfigure(o.config, gateways);
        break;
    }
    perOp.push(sink.changes.slice(before));
  }
  return perOp;
}

/** The side a sample saturates into (sensor-fault.ts): 'high', 'low' or null (evaluated or held). */
function saturates(p: EvaluatedPoint, value: number, quality: number): 'high' | 'low' | null {
  if (quality >= 2) return null;
  const gas = p.kind === 'combustible_gas' || p.kind === 'toxic_gas' || p.kind === 'open_path_gas';
  if (value > RANGE.max && (gas || p.kind === 'oxygen')) return 'high';
  if (value < RANGE.min && p.kind === 'oxygen') return 'low';
  return null;
}

describe('evaluation invariants (fast-check)', () => {
  // "Between operations": within one sample an H ↔ HH hand-over emits the raise before the
  // clear (threshold-evaluator.ts), so the point is never momentarily normal.
  // Per lane: the late lane (replayed samples) keeps its own state beside the live one.
  it('per (source, condition, lane) changes strictly alternate; between operations a ladder side has at most one active', () => {
    fc.assert(
      fc.property(configArb, fc.array(opArb, { maxLength: 300 }), (config, ops) => {
        const last = new Map<string, boolean>();
        const active = new Set<string>();
        for (const changes of run(config, ops)) {
          for (const c of changes) {
            const key = `${sourceKey(c.source)}|${c.condition}|${c.late === true ? 'late' : 'live'}`;
            expect(
              last.get(key),
              `${key} emitted ${c.active ? 'active' : 'inactive'} twice in a row`,
            ).not.toBe(c.active);
            last.set(key, c.active);
            if (c.active) active.add(key);
            else active.delete(key);
          }
          for (const id of [1, 2, 3]) {
            for (const lane of ['live', 'late']) {
              const has = (c: string) => active.has(`point:${id}|${c}|${lane}`);
              expect(has('H') && has('HH')).toBe(false);
              expect(has('L') && has('LL')).toBe(false);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  // Fail-safe: a limit alarm is never cleared by the clock, by gateway loss, by a bad or held
  // reading, nor by a saturated one on its own side (there it may only hand over H ↔ HH).
  // The live lane; the late lane is settled by ticks by design (late-lane.ts).
  it('live limit alarms clear only on an evaluated sample (never on ticks, gateway loss, holds or saturation)', () => {
    fc.assert(
      fc.property(configArb, fc.array(opArb, { maxLength: 300 }), (initial, ops) => {
        let config: readonly EvaluatedPoint[] = initial;
        const perOp = run(initial, ops).map((changes) => changes.filter((c) => c.late !== true));
        ops.forEach((o, k) => {
          const clears = perOp[k]!.filter((c) => LADDER.has(c.condition) && !c.active);
          const raises = perOp[k]!.filter((c) => LADDER.has(c.condition) && c.active);
          switch (o.op) {
            case 'reconfigure':
              config = o.config;
              return;
            case 'tick':
            case 'offline':
            case 'online':
              expect(perOp[k]!.filter((c) => LADDER.has(c.condition))).toEqual([]);
              return;
            case 'observe': {
              const p = config.find((q) => q.id === o.id);
              if (p === undefined) return;
              const inRange = o.value >= RANGE.min && o.value <= RANGE.max;
              const side = saturates(p, o.value, o.quality);
              if (side === null && (o.quality >= 2 || !inRange)) {
                expect(clears, 'held sample cleared a limit').toEqual([]);
                expect(raises, 'held sample raised a limit').toEqual([]);
                return;
              }
              const own = side === 'high' ? ['H', 'HH'] : side === 'low' ? ['L', 'LL'] : [];
              for (const c of clears.filter((x) => own.includes(x.condition))) {
                // Only a hand-over to the other condition of the side, or a limit no longer configured.
                const other = own.find((n) => n !== c.condition)!;
                const key = c.condition.toLowerCase() as keyof EvaluatedPoint['limits'];
                const handedOver = raises.some((r) => r.condition === other);
                expect(
                  handedOver || p.limits[key] === null,
                  `${c.condition} cleared by a saturated sample`,
                ).toBe(true);
              }
            }
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('replaying the same stream with late duplicates interleaved emits exactly the same live changes', () => {
    fc.assert(
      fc.property(
        configArb,
        fc.array(
          fc.tuple(
            fc.constantFrom(1, 2, 3),
            fc.integer({ min: 1, max: 3000 }),
            fc.double({ min: -30, max: 130, noNaN: true }),
          ),
          { maxLength: 200 },
        ),
        (config, samples) => {
          const emit = (withReplays: boolean) => {
            const sink = new RecordingSink();
            const engine = new EvaluationEngine({
              points: config,
              gateways: [gateway('GW1'), gateway('GW2')],
              sink,
            });
            const history: Array<[number, number, number]> = [];
            let ts = 0;
            for (const [id, dt, value] of samples) {
              ts += dt;
              engine.observe(id, ts, value, 0);
              history.push([id, ts, value]);
              if (withReplays) {
                const old = history[Math.floor(history.length / 2)]!;
                engine.observe(old[0], old[1], old[2] + 50, 0);
              }
            }
            return sink.log((c) => c.late !== true);
          };
          expect(emit(true)).toEqual(emit(false));
        },
      ),
      { numRuns: 200 },
    );
  });
});
