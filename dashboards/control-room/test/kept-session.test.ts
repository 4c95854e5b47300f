import { describe, expect, it } from 'vitest';
import type { DeviceTokenPair, User } from '@hazardwatch/contracts';
import { HttpClient } from '../src/api/http.js';
import {
  browserLocks,
  createKeptMark,
  KEPT_KEY,
  REFRESH_LOCK,
  withRefreshLock,
  type RefreshLocks,
} from '../src/state/kept-session.js';
import { createSession } from '../src/state/session.js';

/**
 * A session kept on a phone (docs/mobile.md §7): the mark in localStorage, the device refresh of
 * every tab under one lock, sign-out heard by the other tabs. The API's side is played by a fake
 * device server with the real rule that matters here: the cookie rotates, and a spent cookie
 * presented again revokes the family (services/store rotateRefreshToken).
 */
const USER: User = {
  id: 'u1',
  username: 'chlor',
  role: 'operator',
  regionCode: null,
  enterpriseCode: '91320623MA1W000001',
  disabled: false,
};

function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, v),
  };
}

/** One browser's cookie jar and the API's device routes, answering after `delayMs`. */
function deviceServer(delayMs = 5) {
  let n = 0;
  let revoked = false;
  const spent = new Set<string>();
  const log: string[] = [];
  const jar: { cookie: string | undefined } = { cookie: undefined };
  const pair = (): DeviceTokenPair => ({
    accessToken: `access-${++n}`,
    tokenType: 'Bearer',
    expiresIn: 900,
    refreshExpiresIn: 604_800,
    user: USER,
  });
  const json = (status: number, body: unknown): Response =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const fetchFn: typeof fetch = async (input) => {
    // The client passes a string URL.
    const url = input as string;
    // The cookie goes with the request as it is when the request is sent.
    const presented = jar.cookie;
    log.push(url.replace('/api/v1', ''));
    await new Promise((r) => setTimeout(r, delayMs));
    if (url.endsWith('/auth/device/login')) {
      jar.cookie = `c${n}`;
      return json(200, pair());
    }
    if (url.endsWith('/auth/device/refresh')) {
      if (presented === undefined || revoked || spent.has(presented)) {
        revoked = true;
        jar.cookie = undefined;
        return json(401, { code: 'HW_API_REFRESH_INVALID', message: 'refresh token is invalid' });
      }
      spent.add(presented);
      jar.cookie = `c${n}`;
      return json(200, pair());
    }
    if (url.endsWith('/auth/device/logout')) {
      revoked = true;
      jar.cookie = undefined;
      return new Response(null, { status: 204 });
    }
    if (url.endsWith('/auth/login')) return json(200, { ...pair(), refreshToken: 'own' });
    return json(404, { code: 'HW_API_NOT_FOUND', message: url });
  };
  return {
    fetchFn,
    log,
    jar,
    get revoked() {
      return revoked;
    },
  };
}

/** Web Locks as the browser grants them: one holder of a name at a time, in request order. */
function fakeLocks(): RefreshLocks & { names: string[] } {
  const tails = new Map<string, Promise<unknown>>();
  const names: string[] = [];
  return {
    names,
    request<T>(name: string, callback: () => Promise<T>): Promise<T> {
      names.push(name);
      const before = tails.get(name) ?? Promise.resolve();
      const run = before.then(callback, callback);
      tails.set(
        name,
        run.catch(() => undefined),
      );
      return run;
    },
  };
}

/** The tabs of one phone: shared localStorage (the mark) and storage events, own sessionStorage. */
function phone(server: ReturnType<typeof deviceServer>, locks: RefreshLocks | undefined) {
  const local = memoryStorage();
  const tabs: { http: HttpClient; session: ReturnType<typeof createSession>; events: EventTarget }[] = [];
  const tab = () => {
    const events = new EventTarget();
    const mark = createKeptMark(local, events);
    const session = createSession(memoryStorage());
    const http = new HttpClient(session, server.fetchFn, { kept: mark, locks });
    const t = { http, session, events, mark };
    tabs.push(t);
    return t;
  };
  /** What the browser does after a tab wrote the mark: the other tabs get a storage event. */
  const broadcast = (from: object, newValue: string | null) => {
    for (const t of tabs)
      if (t !== from) t.events.dispatchEvent(new StorageEvent('storage', { key: KEPT_KEY, newValue }));
  };
  return { local, tab, broadcast };
}

