/**
 * On-delay / off-delay machine shared by the limit and rate-of-change evaluators.
 *
 * REFERENCE §7 (OPC UA Part 9 alarm attributes, ISA-18.2 / IEC 62682 = GB/T 41261-2022):
 * - on-delay: the condition must hold continuously for the delay before the alarm is raised;
 * - off-delay: once the condition has cleared (past the deadband, decided by the caller) the alarm
 *   holds for the delay, so brief dips do not clear it.
 *
 * Delays are measured in source time (sample timestamps, ms) and judged at samples: a raise or a
 * clear is dated by the sample that completes the delay. Between samples nothing is assumed, so
 * a point reporting every 60 s with a 15 s on-delay raises at its second sample beyond the limit.
 */

/** Neither the condition nor a pending raise. */
export const M_NORMAL = 0;
/** The condition holds; waiting for the on-delay (since = when it started). */
export const M_PENDING_ON = 1;
/** The alarm is raised. */
export const M_ACTIVE = 2;
/** The condition cleared; waiting for the off-delay (since = when it cleared). */
export const M_PENDING_OFF = 3;

/**
 * Advance machine `k` with one sample.
 * @param beyond the raise condition holds for this sample (e.g. value ≥ H)
 * @param cleared the return-to-normal condition holds (e.g. value < H − deadband)
 */
export function advanceDelay(
  machine: Uint8Array,
  since: Float64Array,
  k: number,
  beyond: boolean,
  cleared: boolean,
  ts: number,
  onDelayMs: number,
  offDelayMs: number,
): void {
  switch (machine[k]) {
    case M_NORMAL:
      if (!beyond) return;
      if (onDelayMs > 0) {
        machine[k] = M_PENDING_ON;
        since[k] = ts;
      } else machine[k] = M_ACTIVE;
      return;
    case M_PENDING_ON:
      // ISA-18.2 on-delay: any sample back inside the limit restarts the wait.
      if (!beyond) machine[k] = M_NORMAL;
      else if (ts - since[k]! >= onDelayMs) machine[k] = M_ACTIVE;
      return;
    case M_ACTIVE:
      if (!cleared) return;
      if (offDelayMs > 0) {
        machine[k] = M_PENDING_OFF;
        since[k] = ts;
      } else machine[k] = M_NORMAL;
      return;
    default:
      // M_PENDING_OFF: a sample back in the alarm region (not cleared) keeps the alarm.
      if (!cleared) machine[k] = M_ACTIVE;
      else if (ts - since[k]! >= offDelayMs) machine[k] = M_NORMAL;
  }
}

/** Emission decision for a machine: 1 raise/hold, 0 normal, -1 undecided (on-delay running). */
export function delayVerdict(m: number): 1 | 0 | -1 {
  if (m === M_ACTIVE || m === M_PENDING_OFF) return 1;
  return m === M_NORMAL ? 0 : -1;
}
