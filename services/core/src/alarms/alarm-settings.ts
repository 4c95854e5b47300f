/**
 * A deployment's alarm settings, compiled once into one frozen set (ARCHITECTURE "one compiled set
 * of alarm settings"): the ISA-18.2 lifecycle policy, the four-colour policy, the 预警 policy and
 * the lowest hazard colour that opens a 预警. The same object is handed to the alarm engine and to
 * the API, so the colours the engine pushes and the colours a REST overview computes cannot come
 * from two copies that disagree (issue #18: with escalation disabled the engine pushed yellow for
 * a hazard the overview, left on the default policy, showed orange).
 */
import { WARNING_COLOURS, type WarningColour } from '@hazardwatch/contracts';
import { deepFreeze, parseConfig, type ConfigOptions, type ConfigResult } from '@hazardwatch/kit';
import { compileWarningPolicy, type WarningPolicy } from '../warnings/warning-policy.js';
import { warningErrors } from '../warnings/warning-errors.js';
import { AlarmPolicySchema, type AlarmPolicy } from './alarm-policy.js';
import { ColourPolicySchema, type ColourPolicy } from './colour-policy.js';

/** The settings as a deployment writes them (the CLI's `alarms` section); each part optional. */
export interface AlarmSettingsOptions {
  /** Lifecycle: re-alarm, latching, shelving limits, chattering. @default every AlarmPolicySchema default */
  readonly policy?: unknown;
  /** Four-colour rules and hazard-level rules. @default every ColourPolicySchema default */
  readonly colours?: unknown;
  /** 预警 timeouts, initial tiers, downgrade. @default the provisional defaults of warning-policy.ts */
  readonly warnings?: unknown;
  /**
   * Lowest hazard colour that opens a 预警. Blue (data quality: stale, comms loss) shows on the
   * dashboards without pushing a warning to regulators. @default 'yellow'
   */
  readonly openWarningsFrom?: WarningColour;
}

/** The compiled, deeply frozen normal form. */
export interface AlarmSettings {
  readonly alarmPolicy: AlarmPolicy;
  readonly colourPolicy: ColourPolicy;
  readonly warningPolicy: WarningPolicy;
  readonly openWarningsFrom: WarningColour;
}

const OPTION_KEYS: ReadonlySet<string> = new Set(['policy', 'colours', 'warnings', 'openWarningsFrom']);

/**
 * Validate every part, apply defaults, freeze. Problems name their full key: with
 * `{ path: 'alarms' }`, `alarms.colours.escalation.minPoints: …` or `unknown key alarms.policy.foo`.
 */
export function compileAlarmSettings(
  options: AlarmSettingsOptions = {},
  { path }: ConfigOptions = {},
): ConfigResult<AlarmSettings> {
  const key = (k: string): string => (path ? `${path}.${k}` : k);
  const problems: string[] = [];
  for (const k of Object.keys(options)) if (!OPTION_KEYS.has(k)) problems.push(`unknown key ${key(k)}`);
  const alarmPolicy = parseConfig(AlarmPolicySchema, options.policy ?? {}, { path: key('policy') });
  if (!alarmPolicy.ok) problems.push(...alarmPolicy.errors);
  const colourPolicy = parseConfig(ColourPolicySchema, options.colours ?? {}, { path: key('colours') });
  if (!colourPolicy.ok) problems.push(...colourPolicy.errors);
  const warningPolicy = compileWarnings(options.warnings, key('warnings'), problems);
  const openWarningsFrom = options.openWarningsFrom ?? 'yellow';
  if (!WARNING_COLOURS.includes(openWarningsFrom))
    problems.push(`${key('openWarningsFrom')}: must be one of ${WARNING_COLOURS.join(', ')}`);
  if (problems.length > 0 || !alarmPolicy.ok || !colourPolicy.ok || warningPolicy === undefined)
    return { ok: false, errors: problems };
  return {
    ok: true,
    value: deepFreeze({
      alarmPolicy: alarmPolicy.value,
      colourPolicy: colourPolicy.value,
      warningPolicy,
      openWarningsFrom,
    }),
  };
}

/** The warning policy compiler throws its coded error, which names the key within the policy. */
function compileWarnings(input: unknown, path: string, problems: string[]): WarningPolicy | undefined {
  if (input !== undefined && (input === null || typeof input !== 'object' || Array.isArray(input))) {
    problems.push(`${path}: must be an object`);
    return undefined;
  }
  try {
    return compileWarningPolicy(input ?? {});
  } catch (error) {
    if (!warningErrors.is(error, 'HW_CORE_WARNING_INVALID_POLICY')) throw error;
    problems.push(`${path}.${String(error.data['key'])}: ${String(error.data['problem'])}`);
    return undefined;
  }
}

function mustCompile(): AlarmSettings {
  const compiled = compileAlarmSettings();
  if (!compiled.ok) throw new Error(`default alarm settings invalid: ${compiled.errors.join('; ')}`);
  return compiled.value;
}

/** Every default applied: for tests and tools; a service compiles its deployment's settings. */
export const DEFAULT_ALARM_SETTINGS: AlarmSettings = mustCompile();
