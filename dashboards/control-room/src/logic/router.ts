/**
 * Hash routes (`#/alarms`): the API serves index.html at `/` only, with no history fallback
 * (services/api/src/http/dashboard.ts), so every view lives behind the hash.
 */
export type Route =
  | { readonly view: 'map'; readonly region: string | null }
  | { readonly view: 'alarms' }
  | { readonly view: 'warnings'; readonly id: string | null }
  | { readonly view: 'changes' }
  | { readonly view: 'handover' }
  | { readonly view: 'admin'; readonly section: string | null }
  | { readonly view: 'journal' }
  | { readonly view: 'plan'; readonly enterprise: string; readonly hazard: string | null }
  | { readonly view: 'point'; readonly id: number }
  | { readonly view: 'quality' }
  | { readonly view: 'kpi' }
  | { readonly view: 'reports' }
  /** `query`: the chosen points and range (components/trends/trends-state.ts). */
  | { readonly view: 'trends'; readonly query: string }
  | { readonly view: 'wall'; readonly region: string | null }
  | { readonly view: 'mobile'; readonly id: string | null };

export type View = Route['view'];

const DEFAULT: Route = { view: 'map', region: null };

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p !== '')
    .map((p) => decodeURIComponent(p));
  const [head, a, b] = parts;
  switch (head) {
    case 'map':
      return { view: 'map', region: a ?? null };
    case 'alarms':
      return { view: 'alarms' };
    case 'warnings':
      return { view: 'warnings', id: a ?? null };
    case 'changes':
      return { view: 'changes' };
    case 'handover':
      return { view: 'handover' };
    case 'admin':
      return { view: 'admin', section: a ?? null };
    case 'journal':
      return { view: 'journal' };
    case 'plan':
      return a ? { view: 'plan', enterprise: a, hazard: b ?? null } : DEFAULT;
    case 'point': {
      const id = Number(a);
      return Number.isInteger(id) && id >= 0 ? { view: 'point', id } : DEFAULT;
    }
    case 'quality':
      return { view: 'quality' };
    case 'kpi':
      return { view: 'kpi' };
    case 'reports':
      return { view: 'reports' };
    case 'trends':
      return { view: 'trends', query: a ?? '' };
    case 'wall':
      return { view: 'wall', region: a ?? null };
    case 'm':
      return { view: 'mobile', id: a === 'warnings' && b ? b : null };
    default:
      return DEFAULT;
  }
}

export function formatRoute(route: Route): string {
  const enc = encodeURIComponent;
  switch (route.view) {
    case 'map':
      return route.region ? `#/map/${enc(route.region)}` : '#/map';
    case 'plan':
      return route.hazard
        ? `#/plan/${enc(route.enterprise)}/${enc(route.hazard)}`
        : `#/plan/${enc(route.enterprise)}`;
    case 'point':
      return `#/point/${route.id}`;
    case 'admin':
      return route.section === null ? '#/admin' : `#/admin/${enc(route.section)}`;
    case 'warnings':
      return route.id === null ? '#/warnings' : `#/warnings/${enc(route.id)}`;
    case 'trends':
      return route.query ? `#/trends/${route.query}` : '#/trends';
    case 'wall':
      return route.region ? `#/wall/${enc(route.region)}` : '#/wall';
    case 'mobile':
      return route.id === null ? '#/m' : `#/m/warnings/${enc(route.id)}`;
    default:
      return `#/${route.view}`;
  }
}
