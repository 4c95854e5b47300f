/**
 * The horn's voice: a WebAudio tone, no audio file. Red sounds a higher, repeated pattern than
 * orange so the two are told apart without looking. Browsers only allow sound after a user
 * gesture; the login click unlocks it. How often it plays is the horn's business (logic/horn.ts).
 * `muted` is the persistent mute of this browser (the header's switch), not a silence: a muted
 * console stays silent for every alarm until it is switched back on.
 */
export interface Beeper {
  muted: boolean;
  play(colour: 'red' | 'orange'): void;
  unlock(): void;
}

export function createBeeper(): Beeper {
  let ctx: AudioContext | null = null;
  const tone = (c: AudioContext, freq: number, start: number, dur: number): void => {
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.type = 'square';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.2, start + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + dur);
    osc.connect(gain).connect(c.destination);
    osc.start(start);
    osc.stop(start + dur + 0.02);
  };
  const beeper: Beeper = {
    muted: false,
    unlock() {
      if (ctx === null && typeof AudioContext !== 'undefined') ctx = new AudioContext();
      void ctx?.resume().catch(() => undefined);
    },
    play(colour) {
      if (beeper.muted || ctx === null) return;
      const t = ctx.currentTime;
      if (colour === 'red') {
        for (let i = 0; i < 3; i += 1) tone(ctx, 1320, t + i * 0.22, 0.15);
      } else {
        tone(ctx, 880, t, 0.25);
      }
    },
  };
  return beeper;
}
