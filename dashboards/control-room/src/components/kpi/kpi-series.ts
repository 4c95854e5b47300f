/**
 * KPI view helpers. The report's interval counts are per 10 minutes (ISA-18.2 flood window);
 * the rate chart shows alarms per hour, so six consecutive intervals are summed.
 */
export function hourlyCounts(
  tenMinuteCounts: readonly number[],
  fromMs: number,
  intervalMs = 600_000,
): Array<[number, number]> {
  const perHour = Math.max(1, Math.round(3_600_000 / intervalMs));
  const out: Array<[number, number]> = [];
  for (let i = 0; i < tenMinuteCounts.length; i += perHour) {
    let sum = 0;
    for (let j = i; j < Math.min(i + perHour, tenMinuteCounts.length); j += 1) sum += tenMinuteCounts[j]!;
    out.push([fromMs + i * intervalMs, sum]);
  }
  return out;
}
