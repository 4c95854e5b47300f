/**
 * Deterministic pseudo-random numbers: the same seed gives the same sequence on every machine and
 * every run, so a simulated plant and its scenarios replay exactly (a failing run can be re-run).
 *
 * mulberry32 (Tommy Ettinger): a 32-bit state, period 2^32, plenty for sensor noise; not for
 * anything cryptographic. Seeds from text go through FNV-1a, so per-point streams can be derived
 * from stable names (`enterprise/tag`) and do not shift when points are added or reordered.
 */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal N(0, 1) (Box–Muller; two uniforms per draw, no hidden cache). */
  normal(): number;
}

/** A mulberry32 generator seeded with a 32-bit unsigned integer (other numbers are truncated to 32 bits). */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    normal: () => {
      const u1 = 1 - next(); // (0, 1]: log(0) never happens
      const u2 = next();
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
  };
}

/** 32-bit seed from any mix of numbers and strings (FNV-1a over their text, `\u0000`-separated). */
export function seedFrom(...parts: ReadonlyArray<string | number>): number {
  let hash = 0x811c9dc5;
  const text = parts.map(String).join('\u0000');
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A generator seeded from a root seed and a stable name, e.g. `rngFor(seed, enterprise, tag)`. */
export function rngFor(seed: number | string, ...names: string[]): Rng {
  return mulberry32(seedFrom(seed, ...names));
}
