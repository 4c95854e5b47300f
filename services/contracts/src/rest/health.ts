import { Type, type Static } from '@sinclair/typebox';

/** GET /healthz */
export const LivenessSchema = Type.Object({ status: Type.Literal('ok') });
export type Liveness = Static<typeof LivenessSchema>;

/** GET /readyz (200 ready, 503 not): each probe by name. */
export const ReadinessSchema = Type.Object({
  ready: Type.Boolean(),
  checks: Type.Record(Type.String(), Type.Boolean()),
});
export type Readiness = Static<typeof ReadinessSchema>;
