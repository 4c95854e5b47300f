/**
 * Finds where a value sits in JSON text that already parsed, so a dead letter can keep what the
 * device sent rather than what JSON.parse made of it: `1e999` parses to Infinity, which
 * JSON.stringify writes back as `null`. Used on the rejection path only (never per good reading).
 *
 * Positions are UTF-16 indices into the text, [start, end). The text must be valid JSON (the
 * caller parsed it); on anything else the functions return undefined rather than throw.
 */

export type Span = readonly [start: number, end: number];

/** The span of the member `key` of the object starting at `at` (the last one, as JSON.parse keeps). */
export function memberSpan(text: string, at: number, key: string): Span | undefined {
  let i = skipSpace(text, at);
  if (text[i] !== '{') return undefined;
  i = skipSpace(text, i + 1);
  let found: Span | undefined;
  while (i < text.length && text[i] !== '}') {
    const keyEnd = skipString(text, i);
    if (keyEnd === undefined) return undefined;
    const name: unknown = JSON.parse(text.slice(i, keyEnd));
    i = skipSpace(text, keyEnd);
    if (text[i] !== ':') return undefined;
    const valueStart = skipSpace(text, i + 1);
    const valueEnd = skipValue(text, valueStart);
    if (valueEnd === undefined) return undefined;
    if (name === key) found = [valueStart, valueEnd];
    i = skipSpace(text, valueEnd);
    if (text[i] === ',') i = skipSpace(text, i + 1);
  }
  return found;
}

/** The span of element `index` of the array starting at `at`. */
export function elementSpan(text: string, at: number, index: number): Span | undefined {
  let i = skipSpace(text, at);
  if (text[i] !== '[') return undefined;
  i = skipSpace(text, i + 1);
  for (let n = 0; i < text.length && text[i] !== ']'; n++) {
    const end = skipValue(text, i);
    if (end === undefined) return undefined;
    if (n === index) return [i, end];
    i = skipSpace(text, end);
    if (text[i] === ',') i = skipSpace(text, i + 1);
  }
  return undefined;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    // JSON whitespace: space, tab, line feed, carriage return.
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
}

function skipString(text: string, i: number): number | undefined {
  if (text[i] !== '"') return undefined;
  for (i++; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '"') return i + 1;
  }
  return undefined;
}

function skipValue(text: string, i: number): number | undefined {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    while (i < text.length) {
      const d = text[i];
      if (d === '"') {
        const end = skipString(text, i);
        if (end === undefined) return undefined;
        i = end;
        continue;
      }
      if (d === '{' || d === '[') depth++;
      else if ((d === '}' || d === ']') && --depth === 0) return i + 1;
      i++;
    }
    return undefined;
  }
  // A number, true, false or null: up to the next delimiter.
  const start = i;
  while (i < text.length && !',}] \t\n\r'.includes(text[i]!)) i++;
  return i > start ? i : undefined;
}
