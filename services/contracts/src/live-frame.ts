import { QUALITY_CODES, qualityFromCode, type QualityCode } from './quality.js';
import type { LiveValue } from './live.js';

// Kept apart from live.ts (and exported as `@hazardwatch/contracts/live-frame` too) so a browser
// bundle that decodes frames does not pull in the TypeBox schemas.

/**
 * A `values` batch on the wire, by column: point ids, timestamps as offsets from `t0` and values
 * side by side, and the quality codes (QUALITY_CODES) only when some value is not good. About a
 * third of the bytes of an array of LiveValue objects, and as much less to encode and parse —
 * what a province screen receiving every point of its region at 1 Hz needs. `decodeLiveValues`
 * gives the LiveValue objects back.
 */
export interface LiveValueFrame {
  /** Point ids. */
  readonly p: readonly number[];
  /** Source timestamp of the first value, ms UTC. */
  readonly t0: number;
  /** Each value's source timestamp minus `t0`, ms. */
  readonly t: readonly number[];
  readonly v: readonly number[];
  /** Quality codes, absent when every value is good. */
  readonly q?: readonly QualityCode[];
}

export function encodeLiveValues(values: readonly LiveValue[]): LiveValueFrame {
  const n = values.length;
  const t0 = n === 0 ? 0 : values[0]!.ts;
  const p = new Array<number>(n);
  const t = new Array<number>(n);
  const v = new Array<number>(n);
  let q: QualityCode[] | undefined;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    p[i] = x.pointId;
    t[i] = x.ts - t0;
    v[i] = x.value;
    if (x.quality !== 'good') {
      q ??= new Array<QualityCode>(n).fill(QUALITY_CODES.good);
      q[i] = QUALITY_CODES[x.quality];
    }
  }
  return q === undefined ? { p, t0, t, v } : { p, t0, t, v, q };
}

export function decodeLiveValues(frame: LiveValueFrame): LiveValue[] {
  const out = new Array<LiveValue>(frame.p.length);
  for (let i = 0; i < frame.p.length; i++) {
    out[i] = {
      pointId: frame.p[i]!,
      ts: frame.t0 + frame.t[i]!,
      value: frame.v[i]!,
      quality: frame.q === undefined ? 'good' : (qualityFromCode(frame.q[i]!) ?? 'bad'),
    };
  }
  return out;
}
