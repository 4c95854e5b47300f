import type { ConditionChange, ConditionSink, EvaluatedGateway, EvaluatedPoint } from '@hazardwatch/core';
import { EvaluationEngine } from '@hazardwatch/core';

export const E1 = 'E1';
export const GW1 = 'GW1';

type Limits = EvaluatedPoint['limits'];

export interface PointSpec {
  readonly id?: number;
  /** @default 'other' */
  readonly kind?: EvaluatedPoint['kind'];
  readonly gateway?: string;
  readonly limits?: Partial<Limits>;
  /** One deadband for every limit, or per limit. */
  readonly deadband?: number | Partial<EvaluatedPoint['deadband']>;
  readonly onDelayMs?: number;
  readonly offDelayMs?: number;
  readonly staleAfterMs?: number;
  readonly rateOfChange?: EvaluatedPoint['rateOfChange'];
  readonly range?: { min: number; max: number };
  readonly enabled?: boolean;
}

/** A point as evaluation sees it; staleness off (0) unless asked for. */
export function point(spec: PointSpec = {}): EvaluatedPoint {
  const db = spec.deadband ?? 0;
  const deadband =
    typeof db === 'number' ? { ll: db, l: db, h: db, hh: db } : { ll: 0, l: 0, h: 0, hh: 0, ...db };
  const id = spec.id ?? 1;
  return {
    id,
    tag: `T${id}`,
    kind: spec.kind ?? 'other',
    enterprise: E1,
    gateway: spec.gateway ?? GW1,
    limits: { ll: null, l: null, h: null, hh: null, ...spec.limits },
    deadband,
    onDelayMs: spec.onDelayMs ?? 0,
    offDelayMs: spec.offDelayMs ?? 0,
    staleAfterMs: spec.staleAfterMs ?? 0,
    rateOfChange: spec.rateOfChange ?? [],
    range: spec.range ?? { min: -1000, max: 1000 },
    enabled: spec.enabled ?? true,
  };
}

export function gateway(code = GW1, offlineAfterMs = 0): EvaluatedGateway {
  return { enterprise: E1, code, offlineAfterMs };
}

export class RecordingSink implements ConditionSink {
  readonly changes: ConditionChange[] = [];
  change(change: ConditionChange): void {
    this.changes.push(change);
  }
  /** Compact log: `HH+@10` (raise at ts 10), `H-@20` (clear), `HH+@5 late` (from replayed data); gateway changes as `GW1:GATEWAY_OFFLINE+@5`; point ids other than 1 prefixed `#2:`. */
  log(filter?: (c: ConditionChange) => boolean): string[] {
    return this.changes.filter(filter ?? (() => true)).map((c) => {
      const who =
        c.source.kind === 'gateway'
          ? `${c.source.gateway}:`
          : c.source.kind === 'platform'
            ? `${c.source.component}/${c.source.name}:`
            : c.source.pointId === 1
              ? ''
              : `#${c.source.pointId}:`;
      return `${who}${c.condition}${c.active ? '+' : '-'}@${c.ts}${c.late === true ? ' late' : ''}`;
    });
  }
  /** Only raises and clears after the first emission per condition (the start-up state). */
  raises(): string[] {
    return this.log((c) => c.active);
  }
  clear(): void {
    this.changes.length = 0;
  }
}

export const LADDER = new Set(['HH', 'H', 'L', 'LL']);
export const isLadder = (c: ConditionChange): boolean => LADDER.has(c.condition);
/** Changes of the live lane only (not evaluated from replayed, older-than-newest samples). */
export const isLive = (c: ConditionChange): boolean => c.late !== true;

export function engineWith(
  points: readonly EvaluatedPoint[],
  gateways: readonly EvaluatedGateway[] = [gateway()],
  options: { rocMinSamples?: number } = {},
): { engine: EvaluationEngine; sink: RecordingSink } {
  const sink = new RecordingSink();
  const engine = new EvaluationEngine({ points, gateways, sink, ...options });
  return { engine, sink };
}

/** Feed good-quality samples [ts, value] to point 1 (or the given id). */
export function feed(
  engine: EvaluationEngine,
  samples: ReadonlyArray<readonly [number, number]>,
  id = 1,
): void {
  for (const [ts, v] of samples) engine.observe(id, ts, v, 0);
}
