import type { IndexedPoint } from '@hazardwatch/core';
import type { MonitoringChanges } from './monitoring-changes.js';

/** Why and since when a point is out of service, as far as a change record tells. */
export interface OutOfService {
  /** The change record that took it out of service; null when none did (a site file import). */
  readonly changeId: string | null;
  /** ms UTC; null when unknown. */
  readonly sinceMs: number | null;
}

/**
 * The disabled points (停用, `enabled: false`; issue #19) among `points`, by point id, with the
 * change record behind each. Enabled points are not in the map.
 */
export async function outOfServiceOf(
  changes: MonitoringChanges,
  points: readonly IndexedPoint[],
): Promise<Map<number, OutOfService>> {
  const disabled = points.filter((p) => !p.enabled);
  if (disabled.length === 0) return new Map();
  const records = await changes.repository.disablingChanges([...new Set(disabled.map((p) => p.enterprise))]);
  return new Map(
    disabled.map((p) => {
      const record = records.get(`${p.enterprise}/${p.tag}`);
      return [p.id, { changeId: record?.id ?? null, sinceMs: record?.sinceMs ?? null }];
    }),
  );
}

/** A point as GET /points answers it: shown out of service when disabled, with its record. */
export const pointWithService = (p: IndexedPoint, oos: ReadonlyMap<number, OutOfService>) => ({
  ...p,
  inService: p.enabled,
  outOfServiceChange: oos.get(p.id)?.changeId ?? null,
});
