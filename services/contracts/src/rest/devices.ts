import { Type, type Static } from '@sinclair/typebox';
import { Ms, Nullable } from './shapes.js';

/** GET/DELETE /enterprises/:e/gateways/:g/credentials: a gateway's MQTT credential, never its secret. */
export const DeviceCredentialSchema = Type.Object({
  username: Type.String(),
  enterprise: Type.String(),
  gateway: Type.String(),
  createdAt: Ms(),
  createdBy: Type.String(),
  rotatedAt: Nullable(Ms()),
  revokedAt: Nullable(Ms()),
  revokedBy: Nullable(Type.String()),
  state: Type.Union([Type.Literal('active'), Type.Literal('revoked')]),
});
export type DeviceCredential = Static<typeof DeviceCredentialSchema>;

/** POST …/credentials (201): the credential with its secret, in this answer only. */
export const IssuedDeviceCredentialSchema = Type.Object({
  ...DeviceCredentialSchema.properties,
  secret: Type.String(),
});
export type IssuedDeviceCredential = Static<typeof IssuedDeviceCredentialSchema>;

/**
 * POST /mqtt/auth, /mqtt/acl: one body both broker families read (status 200 always): EMQX 5
 * looks at `result` and `is_superuser`, mosquitto-go-auth (response_mode json) at `ok` and `error`.
 */
export const BrokerHookVerdictSchema = Type.Object({
  result: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
  is_superuser: Type.Boolean(),
  ok: Type.Boolean(),
  error: Type.String(),
});
export type BrokerHookVerdict = Static<typeof BrokerHookVerdictSchema>;
