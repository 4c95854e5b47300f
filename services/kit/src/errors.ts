/**
 * Coded errors (STYLE rule 4). Each package declares its codes once with `defineErrors`, and
 * throws through the registry, so callers match on `code`, never on message text.
 *
 * Moved here from @hazardwatch/core so every package — edge and simulators included — shares one
 * registry and one prefix scheme. Shape modelled on fastify's `createError` (code + template + status) and Temporal's
 * `ApplicationFailure` (`nonRetryable`): every code says whether retrying the same call can help.
 */

/** One registry entry. `template`: `{name}` is replaced by `data.name`. */
export interface ErrorSpec {
  readonly template: string;
  /** True when the same call may succeed later (peer down, timeout); false for bad input or bugs. */
  readonly retryable: boolean;
  /** HTTP status when the error reaches a REST answer (5xx answers never carry `data`). */
  readonly status?: number;
}

/** Placeholder names of a template literal type: `'a {x} b {y}'` → `'x' | 'y'`. */
export type TemplateParams<S extends string> = S extends `${string}{${infer P}}${infer Rest}`
  ? P | TemplateParams<Rest>
  : never;

/** Data an error of a given spec carries: every placeholder, plus any extra context fields. */
export type ErrorData<Spec extends ErrorSpec> = {
  readonly [K in TemplateParams<Spec['template']>]: unknown;
} & {
  readonly [key: string]: unknown;
};

/** Base class for every HazardWatch error, whatever package raised it. */
export class HazardWatchError<C extends string = string> extends Error {
  override readonly name: string = 'HazardWatchError';
  readonly code: C;
  readonly data: Readonly<Record<string, unknown>>;
  readonly retryable: boolean;
  readonly status: number | undefined;

  constructor(
    code: C,
    message: string,
    data: Readonly<Record<string, unknown>>,
    retryable: boolean,
    status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.data = Object.freeze({ ...data });
    this.retryable = retryable;
    this.status = status;
  }
}

/**
 * Render `{name}` placeholders from `data`. A placeholder with no value stays visible as
 * `{name}` so a missing field shows up in logs instead of silently reading "undefined"; a list
 * reads as its elements joined by "; " (problem lists are what errors carry most).
 */
export function renderTemplate(template: string, data: Readonly<Record<string, unknown>>): string {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, key: string) =>
    Object.prototype.hasOwnProperty.call(data, key) ? renderValue(data[key], true) : whole,
  );
}

function renderValue(value: unknown, listAllowed: boolean): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null || value === undefined) return String(value);
  if (listAllowed && Array.isArray(value)) return value.map((v) => renderValue(v, false)).join('; ');
  try {
    // undefined for a function or symbol: say what it was rather than print its source.
    return JSON.stringify(value) ?? `[${typeof value}]`;
  } catch {
    return '[unserialisable]';
  }
}

export interface ErrorRegistry<R extends Readonly<Record<string, ErrorSpec>>> {
  /** `HW_<PACKAGE>`: every code of the registry starts with it and `_`. */
  readonly prefix: string;
  /** The specs as declared, keyed by code. */
  readonly specs: R;
  /** Every code in the registry. */
  readonly codes: readonly (keyof R & string)[];
  /** Build (not throw) an error for `code`, rendering its template with `data`. */
  create<C extends keyof R & string>(
    code: C,
    data: ErrorData<R[C]>,
    options?: { cause?: unknown },
  ): HazardWatchError<C>;
  /** Type guard: `err` is a HazardWatchError from this registry (optionally with this code). */
  is<C extends keyof R & string>(err: unknown, code?: C): err is HazardWatchError<C>;
}

/**
 * Declare a package's error codes under its prefix. Every code reads `HW_<PACKAGE>_<WHAT>`, so codes
 * from different packages never collide and a code says where it came from; a code outside the
 * prefix is refused when the registry is defined (at import), not when the error is first raised.
 * Codes are the object keys, so they are unique by construction.
 */
export function defineErrors<const P extends string, const R extends Readonly<Record<string, ErrorSpec>>>(
  prefix: P,
  // A key outside the prefix is typed `never`, so the compiler refuses it before the runtime does.
  specs: R & { readonly [K in keyof R]: K extends `${P}_${string}` ? ErrorSpec : never },
): ErrorRegistry<R> {
  if (!/^HW_[A-Z0-9]+$/.test(prefix)) {
    throw new TypeError(`error prefix ${prefix} must read HW_<PACKAGE>`);
  }
  for (const code of Object.keys(specs)) {
    if (!code.startsWith(`${prefix}_`) || !/^[A-Z0-9_]+$/.test(code)) {
      throw new TypeError(`error code ${code} must read ${prefix}_<WHAT> (upper case, digits, _)`);
    }
  }
  const frozen = Object.freeze({ ...specs }) as R;
  const table: Readonly<Record<string, ErrorSpec>> = frozen;
  const codes = Object.freeze(Object.keys(frozen)) as readonly (keyof R & string)[];
  return Object.freeze({
    prefix,
    specs: frozen,
    codes,
    create<C extends keyof R & string>(code: C, data: ErrorData<R[C]>, options?: { cause?: unknown }) {
      const spec = table[code];
      if (spec === undefined) throw new TypeError(`unknown error code ${code}`);
      return new HazardWatchError(
        code,
        renderTemplate(spec.template, data),
        data,
        spec.retryable,
        spec.status,
        options,
      );
    },
    is<C extends keyof R & string>(err: unknown, code?: C): err is HazardWatchError<C> {
      if (!(err instanceof HazardWatchError)) return false;
      const c: string = (err as HazardWatchError).code;
      return code === undefined ? Object.prototype.hasOwnProperty.call(table, c) : c === code;
    },
  });
}
