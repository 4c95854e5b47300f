/** Manual clock for retention/partition windows (STYLE rule 10: tests drive time). */
export class ManualClock {
  #ms: number;
  constructor(startMs: number) {
    this.#ms = startMs;
  }
  readonly now = (): number => this.#ms;
  advance(ms: number): void {
    this.#ms += ms;
  }
  set(ms: number): void {
    this.#ms = ms;
  }
}
