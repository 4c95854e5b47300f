import { Type, type Static } from '@sinclair/typebox';
import { closed, Nullable } from './shapes.js';
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

/** GET /auth/me: the caller as the access token describes them. */
export const PrincipalSchema = Type.Object({
  userId: Type.String(),
  username: Type.String(),
  role: RoleSchema,
  regionCode: Nullable(Type.String()),
  enterpriseCode: Nullable(Type.String()),
});
export type Principal = Static<typeof PrincipalSchema>;

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
