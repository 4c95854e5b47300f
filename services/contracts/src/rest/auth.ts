import { Type, type Static } from '@sinclair/typebox';
import { closed, Nullable, OneOf } from './shapes.js';
import { RoleSchema, UserSchema } from './users.js';

/** POST /auth/login and /auth/refresh */
export const TokenPairSchema = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'seconds' }),
  refreshToken: Type.String(),
  refreshExpiresIn: Type.Integer({ description: 'seconds' }),
  user: UserSchema,
});
export type TokenPair = Static<typeof TokenPairSchema>;

/**
 * POST /auth/device/login and /auth/device/refresh: a session kept on this device (the phone's
 * 在此设备上保持登录, docs/mobile.md §7). The refresh token is not in the answer: it is set as an
 * HttpOnly, SameSite=Strict cookie scoped to /api/v1/auth/device, out of reach of script.
 */
export const DeviceTokenPairSchema = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'seconds' }),
  refreshExpiresIn: Type.Integer({
    description: 'seconds the refresh token in the cookie lives unused; each refresh starts it again',
  }),
  user: UserSchema,
});
export type DeviceTokenPair = Static<typeof DeviceTokenPairSchema>;

/** GET /auth/me: the caller as the access token describes them. */
export const PrincipalSchema = Type.Object({
  userId: Type.String(),
  username: Type.String(),
  role: RoleSchema,
  regionCode: Nullable(Type.String()),
  enterpriseCode: Nullable(Type.String()),
});
export type Principal = Static<typeof PrincipalSchema>;

/**
 * Roles as the authority table sees them (issue #19): a regulator's duties depend on the level of
 * its region (park and county → county). The table itself is the API's (docs/authority.md).
 */
export const AUTHORITY_ROLES = [
  'operator',
  'safety_manager',
  'regulator_county',
  'regulator_city',
  'regulator_province',
  'viewer',
  'admin',
] as const;
export type AuthorityRole = (typeof AUTHORITY_ROLES)[number];
export const AuthorityRoleSchema = OneOf(AUTHORITY_ROLES);

/** allowed; refused; or recorded and waiting for a regulator's approval (monitoring changes). */
export const VERDICTS = ['allow', 'refuse', 'approval'] as const;
export type Verdict = (typeof VERDICTS)[number];
export const VerdictSchema = OneOf(VERDICTS);

/**
 * GET /auth/me: the caller, its role in the authority table, and its verdict on every action
 * (`alarm.ack`, `warning.sign`, …), so a client offers only what the caller may do (a regulator
 * sees no Ack button). The verdicts are the configured table's, the same the API enforces.
 */
export const MeSchema = Type.Object({
  ...PrincipalSchema.properties,
  authorityRole: AuthorityRoleSchema,
  permissions: Type.Record(Type.String(), VerdictSchema),
});
export type Me = Static<typeof MeSchema>;

/** POST /auth/login */
export const LoginBodySchema = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  closed,
);
export type LoginBody = Static<typeof LoginBodySchema>;

/** POST /auth/refresh and /auth/logout */
export const RefreshBodySchema = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 256 }) },
  closed,
);
export type RefreshBody = Static<typeof RefreshBodySchema>;

/** POST /auth/device/refresh and /auth/device/logout: nothing but the device's cookie. */
export const DeviceBodySchema = Type.Object({}, closed);
export type DeviceBody = Static<typeof DeviceBodySchema>;
