import type { Logger } from 'pino';
import { createUser, PASSWORD_MIN_LENGTH, USERNAME_PATTERN, type CreateUserInput } from '@hazardwatch/api';
import { HazardWatchError } from '@hazardwatch/kit';
import { USER_ROLES, type UserRole } from '@hazardwatch/store';
import { parseCommandArgs } from './command-args.js';
import { loadRuntimeConfig } from './config.js';
import { InputError, UsageError } from './errors.js';
import { resolveInfrastructure } from './infrastructure.js';
import { promptSecret, readPipedSecret, type SecretSource } from './secret-input.js';
import { openStore } from './store-setup.js';

export interface UserCommandContext {
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly stdout: NodeJS.WritableStream;
  /** Prompts and problems. @default stdout */
  readonly stderr?: NodeJS.WritableStream;
  /** Where the password comes from: piped, or typed at a prompt when a terminal. */
  readonly stdin?: SecretSource;
}

/** Longest password the user rules accept (createUser). */
const PASSWORD_MAX_LENGTH = 1024;
/** A shell's status for a command the user interrupted (Ctrl-C at the prompt). */
const CANCELLED = 130;

/** What `--scope` names for each role: the user's region subtree, or enterprise. */
const SCOPE_OF: Record<UserRole, 'region' | 'enterprise' | undefined> = {
  admin: undefined,
  regulator: 'region',
  viewer: 'region',
  operator: 'enterprise',
  safety_manager: 'enterprise',
};

/**
 * `hazardwatch user create --role ROLE --username NAME [--scope CODE | --enterprise CODE |
 * --region CODE]`: a user straight in the database — the first admin of an installation, before
 * anyone can log in to create users through the API; or an enterprise's safety manager
 * (`--role safety_manager --enterprise CODE`). The same rules and scrypt hashing as `POST /api/v1/users` (createUser); the password
 * comes from stdin when piped, else from a prompt that does not echo it, and is never printed or
 * logged. Prints the user created (no secret) as one JSON line. Exit codes: 0 created, 2 a usage
 * problem or a password the rules refuse, 1 the name is taken, 130 cancelled at the prompt.
 */
export async function userCommand(
  sub: string | undefined,
  args: readonly string[],
  ctx: UserCommandContext,
): Promise<number> {
  if (sub !== 'create') throw new UsageError(`user takes the subcommand create, not '${sub ?? ''}'`);
  const input = parseUserCreate(args);
  const err = ctx.stderr ?? ctx.stdout;
  if (!ctx.stdin) throw new UsageError('user create reads the password from standard input; none was given');
  const password = await readPassword(ctx.stdin, err);
  if (password === undefined) {
    err.write('hazardwatch: cancelled\n');
    return CANCELLED;
  }
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH)
    throw new InputError(
      `password refused: it must have ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
    );

  const config = loadRuntimeConfig(ctx.env);
  const infra = await resolveInfrastructure(config, ctx.logger, { needsBroker: false });
  try {
    const store = await openStore(infra.databaseUrl, config, ctx.logger);
    try {
      const user = await createUser(store.client, { ...input, password });
      ctx.logger.info({ username: user.username, role: user.role }, 'user created');
      ctx.stdout.write(`${JSON.stringify(user)}\n`);
      return 0;
    } catch (error) {
      if (!(error instanceof HazardWatchError)) throw error;
      if (error.code === 'HW_API_USER_EXISTS') {
        err.write(`hazardwatch: user '${input.username}' already exists: nothing changed\n`);
        return 1;
      }
      if (error.code === 'HW_API_USER_INVALID') throw new InputError(error.message);
      throw error;
    } finally {
      await store.close();
    }
  } finally {
    await infra.stop();
  }
}

/** The options, checked before a password is asked for or the database opened. */
function parseUserCreate(args: readonly string[]): Omit<CreateUserInput, 'password'> {
  const { values } = parseCommandArgs({
    args: [...args],
    options: {
      role: { type: 'string' },
      username: { type: 'string' },
      scope: { type: 'string' },
      enterprise: { type: 'string' },
      region: { type: 'string' },
      'log-level': { type: 'string' },
    },
    strict: true,
  });
  const { role, username } = values;
  // `--enterprise CODE` / `--region CODE` say which scope they give; `--scope` takes the role's.
  const given = (['scope', 'enterprise', 'region'] as const).filter((o) => values[o] !== undefined);
  if (given.length > 1) throw new UsageError(`give one of --${given.join(', --')}, not ${given.length}`);
  if (role === undefined || !(USER_ROLES as readonly string[]).includes(role))
    throw new UsageError(`--role must be one of ${USER_ROLES.join(', ')}${role ? `, not '${role}'` : ''}`);
  if (username === undefined || !new RegExp(USERNAME_PATTERN).test(username))
    throw new UsageError(`--username must match ${USERNAME_PATTERN}`);
  const kind = SCOPE_OF[role as UserRole];
  const option = given[0];
  const scope = option === undefined ? undefined : values[option];
  if (option !== undefined && (kind === undefined || (option !== 'scope' && option !== kind)))
    throw new UsageError(`--${option} is not taken by ${role}`);
  if (kind !== undefined && (scope === undefined || scope.trim() === ''))
    throw new UsageError(`${role} needs --${kind} (or --scope): the ${kind} code`);
  return {
    username,
    role: role as UserRole,
    ...(kind === 'region' ? { regionCode: scope } : {}),
    ...(kind === 'enterprise' ? { enterpriseCode: scope } : {}),
  };
}

/** Piped: the first line. A terminal: typed twice without echo, both alike. */
async function readPassword(
  stdin: SecretSource,
  prompts: NodeJS.WritableStream,
): Promise<string | undefined> {
  if (!stdin.isTTY) return await readPipedSecret(stdin);
  const first = await promptSecret(stdin, prompts, 'Password: ');
  if (first === undefined) return undefined;
  const again = await promptSecret(stdin, prompts, 'Repeat password: ');
  if (again === undefined) return undefined;
  if (again !== first) throw new InputError('the passwords typed differ: nothing changed');
  return first;
}
