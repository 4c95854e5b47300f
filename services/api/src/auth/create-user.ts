import { USER_ROLES } from '@hazardwatch/contracts';
import { sqlState, UserRepository, type SqlClient, type UserRole } from '@hazardwatch/store';
import { apiErrors } from '../errors.js';
import { publicUser, type PublicUser } from './auth-service.js';
import { hashPassword, type ScryptCost } from './password.js';

export interface CreateUserInput {
  readonly username: string;
  readonly password: string;
  readonly role: UserRole;
  /** Required for regulator and viewer (root of their region subtree). */
  readonly regionCode?: string | null;
  /** Required for operator. */
  readonly enterpriseCode?: string | null;
}

export const USERNAME_PATTERN = '^[A-Za-z0-9._@-]{2,64}$';
export const PASSWORD_MIN_LENGTH = 10;

/**
 * What is wrong with a role and scope (the users table's CHECK, said in words), or undefined:
 * regulators and viewers need a region and no enterprise, operators and safety managers an
 * enterprise and no region, admins neither.
 */
export function grantProblem(
  role: UserRole,
  regionCode: string | null,
  enterpriseCode: string | null,
): string | undefined {
  if (!USER_ROLES.includes(role)) return `unknown role ${String(role)}`;
  const needsRegion = role === 'regulator' || role === 'viewer';
  if (needsRegion !== (regionCode !== null))
    return needsRegion ? `${role} needs a region code` : `${role} takes no region code`;
  const needsEnterprise = role === 'operator' || role === 'safety_manager';
  if (needsEnterprise !== (enterpriseCode !== null))
    return needsEnterprise ? `${role} needs an enterprise code` : `${role} takes no enterprise code`;
  return undefined;
}

/**
 * Creates a user (the CLI uses it for the first admin; `POST /api/v1/users` for the rest).
 * Throws HW_API_USER_INVALID for a bad name, password or role/scope combination, and
 * HW_API_USER_EXISTS for a taken name. The region/enterprise code is not checked against the site
 * model: the first admin may exist before any site does.
 */
export async function createUser(
  client: SqlClient,
  input: CreateUserInput,
  options: { cost?: ScryptCost } = {},
): Promise<PublicUser> {
  const { username, password, role } = input;
  const invalid = (problem: string) => apiErrors.create('HW_API_USER_INVALID', { username, problem });
  if (!new RegExp(USERNAME_PATTERN).test(username)) throw invalid(`name must match ${USERNAME_PATTERN}`);
  if (password.length < PASSWORD_MIN_LENGTH || password.length > 1024) {
    throw invalid(`password must have ${PASSWORD_MIN_LENGTH} to 1024 characters`);
  }
  const regionCode = input.regionCode ?? null;
  const enterpriseCode = input.enterpriseCode ?? null;
  const problem = grantProblem(role, regionCode, enterpriseCode);
  if (problem !== undefined) throw invalid(problem);
  const passwordHash = await hashPassword(password, options.cost);
  try {
    return publicUser(
      await new UserRepository(client).create({ username, passwordHash, role, regionCode, enterpriseCode }),
    );
  } catch (error) {
    if (sqlState(error) === '23505') throw apiErrors.create('HW_API_USER_EXISTS', { username });
    throw error;
  }
}
