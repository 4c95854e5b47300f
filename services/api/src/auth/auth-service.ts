import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { USER_ROLES } from '@hazardwatch/contracts';
import type { StoredUser, UserRepository, UserRole } from '@hazardwatch/store';
import type { ApiSettings } from '../config.js';
import { apiErrors } from '../errors.js';
import type { Principal } from '../access/access.js';
import { signJwt, verifyJwt } from './jwt.js';
import { DEFAULT_SCRYPT_COST, hashPassword, verifyPassword } from './password.js';
import { UserSessions, type SessionEnd } from './user-sessions.js';

export interface PublicUser {
  readonly id: string;
  readonly username: string;
  readonly role: UserRole;
  readonly regionCode: string | null;
  readonly enterpriseCode: string | null;
  readonly disabled: boolean;
}

export interface TokenPair {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  /** Seconds. */
  readonly expiresIn: number;
  readonly refreshToken: string;
  /** Seconds. */
  readonly refreshExpiresIn: number;
  readonly user: PublicUser;
}

export const publicUser = (u: StoredUser): PublicUser => ({
  id: u.id,
  username: u.username,
  role: u.role,
  regionCode: u.regionCode,
  enterpriseCode: u.enterpriseCode,
  disabled: u.disabled,
});

/** Refresh tokens are 256 random bits; only their SHA-256 reaches the database. */
const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
const newRefreshToken = (): string => randomBytes(32).toString('base64url');

/** Why a session ended, as the 401 answer says it. */
const ENDED: Readonly<Record<SessionEnd, string>> = {
  user_disabled: 'the user was disabled',
  user_deleted: 'the user was deleted',
  grant_changed: "the user's role or scope changed",
};

/** An access token checked: the principal, or why it is refused (the error code to answer with). */
export type Authentication =
  | {
      readonly ok: true;
      readonly principal: Principal;
      /** When the token expires, ms since epoch (a live session must not outlive it). */
      readonly expiresAtMs: number;
      /** The user's session version the token was issued at. */
      readonly sessionVersion: number;
    }
  | {
      readonly ok: false;
      readonly code: 'HW_API_UNAUTHENTICATED' | 'HW_API_SESSION_ENDED';
      readonly reason: string;
      /** Set for HW_API_SESSION_ENDED. */
      readonly ended?: SessionEnd;
    };

export const sessionEndedReason = (end: SessionEnd): string => ENDED[end];

/**
 * Login, access tokens (HS256 JWT) and rotating refresh tokens. Every access token carries its
 * user's session version (`ver`); each use checks it, and the user's disabled flag, through
 * `sessions` (a cache of at most SESSION_CHECK_TTL_MS), so disabling, deleting or re-granting a
 * user ends their access within seconds, not at the token's expiry (issue 17 item 2).
 */
export class AuthService {
  /** Verified against when the username is unknown, so timing does not reveal which usernames exist. */
  #dummyHash: Promise<string> | undefined;
  readonly sessions: UserSessions;

  constructor(
    private readonly users: UserRepository,
    private readonly settings: ApiSettings['auth'],
    private readonly now: () => number,
    sessions?: UserSessions,
  ) {
    this.sessions = sessions ?? new UserSessions(users, now);
  }

  /** The user, or HW_API_LOGIN_FAILED (same answer for unknown user, wrong password, disabled). */
  async login(username: string, password: string): Promise<{ user: StoredUser; tokens: TokenPair }> {
    const user = await this.users.byUsername(username);
    this.#dummyHash ??= hashPassword('not a password', DEFAULT_SCRYPT_COST);
    const valid = await verifyPassword(password, user?.passwordHash ?? (await this.#dummyHash));
    if (!user || !valid || user.disabled) throw apiErrors.create('HW_API_LOGIN_FAILED', { username });
    return { user, tokens: await this.issue(user, randomUUID()) };
  }

  async refresh(refreshToken: string): Promise<{ user: StoredUser; tokens: TokenPair }> {
    const now = this.now();
    const next = newRefreshToken();
    const rotation = await this.users.rotateRefreshToken(hashToken(refreshToken), {
      tokenHash: hashToken(next),
      nowMs: now,
      expiresAtMs: now + this.settings.refreshTokenTtlMs,
    });
    if (rotation.kind !== 'rotated') {
      throw apiErrors.create('HW_API_REFRESH_INVALID', {
        outcome: rotation.kind,
        ...(rotation.kind === 'unknown' ? {} : { userId: rotation.userId }),
      });
    }
    const user = await this.users.byId(rotation.userId);
    if (!user || user.disabled) throw apiErrors.create('HW_API_REFRESH_INVALID', { outcome: 'disabled' });
    return { user, tokens: this.pair(user, next) };
  }

  /** Revokes the refresh token's family; the user id, or undefined for an unknown token. */
  logout(refreshToken: string): Promise<string | undefined> {
    return this.users.revokeRefreshFamily(hashToken(refreshToken), this.now());
  }

  /** The token's principal and expiry, once its signature, expiry, claims and session are checked. */
  async authenticate(token: string): Promise<Authentication> {
    const verdict = verifyJwt(token, this.settings.jwtSecret, this.now(), { iss: this.settings.issuer });
    if (!verdict.ok)
      return { ok: false, code: 'HW_API_UNAUTHENTICATED', reason: `access token ${verdict.reason}` };
    const c = verdict.claims;
    const role = c['role'];
    const version = c['ver'];
    if (
      typeof c['sub'] !== 'string' ||
      typeof c['name'] !== 'string' ||
      !USER_ROLES.includes(role as UserRole) ||
      typeof version !== 'number'
    ) {
      return { ok: false, code: 'HW_API_UNAUTHENTICATED', reason: 'access token claims' };
    }
    const ended = await this.sessions.check(c['sub'], version);
    if (ended !== undefined) return { ok: false, code: 'HW_API_SESSION_ENDED', reason: ENDED[ended], ended };
    const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
    return {
      ok: true,
      expiresAtMs: c.exp * 1000,
      sessionVersion: version,
      principal: {
        userId: c['sub'],
        username: c['name'],
        role: role as UserRole,
        regionCode: text(c['rgn']),
        enterpriseCode: text(c['ent']),
      },
    };
  }

  private async issue(user: StoredUser, family: string): Promise<TokenPair> {
    const now = this.now();
    const refreshToken = newRefreshToken();
    await this.users.insertRefreshToken({
      tokenHash: hashToken(refreshToken),
      userId: user.id,
      family,
      nowMs: now,
      expiresAtMs: now + this.settings.refreshTokenTtlMs,
    });
    return this.pair(user, refreshToken);
  }

  private pair(user: StoredUser, refreshToken: string): TokenPair {
    const claims = {
      sub: user.id,
      name: user.username,
      role: user.role,
      rgn: user.regionCode,
      ent: user.enterpriseCode,
      ver: user.sessionVersion,
      iss: this.settings.issuer,
      typ: 'access',
    };
    return {
      accessToken: signJwt(claims, this.settings.jwtSecret, this.now(), this.settings.accessTokenTtlMs),
      tokenType: 'Bearer',
      expiresIn: Math.round(this.settings.accessTokenTtlMs / 1000),
      refreshToken,
      refreshExpiresIn: Math.round(this.settings.refreshTokenTtlMs / 1000),
      user: publicUser(user),
    };
  }
}
