/**
 * Options of the MQTT sensor fleet: one TypeBox schema gives the type and the check (STYLE rule 5).
 * Defaults are applied, unknown keys are refused by name, and the result is frozen.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { TOPIC_SEGMENT_PATTERN } from '@hazardwatch/contracts';
import { schemaProblems } from '@hazardwatch/kit';
import { SimulatorError } from './errors.js';

/** Reported in `birth` and `heartbeat` status messages. */
export const SIMULATOR_VERSION = 'hw-sim/0.1.0';

export const FleetOptionsSchema = Type.Object(
  {
    /** Broker URL, e.g. mqtt://127.0.0.1:1883. */
    url: Type.String({ minLength: 1 }),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.String()),
    /** 4 = MQTT 3.1.1, 5 = MQTT 5. @default 4 */
    protocolVersion: Type.Union([Type.Literal(4), Type.Literal(5)], { default: 4 }),
    /** Client ids read `{prefix}-{enterprise}-{gateway}`. @default hw-sim */
    clientIdPrefix: Type.String({ pattern: TOPIC_SEGMENT_PATTERN, default: 'hw-sim' }),
    /** One telemetry batch per gateway per tick. @default 1000 */
    tickIntervalMs: Type.Integer({ minimum: 10, maximum: 3_600_000, default: 1000 }),
    /**
     * A retained `heartbeat` status every this many ticks. @default 30 (30 s at 1 s ticks, well
     * inside the platform's gateway-offline delay, 180 s in the example site)
     */
    heartbeatEveryTicks: Type.Integer({ minimum: 1, default: 30 }),
    /** Root seed of every point's random stream: same seed, same values. @default 1 */
    seed: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ minLength: 1 })], { default: 1 }),
    /** Software version in status messages. @default hw-sim/0.1.0 */
    version: Type.String({ minLength: 1, maxLength: 64, default: SIMULATOR_VERSION }),
    /** @default 30 */
    keepaliveSec: Type.Integer({ minimum: 5, maximum: 3600, default: 30 }),
    /** First connection (and each reconnect attempt) gives up after this long. @default 10000 */
    connectTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
    /** Pause between reconnect attempts after a lost connection. @default 1000 */
    reconnectPeriodMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 1000 }),
    /**
     * Telemetry batches per gateway not yet acknowledged by the broker; beyond it a tick's batch is
     * dropped (counted), so a long broker outage cannot grow memory without bound. @default 100
     */
    maxPendingBatches: Type.Integer({ minimum: 1, default: 100 }),
  },
  { additionalProperties: false },
);

export type FleetOptions = Static<typeof FleetOptionsSchema>;
/** What a caller writes: the URL, and any option whose default does not fit. */
export type FleetOptionsInput = Partial<FleetOptions> & Pick<FleetOptions, 'url'>;

/**
 * Checks and normalises fleet options once.
 * @throws SimulatorError HW_SIM_OPTIONS_INVALID listing every problem (unknown keys by name)
 */
export function parseFleetOptions(input: unknown): Readonly<FleetOptions> {
  const candidate: unknown = Value.Default(FleetOptionsSchema, Value.Clone(input ?? {}));
  if (Value.Check(FleetOptionsSchema, candidate)) return Object.freeze(candidate);
  const issues: string[] = [];
  const known = new Set(Object.keys(FleetOptionsSchema.properties));
  if (candidate !== null && typeof candidate === 'object') {
    const unknown = Object.keys(candidate).filter((k) => !known.has(k));
    if (unknown.length > 0) issues.push(`unknown option(s): ${unknown.join(', ')}`);
  }
  for (const problem of schemaProblems(FleetOptionsSchema, candidate)) {
    // The object itself and keys it does not know are said once, above.
    if (problem.pointer === '' || !known.has(problem.key.split('.')[0] ?? '')) continue;
    const issue = `${problem.key}: ${problem.detail}`;
    if (!issues.includes(issue)) issues.push(issue);
  }
  if (issues.length === 0) issues.push('options must be an object');
  throw new SimulatorError('HW_SIM_OPTIONS_INVALID', { issues });
}
