/**
 * "Path-lite": the small subset of JSONPath the MQTT bridge needs to pick one value out of a
 * sensor's JSON payload. No filters, wildcards or recursion: one path names one value, so a
 * configuration mistake shows as a missing field rather than as a silently different value.
 *
 * Syntax:
 *
 *     path     = [ "$" ] [ first ] { step }      the empty path and "$" name the whole payload
 *     first    = key | index
 *     step     = "." key | index
 *     key      = 1*( any character except . [ ] ' " and white space )
 *     index    = "[" digits "]"                  array element, 0-based
 *              | "[" quoted "]"                  object member whose name has dots, spaces, …
 *     quoted   = "'" … "'" | '"' … '"'           a backslash escapes the quote or a backslash
 *
 * Examples: `temperature`, `data.pressure`, `readings[0].value`, `$.v`, `['flow.rate']`,
 * `sensors["PT 101"].value`, `[2]` (third element of a top-level array).
 */
export type PathSegment =
  { readonly kind: 'key'; readonly key: string } | { readonly kind: 'index'; readonly index: number };

export class PathSyntaxError extends Error {
  override readonly name = 'PathSyntaxError';
  constructor(
    readonly path: string,
    readonly position: number,
    reason: string,
  ) {
    super(`path "${path}" at ${position}: ${reason}`);
  }
}

const KEY_CHAR = /[^.[\]'"\s]/;

/** Parses a path; throws `PathSyntaxError` with the position of the first problem. */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let i = 0;
  const fail = (reason: string): never => {
    throw new PathSyntaxError(path, i, reason);
  };
  const readKey = (): string => {
    const start = i;
    while (i < path.length && KEY_CHAR.test(path[i]!)) i += 1;
    if (i === start) fail('expected a member name');
    return path.slice(start, i);
  };
  const readQuoted = (): string => {
    const open = i;
    const quote = path[i]!;
    i += 1;
    let out = '';
    while (i < path.length && path[i] !== quote) {
      if (path[i] === '\\' && i + 1 < path.length) i += 1;
      out += path[i];
      i += 1;
    }
    if (i >= path.length) {
      i = open; // point at the quote that was never closed
      fail('unterminated quoted name');
    }
    i += 1;
    return out;
  };
  const readBracket = (): PathSegment => {
    i += 1; // '['
    let segment: PathSegment;
    if (path[i] === "'" || path[i] === '"') {
      segment = { kind: 'key', key: readQuoted() };
    } else {
      const start = i;
      while (i < path.length && path[i]! >= '0' && path[i]! <= '9') i += 1;
      if (i === start) fail('expected an index or a quoted name');
      segment = { kind: 'index', index: Number(path.slice(start, i)) };
    }
    if (path[i] !== ']') fail('expected "]"');
    i += 1;
    return segment;
  };

  if (path.startsWith('$')) {
    i = 1;
    if (i < path.length && path[i] !== '.' && path[i] !== '[') fail('expected "." or "[" after "$"');
  } else if (i < path.length && path[i] !== '[') {
    segments.push({ kind: 'key', key: readKey() });
  }
  while (i < path.length) {
    if (path[i] === '.') {
      i += 1;
      segments.push({ kind: 'key', key: readKey() });
    } else if (path[i] === '[') {
      segments.push(readBracket());
    } else {
      fail(`unexpected "${path[i]}"`);
    }
  }
  return segments;
}

/** The value a path names in a parsed JSON document, or `undefined` when any step is missing. */
export function readPath(document: unknown, segments: readonly PathSegment[]): unknown {
  let current: unknown = document;
  for (const segment of segments) {
    if (segment.kind === 'index') {
      if (!Array.isArray(current)) return undefined;
      current = current[segment.index];
    } else {
      if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
      // Own members only: a path must not reach `constructor` or `__proto__` of a plain object.
      if (!Object.prototype.hasOwnProperty.call(current, segment.key)) return undefined;
      current = (current as Record<string, unknown>)[segment.key];
    }
  }
  return current;
}
