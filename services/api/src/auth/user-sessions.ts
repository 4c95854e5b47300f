import type { StoredUser, UserRepository } from '@hazardwatch/store';

/** Why a session that was valid at issue no longer is. */
export type SessionEnd = 'user_disabled' | 'user_deleted' | 'grant_changed';

/** What a session check needs of a user; undefined = no such user (deleted). */
export type UserSessionState = Pick<StoredUser, 'disabled' | 'sessionVersion'> | undefined;

/**
 * Longest a user's state is trusted without reading it again, ms: the bound on how long another
 * API process keeps honouring a token after the user was disabled or changed (the process that
 * made the change forgets it at once).
 */
export const SESSION_CHECK_TTL_MS = 1000;

/** The end of a session issued at `version`, given the user's state now; undefined = it stands. */
export function sessionEnd(state: UserSessionState, version: number): SessionEnd | undefined {
  if (state === undefined) return 'user_deleted';
  if (state.disabled) return 'user_disabled';
  return state.sessionVersion === version ? undefined : 'grant_changed';
}

interface Entry {
  readonly state: UserSessionState;
  readonly atMs: number;
}

/**
 * Issue 17 item 2: access tokens are checked per request against their user's session version
 * and disabled flag, read through this short cache (SESSION_CHECK_TTL_MS, clock injected), so a
 * check costs one indexed read per user and second at most. `invalidate` drops a user at once
 * (the process that changed the user); other processes notice within the TTL, and their live
 * gateways through `refresh`, which always reads.
 */
export class UserSessions {
  readonly #entries = new Map<string, Entry>();
  readonly #loading = new Map<string, Promise<UserSessionState>>();
  /** Raised by every invalidation: a read started before one must not be cached after it. */
  #generation = 0;

  constructor(
    private readonly users: Pick<UserRepository, 'byIds'>,
    private readonly now: () => number,
    private readonly ttlMs: number = SESSION_CHECK_TTL_MS,
  ) {}

  /** Whether the session of `userId` issued at `version` stands (undefined) or why it ended. */
  async check(userId: string, version: number): Promise<SessionEnd | undefined> {
    const cached = this.#entries.get(userId);
    if (cached !== undefined && this.now() - cached.atMs < this.ttlMs)
      return sessionEnd(cached.state, version);
    let loading = this.#loading.get(userId);
    if (loading === undefined) {
      loading = this.#read([userId]).then((states) => states.get(userId));
      this.#loading.set(userId, loading);
      void loading.finally(() => this.#loading.delete(userId)).catch(() => undefined);
    }
    return sessionEnd(await loading, version);
  }

  /** Forgets a user's state (after changing the user): the next check reads it again. */
  invalidate(userId: string): void {
    this.#generation += 1;
    this.#entries.delete(userId);
    this.#loading.delete(userId);
  }

  /** Reads these users now (one query), refreshing the cache; a missing key = no such user. */
  refresh(userIds: readonly string[]): Promise<Map<string, UserSessionState>> {
    return this.#read(userIds);
  }

  async #read(userIds: readonly string[]): Promise<Map<string, UserSessionState>> {
    const generation = this.#generation;
    const atMs = this.now();
    const found = await this.users.byIds(userIds);
    const states = new Map<string, UserSessionState>(userIds.map((id) => [id, undefined]));
    for (const u of found) states.set(u.id, { disabled: u.disabled, sessionVersion: u.sessionVersion });
    if (generation === this.#generation) {
      this.#prune(atMs);
      for (const [id, state] of states) this.#entries.set(id, { state, atMs });
    }
    return states;
  }

  /** Entries are per user; stale ones go before the map grows past a few thousand. */
  #prune(nowMs: number): void {
    if (this.#entries.size < 4096) return;
    for (const [id, e] of this.#entries) if (nowMs - e.atMs >= this.ttlMs) this.#entries.delete(id);
  }
}
