/**
 * Coded errors of the simulators (STYLE rule 4). Simulators may import nothing of ours but the
 * wire contracts, so this package keeps its own small registry in the same shape as the services'
 * (code → message template + whether retrying helps); callers match on `code`, never on text.
 */

export interface SimulatorErrorSpec {
  /** `{name}` is replaced by `data.name`. */
  readonly template: string;
  /** True when the same call may succeed later (broker down); false for bad input. */
  readonly retryable: boolean;
}

export const SIMULATOR_ERRORS = {
  HW_SIM_SITE_PARSE: {
    template: 'site file is not valid YAML or JSON: {reason}',
    retryable: false,
  },
  HW_SIM_SITE_INVALID: {
    template: 'site file has {count} problem(s): {issues}',
    retryable: false,
  },
  HW_SIM_OPTIONS_INVALID: {
    template: 'invalid simulator options: {issues}',
    retryable: false,
  },
  HW_SIM_SIGNAL_INVALID: {
    template: 'invalid signal profile: {issues}',
    retryable: false,
  },
  HW_SIM_FLEET_STATE: {
    template: 'MQTT fleet cannot {action} while {state}',
    retryable: false,
  },
  HW_SIM_FLEET_UNKNOWN_GATEWAY: {
    template: 'the fleet has no gateway {enterprise}/{gateway}',
    retryable: false,
  },
  HW_SIM_SCENARIO_PARSE: {
    template: 'scenario {file} is not valid YAML: {reason}',
    retryable: false,
  },
  HW_SIM_SCENARIO_INVALID: {
    template: 'scenario {file} has {count} problem(s): {issues}',
    retryable: false,
  },
  HW_SIM_SCENARIO_STATE: {
    template: 'scenario runner cannot {action} while {state}',
    retryable: false,
  },
  HW_SIM_GENERATE_INVALID: {
    template: 'invalid site generator parameters: {issues}',
    retryable: false,
  },
  HW_SIM_FLEET_CONNECT: {
    template: 'gateway {enterprise}/{gateway} could not connect to {url}: {reason}',
    retryable: true,
  },
} as const satisfies Readonly<Record<string, SimulatorErrorSpec>>;

export type SimulatorErrorCode = keyof typeof SIMULATOR_ERRORS;

export class SimulatorError<C extends SimulatorErrorCode = SimulatorErrorCode> extends Error {
  override readonly name = 'SimulatorError';
  readonly code: C;
  readonly data: Readonly<Record<string, unknown>>;
  readonly retryable: boolean;

  constructor(code: C, data: Readonly<Record<string, unknown>>, options?: { cause?: unknown }) {
    const spec: SimulatorErrorSpec = SIMULATOR_ERRORS[code];
    super(renderTemplate(spec.template, data), options);
    this.code = code;
    this.data = Object.freeze({ ...data });
    this.retryable = spec.retryable;
  }
}

/** Type guard; optionally narrowed to one code. */
export function isSimulatorError<C extends SimulatorErrorCode>(
  err: unknown,
  code?: C,
): err is SimulatorError<C> {
  return err instanceof SimulatorError && (code === undefined || err.code === code);
}

/** A placeholder without a value stays visible as `{name}`, so a missing field shows in logs. */
function renderTemplate(template: string, data: Readonly<Record<string, unknown>>): string {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, key: string) => {
    if (!Object.prototype.hasOwnProperty.call(data, key)) return whole;
    const value = data[key];
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (Array.isArray(value)) return value.map(String).join('; ');
    return JSON.stringify(value) ?? String(value);
  });
}
