/**
 * Coded errors of the edge collector (STYLE rule 4). The collector may import nothing of ours but
 * the wire contracts, so this package keeps its own small registry in the same shape as the services'
 * (code → message template + whether retrying helps); callers match on `code`, never on text.
 */

export interface EdgeErrorSpec {
  /** `{name}` is replaced by `data.name`. */
  readonly template: string;
  /** True when the same call may succeed later (broker or plant down); false for bad input. */
  readonly retryable: boolean;
}

export const EDGE_ERRORS = {
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
} as const satisfies Readonly<Record<string, EdgeErrorSpec>>;

export type EdgeErrorCode = keyof typeof EDGE_ERRORS;

export class EdgeError<C extends EdgeErrorCode = EdgeErrorCode> extends Error {
  override readonly name = 'EdgeError';
  readonly code: C;
  readonly data: Readonly<Record<string, unknown>>;
  readonly retryable: boolean;

  constructor(code: C, data: Readonly<Record<string, unknown>>, options?: { cause?: unknown }) {
    const spec: EdgeErrorSpec = EDGE_ERRORS[code];
    super(renderTemplate(spec.template, data), options);
    this.code = code;
    this.data = Object.freeze({ ...data });
    this.retryable = spec.retryable;
  }
}

/** Type guard; optionally narrowed to one code. */
export function isEdgeError<C extends EdgeErrorCode>(err: unknown, code?: C): err is EdgeError<C> {
  return err instanceof EdgeError && (code === undefined || err.code === code);
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