describe('a session kept on the device (phone)', () => {
  it('two tabs refreshing at the same moment both keep working under the device lock', async () => {
    const server = deviceServer();
    const locks = fakeLocks();
    const device = phone(server, locks);
    const a = device.tab();
    await a.http.login('chlor', 'pw', true);
    const b = device.tab();
    expect(b.http.canResume()).toBe(true);
    await expect(b.http.refresh()).resolves.toBe(true);

    const [ra, rb] = await Promise.all([a.http.refresh(), b.http.refresh()]);
    expect([ra, rb]).toEqual([true, true]);
    expect(server.revoked).toBe(false);
    expect(a.session.current()?.accessToken).not.toBe(b.session.current()?.accessToken);
    expect(locks.names.every((n) => n === REFRESH_LOCK)).toBe(true);
    // And once more: the family is alive.
    await expect(a.http.refresh()).resolves.toBe(true);
  });

  it('without the lock the same moment revokes the family (why the lock is there)', async () => {
    const server = deviceServer();
    const device = phone(server, undefined);
    const a = device.tab();
    await a.http.login('chlor', 'pw', true);
    const b = device.tab();
    await b.http.refresh();
    const results = await Promise.all([a.http.refresh(), b.http.refresh()]);
    expect(results).toContain(false);
    expect(server.revoked).toBe(true);
  });

  it('a new tab resumes from the kept session; without the tick nothing is kept (today’s behaviour)', async () => {
    const server = deviceServer();
    const device = phone(server, fakeLocks());
    const first = device.tab();
    await first.http.login('chlor', 'pw', false);
    expect(server.log).toEqual(['/auth/login']);
    expect(device.local.getItem(KEPT_KEY)).toBeNull();
    const other = device.tab();
    expect(other.http.canResume()).toBe(false);
    await expect(other.http.refresh()).resolves.toBe(false);
    expect(server.log).toEqual(['/auth/login']);

    await first.http.login('chlor', 'pw', true);
    expect(device.local.getItem(KEPT_KEY)).toBe('1');
    const fresh = device.tab();
    expect(fresh.session.current()).toBeNull();
    await expect(fresh.http.refresh()).resolves.toBe(true);
    expect(fresh.session.user.value?.username).toBe('chlor');
    expect(server.log.slice(-2)).toEqual(['/auth/device/login', '/auth/device/refresh']);
  });

  it('sign-out ends the kept session on the device and the server; the other tabs hear it', async () => {
    const server = deviceServer();
    const device = phone(server, fakeLocks());
    const a = device.tab();
    await a.http.login('chlor', 'pw', true);
    const b = device.tab();
    await b.http.refresh();
    const heard: string[] = [];
    b.mark.onForgotten(() => heard.push('b'));

    await a.http.logout();
    device.broadcast(a, null);
    expect(server.log.at(-1)).toBe('/auth/device/logout');
    expect(server.revoked).toBe(true);
    expect(device.local.getItem(KEPT_KEY)).toBeNull();
    expect(heard).toEqual(['b']);
    // A tab opened now asks to sign in, and one that waited sends nothing.
    expect(device.tab().http.canResume()).toBe(false);
    const before = server.log.length;
    await expect(b.http.refresh()).resolves.toBe(false);
    expect(server.log.length).toBe(before);
    expect(b.session.current()).toBeNull();
  });

  it('a refused device refresh (revoked family, disabled user) forgets the kept session', async () => {
    const server = deviceServer();
    const device = phone(server, fakeLocks());
    const a = device.tab();
    await a.http.login('chlor', 'pw', true);
    // The cookie the server answers for is a spent one (its family revoked by reuse elsewhere).
    const spentCookie = server.jar.cookie;
    await a.http.refresh();
    server.jar.cookie = spentCookie;
    await expect(a.http.refresh()).resolves.toBe(false);
    expect(a.session.current()).toBeNull();
    expect(device.local.getItem(KEPT_KEY)).toBeNull();
  });

  it('uses navigator.locks where there is one, and runs at once where there is none', async () => {
    expect(browserLocks({})).toBeUndefined();
    expect(browserLocks(undefined)).toBeUndefined();
    const granted: string[] = [];
    const locks = browserLocks({
      locks: {
        request: (name: string, cb: () => Promise<number>) => {
          granted.push(name);
          return cb();
        },
      },
    });
    await expect(withRefreshLock(locks, () => Promise.resolve(7))).resolves.toBe(7);
    expect(granted).toEqual([REFRESH_LOCK]);
    await expect(withRefreshLock(undefined, () => Promise.resolve(8))).resolves.toBe(8);
  });
});
