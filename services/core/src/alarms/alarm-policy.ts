/**
 * Lifecycle policy of the alarm engine, per deployment: re-alarm, latching, shelving limits and
 * chattering handling. Serialisable data validated once with TypeBox (STYLE rules 5 and 6); every
 * duration is in ms.
 */
import { ALARM_CONDITIONS } from '@hazardwatch/contracts';
import { Type, type Static } from '@sinclair/typebox';
import { parseConfig } from '@hazardwatch/kit';
import { alarmErrors, fail, ok, type AlarmResult } from './alarm-errors.js';

const closed = { additionalProperties: false } as const;

export const AlarmPolicySchema = Type.Object(
  {
    /**
     * Re-alarm time (ISA-18.2 / OPC UA Part 9 ReAlarmTime, REFERENCE §7): an ACKED alarm still
     * active this long after its acknowledgement returns to UNACK. null = off.
     * @default null
     */
    reAlarmMs: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()], { default: null }),
    /**
     * Conditions whose alarms latch (GB/T 41261-2022 报警锁定): they stay UNACK after the condition
     * clears, until acknowledged. Typical candidates are HH/LL trips with an interlock.
     * @default []
     */
    latchConditions: Type.Array(Type.Union(ALARM_CONDITIONS.map((c) => Type.Literal(c))), {
      uniqueItems: true,
      default: [],
    }),
    /**
     * Longest allowed shelve (ISA-18.2: shelving is time-limited). null = no limit. Our default of
     * 24 h is a deployment choice, not a value from a standard.
     * @default 86400000
     */
    maxShelveMs: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()], { default: 86_400_000 }),
    chattering: Type.Object(
      {
        /** Transitions to active within `windowMs` that make an alarm chattering (REFERENCE §7: ≥ 3 in 60 s). @default 3 */
        count: Type.Integer({ minimum: 2, default: 3 }),
        /** @default 60000 */
        windowMs: Type.Number({ exclusiveMinimum: 0, default: 60_000 }),
        /** Put a chattering alarm into DSUPR (suppressed by design) automatically. @default false */
        autoSuppress: Type.Boolean({ default: false }),
        /**
         * Quiet time (no new activation) after which the chattering flag clears and an automatic
         * suppression is released. Our choice; no standard value was found. @default 300000
         */
        releaseMs: Type.Number({ exclusiveMinimum: 0, default: 300_000 }),
      },
      { ...closed, default: {} },
    ),
  },
  closed,
);

export type AlarmPolicy = Static<typeof AlarmPolicySchema>;

/** Validate a deployment's alarm policy (unknown keys rejected by name), apply defaults, freeze. */
export function compileAlarmPolicy(input: unknown = {}): AlarmResult<AlarmPolicy> {
  const parsed = parseConfig(AlarmPolicySchema, input);
  if (parsed.ok) return ok(parsed.value);
  return fail(
    alarmErrors.create('HW_CORE_ALARM_POLICY_INVALID', {
      count: parsed.errors.length,
      first: parsed.errors[0] ?? '',
      errors: parsed.errors,
    }),
  );
}

function mustCompile(): AlarmPolicy {
  const r = compileAlarmPolicy({});
  if (!r.ok) throw r.error;
  return r.value;
}

/** Every default applied: re-alarm off, no latching, shelve ≤ 24 h, chattering flagged but not suppressed. */
export const DEFAULT_ALARM_POLICY: AlarmPolicy = mustCompile();
