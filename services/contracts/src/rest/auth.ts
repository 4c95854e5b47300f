import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from './shapes.js';
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
export interface LoginBody {
  readonly username: string;
  readonly password: string;
}

/** POST /auth/refresh and /auth/logout */
export interface RefreshBody {
  readonly refreshToken: string;
}
