/**
 * MQTT topic filters and tag templates for the MQTT bridge.
 */

/**
 * Checks a subscription filter against MQTT 3.1.1 §4.7.1: `#` only as the whole last level,
 * `+` only as a whole level. Returns the problem, or undefined when the filter is valid.
 */
export function topicFilterProblem(filter: string): string | undefined {
  if (filter.length === 0) return 'topic filter is empty';
  const levels = filter.split('/');
  for (const [i, level] of levels.entries()) {
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      return `"#" must be the whole last level of ${filter}`;
    }
    if (level.includes('+') && level !== '+') return `"+" must be a whole level of ${filter}`;
  }
  return undefined;
}

/**
 * Whether `topic` matches `filter`. MQTT 3.1.1 §4.7.2: a filter starting with a wildcard does not
 * match topics starting with `$` (broker-internal topics such as `$SYS`). `a/#` also matches `a`.
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i += 1) {
    const level = f[i]!;
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Renders a point tag from the levels of the topic a message arrived on. */
export type TagTemplate = (topicLevels: readonly string[]) => string | undefined;

/**
 * Compiles a tag template. `{n}` is replaced by level n (0-based) of the message's topic, so with
 * the filter `plant/+/pressure` a message on `plant/PT-101/pressure` gives `{1}` = `PT-101`. A
 * template without placeholders is a fixed tag. The rendered tag is undefined when a level it
 * needs is missing or empty (a short topic under a `#` filter).
 *
 * Throws a `RangeError` for a malformed placeholder (a stray brace).
 */
export function compileTagTemplate(template: string): { render: TagTemplate; maxLevel: number } {
  const parts: (string | number)[] = [];
  let maxLevel = -1;
  const re = /\{(\d+)\}/g;
  let last = 0;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    parts.push(template.slice(last, m.index));
    const level = Number(m[1]);
    parts.push(level);
    maxLevel = Math.max(maxLevel, level);
    last = m.index + m[0].length;
  }
  parts.push(template.slice(last));
  if (parts.some((p) => typeof p === 'string' && /[{}]/.test(p))) {
    throw new RangeError(`tag template ${template}: placeholders are {n}, n a topic level counted from 0`);
  }
  const render: TagTemplate = (levels) => {
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') {
        out += part;
        continue;
      }
      const level = levels[part];
      if (level === undefined || level === '') return undefined;
      out += level;
    }
    return out;
  };
  return { render, maxLevel };
}
