import { describe, expectTypeOf, it } from 'vitest';
import type {
  GatewayAddress,
  GatewayStatus,
  ParsedTopic,
  Quality,
  QualityCode,
  Reading,
  RejectReason,
  TelemetryPayload,
  TopicKind,
} from '@hazardwatch/contracts';

// Wire types are shared with gateways and the dashboard (STYLE.md rule 9): a change here is a
// protocol change and must be made on purpose, so these tests name every member exactly.

describe('telemetry payload', () => {
  it('locks the Reading fields and their optionality', () => {
    expectTypeOf<Reading>().toEqualTypeOf<{
      tag: string;
      ts: number;
      value: number;
      quality?: Quality;
    }>();
    expectTypeOf<Reading>().toHaveProperty('quality').toEqualTypeOf<Quality | undefined>();
  });

  it('locks the envelope', () => {
    expectTypeOf<TelemetryPayload>().toEqualTypeOf<{ seq?: number; readings: Reading[] }>();
  });
});

describe('enumerations', () => {
  it('locks Quality and its codes', () => {
    expectTypeOf<Quality>().toEqualTypeOf<'good' | 'uncertain' | 'bad'>();
    expectTypeOf<QualityCode>().toEqualTypeOf<0 | 1 | 2>();
  });

  it('locks every RejectReason', () => {
    expectTypeOf<RejectReason>().toEqualTypeOf<
      | 'bad_topic'
      | 'oversized'
      | 'malformed_json'
      | 'bad_envelope'
      | 'bad_reading'
      | 'non_finite'
      | 'ts_in_future'
      | 'ts_too_old'
      | 'unknown_gateway'
      | 'unknown_point'
      | 'wrong_gateway'
      | 'point_disabled'
      | 'storage_rejected'
    >();
  });

  it('locks the gateway status tag and fields', () => {
    expectTypeOf<GatewayStatus['type']>().toEqualTypeOf<'birth' | 'death' | 'heartbeat' | 'data_loss'>();
    expectTypeOf<GatewayStatus['ts']>().toEqualTypeOf<number>();
    expectTypeOf<GatewayStatus>().toHaveProperty('spoolDepth').toEqualTypeOf<number | undefined>();
    expectTypeOf<GatewayStatus>().toHaveProperty('version').toEqualTypeOf<string | undefined>();
    expectTypeOf<GatewayStatus>().toHaveProperty('spoolBytes').toEqualTypeOf<number | undefined>();
    expectTypeOf<NonNullable<GatewayStatus['dropped']>['readings']>().toEqualTypeOf<number>();
    expectTypeOf<NonNullable<GatewayStatus['sources']>[number]['reconnects']>().toEqualTypeOf<number>();
  });
});

describe('topics', () => {
  it('locks TopicKind and the parsed topic', () => {
    expectTypeOf<TopicKind>().toEqualTypeOf<'telemetry' | 'status' | 'cmd'>();
    expectTypeOf<ParsedTopic>().toMatchTypeOf<GatewayAddress>();
    expectTypeOf<ParsedTopic['kind']>().toEqualTypeOf<TopicKind>();
    expectTypeOf<ParsedTopic['enterprise']>().toEqualTypeOf<string>();
    expectTypeOf<ParsedTopic['gateway']>().toEqualTypeOf<string>();
  });
});
