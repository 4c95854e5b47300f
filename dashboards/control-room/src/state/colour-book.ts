/**
 * Current four-colour state per node, as the server's roll-up computes it (core colour-rollup.ts):
 * region and enterprise colours from the region overviews, then live `colour` changes. Keys are
 * `level:code` with the codes of LiveColourChange (point id, `enterprise/hazard`, …).
 *
 * Hazard and point colours have no REST snapshot; until their first live change they are taken
 * from the open alarms (highest colour of the UNACK/ACKED active ones, the roll-up's counting
 * rule). That misses the roll-up's multi-detector escalation of a hazard, which the next live
 * change corrects.
 */
import type { LiveColourChange, LiveColourLevel, WarningColour } from '@hazardwatch/contracts';
import { colourRank } from '../logic/colour.js';

interface Held {
  readonly colour: WarningColour | null;
  /** From a live change (else from a snapshot). */
  readonly live: boolean;
  /** Arrival sequence (live changes only count). */
  readonly seq: number;
  /** Highest stored change number (`LiveColourChange.seq`, regions) seen for the node. */
  readonly stored?: number;
}

const stored = (n: number | undefined): { stored?: number } => (n === undefined ? {} : { stored: n });

export const colourKey = (level: LiveColourLevel, code: string): string => `${level}:${code}`;

export class ColourBook {
  readonly #held = new Map<string, Held>();
  #seq = 0;

  /** The arrival position now: a snapshot requested from here on passes it to `set`. */
  mark(): number {
    return this.#seq;
  }

  get(level: LiveColourLevel, code: string): WarningColour | null {
    return this.#held.get(colourKey(level, code))?.colour ?? null;
  }

  /**
   * Sets a snapshot colour from a request started at `since` (a `mark()`); a live change that
   * arrived after that stays. Arrival order, not timestamps: the browser's clock and the server's
   * event times are never compared.
   */
  set(level: LiveColourLevel, code: string, colour: WarningColour | null, since: number): void {
    const key = colourKey(level, code);
    const held = this.#held.get(key);
    if (held !== undefined && held.live && held.seq > since) return;
    this.#held.set(key, { colour, live: false, seq: since, ...stored(held?.stored) });
  }

  /**
   * Applies a live change. In arrival order, not by `ts`: the server sends a node's changes in
   * order, and their times mix source times of (possibly backdated) readings with server times of
   * gateway presence, so an older-looking change can be the newer one. A region's changes are
   * the exception: the database rolls a region up over enterprises evaluated by several workers,
   * and each worker pushes the changes it stored, so they can arrive out of order; they carry the
   * stored change number (`seq`), and one older than a change already held is dropped.
   */
  apply(change: LiveColourChange): void {
    const key = colourKey(change.level, change.code);
    const held = this.#held.get(key)?.stored;
    if (change.seq !== undefined && held !== undefined && held > change.seq) return;
    this.#seq += 1;
    this.#held.set(key, { colour: change.to, live: true, seq: this.#seq, ...stored(change.seq ?? held) });
  }

  /** Highest colour among the given points' / hazards' counted alarms (snapshot rule above). */
  static fromAlarms(
    alarms: Iterable<{ colour: WarningColour | null; state: string; active: boolean; key: string | null }>,
  ): Map<string, WarningColour> {
    const out = new Map<string, WarningColour>();
    for (const a of alarms) {
      if (a.key === null || a.colour === null || !a.active || (a.state !== 'UNACK' && a.state !== 'ACKED'))
        continue;
      const held = out.get(a.key);
      if (colourRank(a.colour) > colourRank(held)) out.set(a.key, a.colour);
    }
    return out;
  }
}
