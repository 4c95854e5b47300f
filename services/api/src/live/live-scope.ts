import { liveRoom, type LiveError, type LiveRoom, type LiveScope } from '@hazardwatch/contracts';
import type { SiteIndex } from '@hazardwatch/core';
import type { Access } from '../access/access.js';

export type ScopeVerdict =
  { readonly ok: true; readonly room: LiveRoom } | { readonly ok: false; readonly error: LiveError };

/**
 * The one place socket rooms are scope-checked, with the REST scope guard's rules and answers
 * (`Access` decides; unknown → HW_API_NOT_FOUND, outside → HW_API_FORBIDDEN): a regulator joins
 * rooms of its region subtree only, an operator those of its own enterprise only, and only those
 * who may list the platform's own alarms (administrators) join the `platform` room.
 */
export function checkLiveScope(access: Access, site: SiteIndex, scope: LiveScope): ScopeVerdict {
  const missing = (what: string): ScopeVerdict => ({
    ok: false,
    error: { code: 'HW_API_NOT_FOUND', message: `no ${what}`, scope },
  });
  const outside = (what: string): ScopeVerdict => ({
    ok: false,
    error: { code: 'HW_API_FORBIDDEN', message: `forbidden: ${what} is outside your scope`, scope },
  });
  const inEnterprise = (what: string, enterprise: string): ScopeVerdict =>
    access.seesEnterprise(enterprise) ? { ok: true, room: liveRoom(scope) } : outside(what);

  switch (scope.type) {
    case 'region':
      if (site.region(scope.code) === undefined) return missing(`region ${scope.code}`);
      return access.seesRegion(scope.code)
        ? { ok: true, room: liveRoom(scope) }
        : outside(`region ${scope.code}`);
    case 'enterprise':
      if (site.enterprise(scope.code) === undefined) return missing(`enterprise ${scope.code}`);
      return inEnterprise(`enterprise ${scope.code}`, scope.code);
    case 'hazard': {
      const what = `hazard ${scope.enterprise}/${scope.code}`;
      if (site.hazard(scope.enterprise, scope.code) === undefined) return missing(what);
      return inEnterprise(what, scope.enterprise);
    }
    case 'point': {
      const point = site.pointById(scope.id);
      if (point === undefined) return missing(`point ${scope.id}`);
      return inEnterprise(`point ${scope.id}`, point.enterprise);
    }
    case 'platform':
      return access.seesPlatform ? { ok: true, room: liveRoom(scope) } : outside('platform alarms');
  }
}
