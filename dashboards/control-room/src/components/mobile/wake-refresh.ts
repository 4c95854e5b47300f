/**
 * A phone sleeps: its timers stop, its socket may die without a close, and when the screen comes on
 * again the page shows what it knew before. The live push reloads the 预警 whenever one changes
 * (live.warnings, see live-store.ts) and socket.io reconnects by itself; this adds what a woken
 * phone needs beside it — a reload as soon as the page is visible again, back online or restored
 * from the browser's page cache, and a slow poll while visible in case the push went quiet.
 */
import { onBeforeUnmount, onMounted } from 'vue';

/** The poll's period while the page is visible. @default 60 s */
export const WAKE_POLL_MS = 60_000;

export interface WakeRefreshOptions {
  /** @default WAKE_POLL_MS */
  readonly pollMs?: number;
  /** @default the page's document */
  readonly doc?: Pick<Document, 'visibilityState' | 'addEventListener' | 'removeEventListener'>;
  /** @default the page's window */
  readonly win?: Pick<Window, 'addEventListener' | 'removeEventListener'>;
}

/** Calls `reload` on waking and every `pollMs` while visible, for the component's lifetime. */
export function useWakeRefresh(reload: () => void, options: WakeRefreshOptions = {}): void {
  const pollMs = options.pollMs ?? WAKE_POLL_MS;
  let timer: ReturnType<typeof setInterval> | undefined;
  const doc = (): NonNullable<WakeRefreshOptions['doc']> => options.doc ?? document;
  const win = (): NonNullable<WakeRefreshOptions['win']> => options.win ?? window;
  const visible = (): boolean => doc().visibilityState === 'visible';
  const onVisibility = (): void => {
    if (visible()) reload();
  };
  const onWake = (): void => reload();
  onMounted(() => {
    doc().addEventListener('visibilitychange', onVisibility);
    win().addEventListener('online', onWake);
    win().addEventListener('pageshow', onWake);
    timer = setInterval(onVisibility, pollMs);
  });
  onBeforeUnmount(() => {
    doc().removeEventListener('visibilitychange', onVisibility);
    win().removeEventListener('online', onWake);
    win().removeEventListener('pageshow', onWake);
    clearInterval(timer);
  });
}
