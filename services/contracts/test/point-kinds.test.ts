import { describe, expect, it } from 'vitest';
import { GAS_DETECTOR_KINDS, isGasDetectorKind, POINT_KINDS } from '../src/index.js';

/** The one list of gas detector kinds (issue #19 review): core and the dashboard import it. */
describe('gas detector kinds', () => {
  it('are the combustible, toxic and open-path gas detectors (GB/T 50493-2019), all point kinds', () => {
    expect([...GAS_DETECTOR_KINDS]).toEqual(['combustible_gas', 'toxic_gas', 'open_path_gas']);
    for (const kind of GAS_DETECTOR_KINDS) expect(POINT_KINDS).toContain(kind);
  });

  it('isGasDetectorKind answers the list for every point kind', () => {
    expect(POINT_KINDS.filter(isGasDetectorKind)).toEqual([...GAS_DETECTOR_KINDS]);
  });
});
