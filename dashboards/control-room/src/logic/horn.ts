/**
 * The control-room horn (issue #21): while a red or orange alarm of this console is unacknowledged
 * (ISA-18.2 UNACK, annunciating), the horn repeats — red faster and with its own tone pattern —
 * until every such alarm is acknowledged, or the operator silences it. A silence covers the alarms
 * sounding at that moment only: the next NEW red or orange annunciation (another alarm, the same
 * alarm re-alarming after acknowledgement, or an orange alarm rising to red) re-arms the horn.
 *
 * Pure: the open alarms come in through `update`, time through an injected Clock, and the sound
 * goes out through `sound` (the beeper; a persistent mute is the beeper's business, not a silence).
 * A late alarm (replayed readings) never sounds (docs/operations.md §8).
 */
import type { AlarmState, WarningColour } from '@hazardwatch/contracts';
import type { Clock, TimerHandle } from '@hazardwatch/kit';

export type HornColour = 'red' | 'orange';

/** What the horn reads of an open alarm (OpenAlarm has these). */
export interface HornAlarm {
  readonly id: string;
  readonly colour: WarningColour | null;
  readonly state: AlarmState;
  readonly late?: boolean;
}

/**
 * - `quiet`: no red or orange alarm awaits acknowledgement;
 * - `sounding`: at least one does and the horn repeats;
 * - `silenced`: the operator silenced the horn over the alarms still awaiting acknowledgement.
 */
export type HornStatus = 'quiet' | 'sounding' | 'silenced';

export interface HornState {
  readonly status: HornStatus;
  /** The highest colour awaiting acknowledgement; null when quiet. */
  readonly colour: HornColour | null;
  /** Red and orange alarms awaiting acknowledgement. */
  readonly count: number;
}

export interface HornOptions {
  readonly clock: Clock;
  /** Plays one burst of the colour's pattern. */
  readonly sound: (colour: HornColour) => void;
  /** Told after every change of state. */
  readonly onChange?: (state: HornState) => void;
  /** Repeat period while a red alarm sounds (ms). @default 2000 */
  readonly redEveryMs?: number;
  /** Repeat period while only orange alarms sound (ms). @default 4000 */
  readonly orangeEveryMs?: number;
}

/** What a silence covered: the count and ids sent to the audit log. */
export interface HornSilence {
  readonly count: number;
  readonly alarms: readonly string[];
}

export const QUIET: HornState = Object.freeze({ status: 'quiet', colour: null, count: 0 });

const isHornColour = (c: WarningColour | null): c is HornColour => c === 'red' || c === 'orange';

export class Horn {
  readonly #clock: Clock;
  readonly #sound: (colour: HornColour) => void;
  readonly #onChange: (state: HornState) => void;
  readonly #everyMs: Readonly<Record<HornColour, number>>;
  /** Alarm id → colour of every red/orange alarm in UNACK (not late). */
  #sounding = new Map<string, HornColour>();
  /** `id:colour` keys the current silence covers; null while not silenced. */
  #silenced: Set<string> | null = null;
  #state: HornState = QUIET;
  #timer: TimerHandle | undefined;

  constructor(options: HornOptions) {
    this.#clock = options.clock;
    this.#sound = options.sound;
    this.#onChange = options.onChange ?? (() => undefined);
    this.#everyMs = { red: options.redEveryMs ?? 2000, orange: options.orangeEveryMs ?? 4000 };
  }

  get state(): HornState {
    return this.#state;
  }

  /** The console's open alarms, after every change to them (snapshot or live event). */
  update(alarms: Iterable<HornAlarm>): void {
    const next = new Map<string, HornColour>();
    for (const a of alarms)
      if (a.state === 'UNACK' && a.late !== true && isHornColour(a.colour)) next.set(a.id, a.colour);
    this.#sounding = next;
    if (this.#silenced !== null) {
      const keys = [...next].map(([id, colour]) => `${id}:${colour}`);
      // A key the silence did not cover is a new annunciation: the horn is armed again.
      if (keys.some((k) => !this.#silenced!.has(k))) this.#silenced = null;
      // Acknowledged alarms leave the silence: if one re-alarms later, it sounds again.
      else this.#silenced = new Set(keys);
    }
    this.#settle();
  }

  /** Silences the alarms sounding now; null when nothing sounds (nothing to silence or audit). */
  silence(): HornSilence | null {
    if (this.#state.status !== 'sounding') return null;
    const alarms = [...this.#sounding.keys()];
    this.#silenced = new Set([...this.#sounding].map(([id, colour]) => `${id}:${colour}`));
    this.#settle();
    return { count: alarms.length, alarms };
  }

  /** Stops the repetition for good (logout). */
  dispose(): void {
    this.#clock.clearInterval(this.#timer);
    this.#timer = undefined;
    this.#sounding = new Map();
    this.#silenced = null;
    this.#state = QUIET;
  }

  #settle(): void {
    const count = this.#sounding.size;
    const colour: HornColour | null =
      count === 0 ? null : [...this.#sounding.values()].includes('red') ? 'red' : 'orange';
    if (count === 0) this.#silenced = null;
    const status: HornStatus = count === 0 ? 'quiet' : this.#silenced !== null ? 'silenced' : 'sounding';
    const was = this.#state;
    if (was.status === status && was.colour === colour && was.count === count) return;
    this.#state = { status, colour, count };
    if (status === 'sounding' && colour !== null) {
      if (was.status !== 'sounding' || was.colour !== colour) this.#start(colour);
    } else {
      this.#clock.clearInterval(this.#timer);
      this.#timer = undefined;
    }
    this.#onChange(this.#state);
  }

  /** Sounds at once, then repeats at the colour's period. */
  #start(colour: HornColour): void {
    this.#clock.clearInterval(this.#timer);
    this.#sound(colour);
    this.#timer = this.#clock.setInterval(() => this.#sound(colour), this.#everyMs[colour]);
  }
}
