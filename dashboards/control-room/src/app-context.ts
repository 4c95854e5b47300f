/** What every view needs, provided once by App.vue (Vue provide/inject). */
import { inject, type InjectionKey } from 'vue';
import type { HazardApi } from './api/endpoints.js';
import type { LiveStore } from './state/live-store.js';
import type { Session } from './state/session.js';
import type { SiteStore } from './state/site-store.js';

export interface AppContext {
  readonly api: HazardApi;
  readonly session: Session;
  readonly site: SiteStore;
  readonly live: LiveStore;
  /** Navigates by setting the hash (see logic/router.ts). */
  go(hash: string): void;
}

export const APP: InjectionKey<AppContext> = Symbol('hazardwatch-app');

export function useApp(): AppContext {
  const ctx = inject(APP);
  if (!ctx) throw new Error('HazardWatch app context not provided');
  return ctx;
}
