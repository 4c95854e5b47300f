import { describe, expectTypeOf, it } from 'vitest';
import type { LiveSink, LiveSource, LiveStoredEvents } from '@hazardwatch/api';
import type { AlarmEngineEvents, LiveValueSink, LiveValueTap } from '@hazardwatch/ingest';
import { liveSourceFor } from 'hazardwatch';

// The in-process live link (issue #18): what the ingest stores and taps is what the API's live
// gateway takes, so a shape that drifts on either side fails tsc instead of reaching a dashboard.

describe('the in-process live source', () => {
  it("is the API's LiveSource", () => {
    expectTypeOf(liveSourceFor).returns.toEqualTypeOf<LiveSource>();
  });

  it("carries the alarm engine's stored events as the gateway's LiveStoredEvents", () => {
    expectTypeOf<AlarmEngineEvents>().toExtend<LiveStoredEvents>();
  });

  it("lets the value tap deliver to the gateway's sink", () => {
    expectTypeOf<LiveSink>().toExtend<LiveValueSink>();
    expectTypeOf<LiveValueTap['add']>().parameter(0).toEqualTypeOf<LiveValueSink>();
  });
});
