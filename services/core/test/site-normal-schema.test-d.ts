import { describe, expectTypeOf, it } from 'vitest';
import type * as wire from '@hazardwatch/contracts';
import type * as core from '@hazardwatch/core';

// The normal form is declared once in @hazardwatch/contracts (issue #18): these lock that the REST
// resources are that form plus the API's counts, and that core's vocabularies are the wire's.
describe('site normal form and its REST resources', () => {
  it('serves each entity as its normal form plus counts and status', () => {
    expectTypeOf<core.NormalisedRegion>().toEqualTypeOf<core.DeepReadonly<wire.Region>>();
    expectTypeOf<core.NormalisedEnterprise>().toEqualTypeOf<
      core.DeepReadonly<Omit<wire.Enterprise, 'hazards' | 'gateways' | 'points'>>
    >();
    expectTypeOf<core.NormalisedHazard>().toEqualTypeOf<
      core.DeepReadonly<Omit<wire.Hazard, 'computedLevel' | 'levelMismatch' | 'points'>>
    >();
    expectTypeOf<core.NormalisedGateway>().toEqualTypeOf<
      core.DeepReadonly<Omit<wire.Gateway, 'points' | 'status'>>
    >();
    expectTypeOf<core.NormalisedPoint>().toEqualTypeOf<
      core.DeepReadonly<Omit<wire.Point, 'id' | 'inService' | 'outOfServiceChange'>>
    >();
  });

  it('uses the wire vocabularies', () => {
    expectTypeOf<core.RegionKind>().toEqualTypeOf<wire.RegionKind>();
    expectTypeOf<core.HazardType>().toEqualTypeOf<wire.HazardType>();
    expectTypeOf<core.LimitName>().toEqualTypeOf<wire.LimitName>();
    expectTypeOf<core.PointKind>().toEqualTypeOf<wire.PointKind>();
    expectTypeOf<core.WarningState>().toEqualTypeOf<wire.WarningState>();
    expectTypeOf<wire.RegionKind>().toEqualTypeOf<'province' | 'city' | 'county' | 'town' | 'park'>();
    expectTypeOf<wire.HazardType>().toEqualTypeOf<'tank_farm' | 'warehouse' | 'production_unit'>();
    expectTypeOf<wire.LimitName>().toEqualTypeOf<'ll' | 'l' | 'h' | 'hh'>();
    expectTypeOf<core.NormalisedPoint['kind']>().toEqualTypeOf<wire.PointKind>();
  });
});
