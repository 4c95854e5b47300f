/**
 * Whether a topic name matches a topic filter, by MQTT 3.1.1 §4.7 / MQTT 5 §4.7: `+` matches
 * exactly one level, which may be empty (§4.7.1.3: `+/+` matches `/finance`); `#` matches the
 * parent level and any number of levels below it (§4.7.1.2: `sport/#` matches `sport`); a filter
 * starting with a wildcard never matches a topic starting with `$` (§4.7.2).
 */
export function topicMatchesFilter(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i]!;
    if (level === '#') return i === f.length - 1;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}
