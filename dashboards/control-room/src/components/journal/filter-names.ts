/**
 * The site store's names in the form the alarm filter reads them (alarm-filter.ts FilterNames),
 * rebuilt when the site store changes.
 */
import { computed, type ComputedRef } from 'vue';
import type { SiteStore } from '../../state/site-store.js';
import { regionChains, type FilterNames } from './alarm-filter.js';

export function useFilterNames(site: SiteStore): ComputedRef<FilterNames> {
  return computed(() => {
    const enterprises = new Map(site.enterprises.value.map((e) => [e.code, e]));
    const hazards = new Map(site.hazards.value.map((h) => [`${h.enterprise}/${h.code}`, h.name]));
    const points = site.points.value;
    const chains = regionChains(site.roots.value);
    return {
      enterpriseName: (code) => enterprises.get(code)?.name,
      hazardName: (enterprise, hazard) => hazards.get(`${enterprise}/${hazard}`),
      pointName: (id) => points.get(id)?.name,
      regionsOf: (code) => {
        const region = enterprises.get(code)?.region;
        return region === undefined ? [] : (chains.get(region) ?? [region]);
      },
    };
  });
}
