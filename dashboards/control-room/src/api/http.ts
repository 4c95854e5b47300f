/**
 * REST client for /api/v1: bearer token, one refresh-token rotation on 401 (shared by concurrent
 * requests), and the API's `{code, message}` errors surfaced as ApiRequestError with the HTTP status.
 * A session kept on the device (`login(…, keep)`) rotates the API's HttpOnly cookie instead of a
 * token of its own, under the device's refresh lock (state/kept-session.ts).
 */
import type {
  ApiError,
  DeviceBody,
  DeviceTokenPair,
  LoginBody,
  RefreshBody,
  TokenPair,
} from '@hazardwatch/contracts';
import { withRefreshLock, type KeptMark, type RefreshLocks } from '../state/kept-session.js';

export const API_BASE = '/api/v1';

export class ApiRequestError extends Error implements ApiError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

/** A tab's tokens: its own refresh token, or (kept on the device) none, the cookie holds it. */
export type SessionTokens = TokenPair | DeviceTokenPair;

/** Whether the tab holds its own refresh token (not a session kept on the device). */
const ownRefresh = (tokens: SessionTokens): tokens is TokenPair => 'refreshToken' in tokens;

/** Whether these tokens are a session kept on the device (its refresh token in the cookie). */
export const isDeviceSession = (tokens: SessionTokens): boolean => !ownRefresh(tokens);

export interface TokenStore {
  current(): SessionTokens | null;
  replace(tokens: SessionTokens | null): void;
}

/** The device's kept session: its mark and the lock its tabs refresh under. */
export interface DeviceOptions {
  readonly kept: KeptMark;
  readonly locks: RefreshLocks | undefined;
}

export type Query = Record<string, string | number | boolean | readonly (string | number)[] | undefined>;

export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) p.append(k, String(x));
    else p.append(k, String(v));
  }
  const s = p.toString();
  return s === '' ? '' : `?${s}`;
}

async function errorOf(res: Response): Promise<ApiRequestError> {
  let code = `HTTP_${res.status}`;
  let message = res.statusText;
  try {
    const body = (await res.json()) as Partial<ApiError>;
    if (typeof body.code === 'string') code = body.code;
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  return new ApiRequestError(res.status, code, message);
}

export class HttpClient {
  #refreshing: Promise<boolean> | null = null;

  constructor(
    private readonly tokens: TokenStore,
    private readonly fetchFn: typeof fetch = (...a) => fetch(...a),
    private readonly device?: DeviceOptions,
  ) {}

  /** Signs in; with `keep` the session is kept on this device (its refresh token a cookie). */
  async login(username: string, password: string, keep = false): Promise<SessionTokens> {
    const device = keep ? this.device : undefined;
    const res = await this.fetchFn(`${API_BASE}/auth/${device ? 'device/login' : 'login'}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password } satisfies LoginBody),
    });
    if (!res.ok) throw await errorOf(res);
    const pair = (await res.json()) as SessionTokens;
    if (device) device.kept.keep();
    this.tokens.replace(pair);
    return pair;
  }

  /** Whether a tab without tokens of its own may take them from the device's kept session. */
  canResume(): boolean {
    return this.tokens.current() === null && this.device?.kept.isKept() === true;
  }

  async logout(): Promise<void> {
    const pair = this.tokens.current();
    this.tokens.replace(null);
    if (this.device && (pair === null ? this.device.kept.isKept() : isDeviceSession(pair))) {
      // Every tab of the device hears it (storage event) and signs out too; the API revokes the
      // cookie's family and clears the cookie.
      this.device.kept.forget();
      await this.fetchFn(`${API_BASE}/auth/device/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({} satisfies DeviceBody),
      }).catch(() => undefined);
      return;
    }
    if (!pair || !ownRefresh(pair)) return;
    await this.fetchFn(`${API_BASE}/auth/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: pair.refreshToken } satisfies RefreshBody),
    }).catch(() => undefined);
  }

  /** Rotates the refresh token once for every caller waiting on it; false = logged out. */
  refresh(): Promise<boolean> {
    this.#refreshing ??= (async () => {
      const pair = this.tokens.current();
      if (pair ? isDeviceSession(pair) : this.canResume()) return this.#refreshDevice();
      if (!pair || !ownRefresh(pair)) return false;
      const res = await this.fetchFn(`${API_BASE}/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: pair.refreshToken } satisfies RefreshBody),
      }).catch(() => undefined);
      if (res === undefined) return false;
      if (!res.ok) {
        // Only a refused token ends the session; a server error leaves it for the next try.
        if (res.status === 401 || res.status === 400) this.tokens.replace(null);
        return false;
      }
      this.tokens.replace((await res.json()) as TokenPair);
      return true;
    })().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  /**
   * The device's cookie rotated for this tab, under the device's refresh lock: a second tab waits
   * and then presents the cookie the first one's answer set, never the spent one (reuse detection
   * would revoke the family). Refused (spent, revoked, expired, the user disabled): the device
   * forgets the kept session.
   */
  #refreshDevice(): Promise<boolean> {
    const device = this.device;
    if (!device) return Promise.resolve(false);
    return withRefreshLock(device.locks, async () => {
      // Signed out in another tab while this one waited for the lock.
      if (!device.kept.isKept()) {
        this.tokens.replace(null);
        return false;
      }
      const res = await this.fetchFn(`${API_BASE}/auth/device/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({} satisfies DeviceBody),
      }).catch(() => undefined);
      if (res === undefined) return false;
      if (!res.ok) {
        if (res.status === 401 || res.status === 400) {
          device.kept.forget();
          this.tokens.replace(null);
        }
        return false;
      }
      this.tokens.replace((await res.json()) as DeviceTokenPair);
      return true;
    });
  }

  async request<T>(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown; raw?: BodyInit; contentType?: string } = {},
  ): Promise<T> {
    const send = (): Promise<Response> => {
      const token = this.tokens.current()?.accessToken;
      const headers: Record<string, string> = {};
      if (token) headers['authorization'] = `Bearer ${token}`;
      let body: BodyInit | undefined;
      if (options.raw !== undefined) {
        body = options.raw;
        if (options.contentType) headers['content-type'] = options.contentType;
      } else if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] = 'application/json';
      }
      return this.fetchFn(`${API_BASE}${path}${queryString(options.query)}`, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
      });
    };
    let res = await send();
    if (res.status === 401 && (await this.refresh())) res = await send();
    if (!res.ok) throw await errorOf(res);
    if (res.status === 204) return undefined as T;
    const type = res.headers.get('content-type') ?? '';
    return (type.includes('json') ? await res.json() : await res.blob()) as T;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, query ? { query } : {});
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, { body });
  }
}
