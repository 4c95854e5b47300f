import { Type, type Static } from '@sinclair/typebox';
import { Nullable, OneOf, PageSchema } from './shapes.js';

/**
 * Who a user is: admin everything; regulator and viewer a region subtree; operator (the duty
 * room) and safety_manager (企业安全管理人员: owns the monitoring configuration) one enterprise.
 * What each may do is the API's authority table (docs/authority.md).
 */
export const USER_ROLES = ['admin', 'regulator', 'operator', 'safety_manager', 'viewer'] as const;
export type Role = (typeof USER_ROLES)[number];
export const RoleSchema = OneOf(USER_ROLES);

/** A user as the API shows it (never the password hash). */
export const UserSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  role: RoleSchema,
  regionCode: Nullable(Type.String()),
  enterpriseCode: Nullable(Type.String()),
  disabled: Type.Boolean(),
});
export type User = Static<typeof UserSchema>;

export const UserPageSchema = PageSchema(UserSchema);
export type UserPage = Static<typeof UserPageSchema>;
