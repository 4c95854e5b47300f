/**
 * A session kept on this device (the phone's 在此设备上保持登录, docs/mobile.md §7). The refresh
 * token itself is an HttpOnly cookie the API sets (POST /auth/device/*): script never sees it.
 * What script keeps is only the fact that this device holds one, in localStorage (`hw.kept`, no
 * secret in it), so a new tab — a notification link opened in WeCom's webview or the phone's
 * browser — knows to ask /auth/device/refresh for its own access token instead of showing the
 * sign-in. Access tokens stay per tab (sessionStorage, session.ts).
 *
 * Every tab of the device rotates the same cookie. Rotation has reuse detection: two tabs
 * presenting the same cookie at once would revoke the family and sign the device out. So a device
 * refresh runs under one Web Lock (`navigator.locks`) for the whole origin: the second tab waits
 * and then presents the cookie the first one's answer set.
 */

export const KEPT_KEY = 'hw.kept';
/**
 * How long a kept session lasts unused, in days, as the sign-in card says it: the API's refresh
 * token lifetime (`auth.refreshTokenTtlSec`, default 604,800 s; the command line does not change
 * it). Each refresh starts it again, so a phone used once a week stays signed in.
 */
export const KEPT_DAYS = 7;
/** The Web Lock every tab's device refresh holds. */
export const REFRESH_LOCK = 'hw.device-refresh';

/** What this module needs of `navigator.locks` (Web Locks API). */
export interface RefreshLocks {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** This browser's Web Locks, or undefined (an old webview, or a page not served over HTTPS). */
export function browserLocks(
  nav: { locks?: unknown } | undefined = globalThis.navigator,
): RefreshLocks | undefined {
  const locks = nav?.locks as { request?: unknown } | undefined;
  if (typeof locks?.request !== 'function') return undefined;
  return {
    request: <T>(name: string, callback: () => Promise<T>) =>
      (locks as { request(n: string, cb: () => Promise<T>): Promise<T> }).request(name, callback),
  };
}

/**
 * Runs `fn` while holding the device's refresh lock; without Web Locks it runs at once (two tabs
 * refreshing in the same instant may then end the kept session: docs/mobile.md §7).
 */
export function withRefreshLock<T>(locks: RefreshLocks | undefined, fn: () => Promise<T>): Promise<T> {
  return locks === undefined ? fn() : locks.request(REFRESH_LOCK, fn);
}

export interface KeptMark {
  /** Whether this device holds a kept session (its cookie). */
  isKept(): boolean;
  keep(): void;
  forget(): void;
  /** Calls `ended` when another tab of this device forgets the kept session (signed out there). */
  onForgotten(ended: () => void): () => void;
}

type StorageEvents = Pick<Window, 'addEventListener' | 'removeEventListener'>;

export function createKeptMark(
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> = localStorage,
  events: StorageEvents | undefined = globalThis.window,
): KeptMark {
  const read = (): boolean => {
    try {
      return storage.getItem(KEPT_KEY) === '1';
    } catch {
      return false;
    }
  };
  return {
    isKept: read,
    keep: () => storage.setItem(KEPT_KEY, '1'),
    forget: () => storage.removeItem(KEPT_KEY),
    onForgotten(ended) {
      // A storage event reaches the other tabs of the origin, never the one that wrote.
      const listener = (e: StorageEvent): void => {
        if ((e.key === KEPT_KEY || e.key === null) && e.newValue !== '1') ended();
      };
      events?.addEventListener('storage', listener);
      return () => events?.removeEventListener('storage', listener);
    },
  };
}
