/**
 * Coded errors of the simulators (STYLE rule 4), in @hazardwatch/kit's registry — the one
 * every package uses (kit is plumbing, not service code, so the edge collector and the simulators
 * may import it). Callers match on `code`, never on text.
 */
import { defineErrors, HazardWatchError, renderTemplate, type ErrorSpec } from '@hazardwatch/kit';

export const simulatorErrors = defineErrors('HW_SIM', {
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
});

export type SimulatorErrorCode = (typeof simulatorErrors.codes)[number];

/** A simulator error: a HazardWatchError with its code, template and retryability from simulatorErrors. */
export class SimulatorError<C extends SimulatorErrorCode = SimulatorErrorCode> extends HazardWatchError<C> {
  override readonly name = 'SimulatorError';

  constructor(code: C, data: Readonly<Record<string, unknown>>, options?: { cause?: unknown }) {
    const spec: ErrorSpec = simulatorErrors.specs[code];
    super(code, renderTemplate(spec.template, data), data, spec.retryable, spec.status, options);
  }
}

/** Type guard; optionally narrowed to one code. */
export function isSimulatorError<C extends SimulatorErrorCode>(
  err: unknown,
  code?: C,
): err is SimulatorError<C> {
  return err instanceof SimulatorError && (code === undefined || err.code === code);
}
