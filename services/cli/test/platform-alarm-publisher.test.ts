import { describe, expect, it } from 'vitest';
import { raisesPlatformAlarms } from 'hazardwatch';

/**
 * Which ingest worker publishes the platform's own alarm events live (issue #20): the one raising
 * them. Every worker reads every stored event in the one log, so with two publishing an
 * administrator's screen would hear each twice; with none, never
 * (services/api/test/platform-alarms-live.int.test.ts proves both through Redis).
 */
describe('the worker publishing platform alarms', () => {
  it.each([
    ['serve / unpinned single ingest', { ownedEnterprises: null }, true],
    ['pinned single ingest', { ownedEnterprises: ['E1', 'E2'] }, false],
    ['leased, holding partition 0', { ownedEnterprises: ['E1'], partitions: () => [3, 0] }, true],
    ['leased, not holding partition 0', { ownedEnterprises: ['E2'], partitions: () => [1, 2] }, false],
    ['leased, holding nothing yet', { ownedEnterprises: [], partitions: () => [] }, false],
  ] as const)('%s → %s', (_what, worker, expected) => {
    expect(raisesPlatformAlarms(worker)).toBe(expected);
  });

  it('follows a leased worker’s partitions as they change (asked at each event)', () => {
    let held: number[] = [];
    const worker = { ownedEnterprises: [], partitions: () => held };
    expect(raisesPlatformAlarms(worker)).toBe(false);
    held = [0];
    expect(raisesPlatformAlarms(worker)).toBe(true);
  });
});
