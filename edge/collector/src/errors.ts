/**
 * Coded errors of the edge collector (STYLE rule 4), in @hazardwatch/kit's registry — the one
 * every package uses (kit is plumbing, not service code, so the edge collector and the simulators
 * may import it). Callers match on `code`, never on text.
 */
import { defineErrors, HazardWatchError, renderTemplate, type ErrorSpec } from '@hazardwatch/kit';

export const edgeErrors = defineErrors('HW_EDGE', {
  HW_EDGE_CONFIG_PARSE: {
    template: 'edge config {file} is not valid YAML: {reason}',
    retryable: false,
  },
  HW_EDGE_CONFIG_INVALID: {
    template: 'edge config has {count} problem(s): {issues}',
    retryable: false,
  },
  HW_EDGE_SOURCE_CONFIG: {
    template: 'source {source} cannot run with its configuration: {reason}',
    retryable: false,
  },
  HW_EDGE_SPOOL_OPEN: {
    template: 'spool directory {dir} cannot be opened: {reason}',
    retryable: false,
  },
  HW_EDGE_SPOOL_CLOSED: {
    template: 'spool is closed; cannot {action}',
    retryable: false,
  },
  HW_EDGE_SPOOL_ENTRY_TOO_LARGE: {
    template: 'a batch of {bytes} bytes exceeds the spool limit of {maxBytes} bytes',
    retryable: false,
  },
  HW_EDGE_SPOOL_IO: {
    template: 'spool {op} failed in {dir}: {reason}',
    retryable: true,
  },
  HW_EDGE_UPLINK_OFFLINE: {
    template: 'uplink to {url} is not connected',
    retryable: true,
  },
  HW_EDGE_UPLINK_PUBLISH: {
    template: 'publish to {topic} failed: {reason}',
    retryable: true,
  },
  HW_EDGE_SOURCE_CONNECT: {
    template: 'source {source} cannot connect to {peer}: {reason}',
    retryable: true,
  },
  HW_EDGE_SOURCE_DISCONNECTED: {
    template: 'source {source} lost its connection to {peer}',
    retryable: true,
  },
  HW_EDGE_MODBUS_TIMEOUT: {
    template:
      'no answer from {peer} unit {unitId} to a {table} read at {start}+{count} within {timeoutMs} ms',
    retryable: true,
  },
  HW_EDGE_MODBUS_ILLEGAL_REQUEST: {
    template:
      'unit {unitId} refused a {table} read at {start}+{count}: exception {exceptionCode} ({exceptionName})',
    retryable: false,
  },
  HW_EDGE_MODBUS_DEVICE_FAILURE: {
    template:
      'unit {unitId} failed a {table} read at {start}+{count}: exception {exceptionCode} ({exceptionName})',
    retryable: true,
  },
  HW_EDGE_MQTT_BRIDGE_PAYLOAD: {
    template: 'message on {topic} yields no reading for {field}: {reason}',
    retryable: false,
  },
  HW_EDGE_TRUST_NONE: {
    template:
      'no rejected server certificate in {pkiDir}/rejected matches {fingerprint} (connect once with the secure mode so the server certificate lands there)',
    retryable: false,
  },
  HW_EDGE_TRUST_AMBIGUOUS: {
    template:
      'several rejected server certificates in {pkiDir}/rejected; choose one by fingerprint: {candidates}',
    retryable: false,
  },
});

export type EdgeErrorCode = (typeof edgeErrors.codes)[number];

/** An edge error: a HazardWatchError with its code, template and retryability from edgeErrors. */
export class EdgeError<C extends EdgeErrorCode = EdgeErrorCode> extends HazardWatchError<C> {
  override readonly name = 'EdgeError';

  constructor(code: C, data: Readonly<Record<string, unknown>>, options?: { cause?: unknown }) {
    const spec: ErrorSpec = edgeErrors.specs[code];
    super(code, renderTemplate(spec.template, data), data, spec.retryable, spec.status, options);
  }
}

/** Type guard; optionally narrowed to one code. */
export function isEdgeError<C extends EdgeErrorCode>(err: unknown, code?: C): err is EdgeError<C> {
  return err instanceof EdgeError && (code === undefined || err.code === code);
}
