/**
 * The logged-in session: tokens in sessionStorage (a control-room PC shared between shifts keeps
 * no session once the browser closes), the user, and the live scopes the user's role gives
 * (regulator → region subtree, operator → own enterprise, admin → every root region and the
 * platform's own alarms). A session
 * kept on a phone (kept-session.ts) keeps only its access token here too, per tab.
 */
import { ref, type Ref } from 'vue';
import type { LiveScope } from '@hazardwatch/contracts';
import type { SessionTokens, TokenStore } from '../api/http.js';
import type { Me, RegionNode, User } from '@hazardwatch/contracts';

const KEY = 'hw.session';

export interface Session extends TokenStore {
  readonly user: Ref<User | null>;
  /**
   * GET /auth/me, read once after login (or when a kept session resumes): the caller's authority
   * role and its verdict on every action, which decides the buttons offered (logic/permissions.ts).
   * Null until read; cleared at logout.
   */
  readonly me: Ref<Me | null>;
}

export function createSession(
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> = sessionStorage,
): Session {
  let pair: SessionTokens | null = null;
  try {
    const raw = storage.getItem(KEY);
    pair = raw ? (JSON.parse(raw) as SessionTokens) : null;
  } catch {
    pair = null;
  }
  const user = ref<User | null>(pair?.user ?? null);
  const me = ref<Me | null>(null);
  return {
    user,
    me,
    current: () => pair,
    replace(next) {
      pair = next;
      user.value = next?.user ?? null;
      if (!next) me.value = null;
      if (next) storage.setItem(KEY, JSON.stringify(next));
      else storage.removeItem(KEY);
    },
  };
}

/**
 * The rooms a user's role lets them watch. An administrator also watches `platform`: the
 * platform's own alarms (a TimescaleDB job failing or overdue, issue #20) belong to no region, and
 * only administrators may see them (the server refuses the room to anyone else).
 */
export function liveScopesFor(user: User, roots: readonly RegionNode[]): LiveScope[] {
  if ((user.role === 'operator' || user.role === 'safety_manager') && user.enterpriseCode)
    return [{ type: 'enterprise', code: user.enterpriseCode }];
  if (user.regionCode) return [{ type: 'region', code: user.regionCode }];
  const regions: LiveScope[] = roots.map((r) => ({ type: 'region', code: r.code }));
  return user.role === 'admin' ? [...regions, { type: 'platform' }] : regions;
}
