import { describe, expect, expectTypeOf, it } from 'vitest';
import { partitionOf, PartitionRouter, type PartitionUnit, type RoutedUnit } from '@hazardwatch/ingest';

// Issue #23: a leased worker's pipeline hands each reading, gateway message and tick to the unit of
// its enterprise's partition, and nothing to a partition it does not hold.

/** Two enterprise codes in different partitions. */
function twoEnterprises(): [string, string] {
  const first = '91320623MA1W000001';
  for (let i = 2; ; i++) {
    const code = `91320623MA1W${String(i).padStart(6, '0')}`;
    if (partitionOf(code) !== partitionOf(first)) return [first, code];
  }
}

class RecordingUnit implements RoutedUnit {
  readonly calls: string[] = [];
  readonly evaluation = {
    gatewayOnline: (e: string, g: string) => this.record(`online ${e}/${g}`),
    gatewayOffline: (e: string, g: string) => this.record(`offline ${e}/${g}`),
    gatewaySources: (e: string, g: string) => this.record(`sources ${e}/${g}`),
    gatewayDataLoss: (e: string, g: string, n: number) => this.record(`loss ${e}/${g} ${n}`),
  };
  constructor(readonly partition: number) {}
  observe(pointId: number, _ts: number, value: number): void {
    this.calls.push(`reading ${pointId}=${value}`);
  }
  tick(nowMs: number): void {
    this.calls.push(`tick ${nowMs}`);
  }
  private record(call: string): boolean {
    this.calls.push(call);
    return true;
  }
}

describe('PartitionRouter', () => {
  const [eA, eB] = twoEnterprises();
  // Point 1 is enterprise A's, point 2 enterprise B's, point 3 unknown to the site.
  const enterpriseOf = (id: number): string | undefined => (id === 1 ? eA : id === 2 ? eB : undefined);

  it('routes to PartitionUnits (checked by the compiler)', () => {
    expectTypeOf<PartitionUnit>().toExtend<RoutedUnit>();
  });

  it('gives each reading and gateway message to its partition’s unit only, the tick to every unit', () => {
    const router = new PartitionRouter(64, enterpriseOf);
    const a = new RecordingUnit(partitionOf(eA));
    const b = new RecordingUnit(partitionOf(eB));
    router.attach(a);
    router.attach(b);
    router.observe(1, 1000, 10, 0);
    router.observe(2, 1000, 20, 0);
    expect(router.gatewayOffline(eA, 'GW1', 1000)).toBe(true);
    router.gatewayDataLoss(eB, 'GW2', 7, 1000);
    router.tick(2000);
    expect(a.calls).toEqual(['reading 1=10', `offline ${eA}/GW1`, 'tick 2000']);
    expect(b.calls).toEqual(['reading 2=20', `loss ${eB}/GW2 7`, 'tick 2000']);
    expect(router.partitions()).toEqual([a.partition, b.partition].sort((x, y) => x - y));
    expect(router.unrouted).toBe(0);
  });

  it('routes nothing to a partition once detached (lost) and counts what arrives for it', () => {
    const router = new PartitionRouter(64, enterpriseOf);
    const a = new RecordingUnit(partitionOf(eA));
    router.attach(a);
    router.detach(a.partition);
    router.observe(1, 1000, 10, 0);
    expect(router.gatewayOnline(eA, 'GW1', 1000)).toBe(false);
    router.observe(3, 1000, 1, 0);
    router.tick(2000);
    expect(a.calls).toEqual([]);
    expect(router.unrouted).toBe(3);
  });
});
