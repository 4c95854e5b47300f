/**
 * Payloads a broken or hostile device sends (fault injection). Each kind matches one rejection
 * reason of the platform's decoder (`REJECT_REASONS` in the contracts): the platform must count
 * and dead-letter them and go on accepting the good readings around them, with no alarm.
 */
import type { BadPayloadKind } from '../scenario/scenario-schema.js';

/** The `n`-th bad payload of a burst, cycling through `kinds`. `tag` is a real tag of the gateway. */
export function badPayload(kinds: readonly BadPayloadKind[], n: number, tsMs: number, tag: string): string {
  const kind = kinds[n % kinds.length] ?? 'malformed_json';
  switch (kind) {
    case 'malformed_json':
      // Cut off mid-message, as a serial link or a buggy encoder would.
      return `{"seq":${n},"readings":[{"tag":"${tag}","ts":${tsMs},"val`;
    case 'unknown_tag':
      return JSON.stringify({ readings: [{ tag: `NO-SUCH-TAG-${n}`, ts: tsMs, value: 1 }] });
    case 'bad_envelope':
      return JSON.stringify({ readings: [], firmware: 'x' });
    case 'non_finite':
      // JSON has no Infinity; 1e999 parses to it, the classic way one slips through.
      return `{"readings":[{"tag":"${tag}","ts":${tsMs},"value":1e999}]}`;
  }
}
