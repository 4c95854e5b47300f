import { describe, expectTypeOf, it } from 'vitest';
import type { ParsedSourceKey, SourceKey } from '@hazardwatch/contracts';

// Source keys are stored (alarms.source_key) and pushed (AlarmEvent.sourceKey): their forms are
// a contract between the engine, the store, the API and the dashboard.

describe('source keys', () => {
  it('locks the three key forms', () => {
    expectTypeOf<SourceKey>().toEqualTypeOf<
      `point:${number}` | `gateway:${string}/${string}` | `platform:${string}/${string}`
    >();
  });

  it('locks what a key names, tagged on type', () => {
    expectTypeOf<ParsedSourceKey>().toEqualTypeOf<
      | { readonly type: 'point'; readonly pointId: number }
      | { readonly type: 'gateway'; readonly enterprise: string; readonly gateway: string }
      | { readonly type: 'platform'; readonly component: string; readonly name: string }
    >();
  });
});
