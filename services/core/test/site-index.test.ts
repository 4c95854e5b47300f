import { describe, expect, it } from 'vitest';
import { SiteIndex, coreErrors, pointKey, validateSite, type NormalisedSite } from '@hazardwatch/core';
import { E1, baseSite, point0 } from './site-fixture.js';

function twoEnterpriseSite(): NormalisedSite {
  const s = baseSite();
  s.enterprises.push({ code: 'E2', name: '二', region: '320623', location: { lon: 120, lat: 32 } });
  s.gateways.push({ code: 'GW1', enterprise: 'E2', name: '二号网关' });
  s.points.push({ ...point0(s), tag: 'P2' });
  s.points.push({ ...point0(s), enterprise: 'E2', hazard: undefined });
  const r = validateSite(s);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.site;
}

describe('SiteIndex', () => {
  const site = twoEnterpriseSite();

  it('assigns ids 1…n in site order when no mapping is given', () => {
    const index = new SiteIndex(site);
    expect(index.points().map((p) => [p.enterprise, p.tag, p.id])).toEqual([
      [E1, 'P1', 1],
      [E1, 'P2', 2],
      ['E2', 'P1', 3],
    ]);
  });

  it('looks points up by (enterprise, tag) and by id; same tag in two enterprises stays distinct', () => {
    const index = new SiteIndex(site);
    expect(index.pointByKey('E2', 'P1')?.id).toBe(3);
    expect(index.pointByKey(E1, 'P1')?.id).toBe(1);
    expect(index.pointByKey(E1, 'nope')).toBeUndefined();
    expect(index.pointByKey('nope', 'P1')).toBeUndefined();
    expect(index.pointById(2)?.tag).toBe('P2');
    expect(Object.isFrozen(index.pointById(2))).toBe(true);
  });

  it('uses the store id mapping when given', () => {
    const ids = new Map([
      [pointKey(E1, 'P1'), 101],
      [pointKey(E1, 'P2'), 7],
      [pointKey('E2', 'P1'), 55],
    ]);
    const index = new SiteIndex(site, { ids });
    expect(index.pointByKey(E1, 'P2')?.id).toBe(7);
    expect(index.pointById(55)?.enterprise).toBe('E2');
  });

  it('rejects a mapping with a missing or duplicate id', () => {
    const missing = new Map([[pointKey(E1, 'P1'), 1]]);
    expect(() => new SiteIndex(site, { ids: missing })).toThrow(
      expect.objectContaining({ code: 'HW_CORE_SITE_INDEX_MISSING_ID', data: { enterprise: E1, tag: 'P2' } }),
    );
    const dup = new Map([
      [pointKey(E1, 'P1'), 1],
      [pointKey(E1, 'P2'), 1],
      [pointKey('E2', 'P1'), 2],
    ]);
    let caught: unknown;
    try {
      new SiteIndex(site, { ids: dup });
    } catch (err) {
      caught = err;
    }
    expect(coreErrors.is(caught, 'HW_CORE_SITE_INDEX_BAD_ID')).toBe(true);
  });

  it('looks up gateways, hazards, enterprises and regions, scoped by enterprise', () => {
    const index = new SiteIndex(site);
    expect(index.gateway('E2', 'GW1')?.name).toBe('二号网关');
    expect(index.gateway(E1, 'GW1')?.name).toBe('网关');
    expect(index.gateway('E2', 'GW9')).toBeUndefined();
    expect(index.hazard(E1, 'TF1')?.name).toBe('液氯罐区');
    expect(index.hazard('E2', 'TF1')).toBeUndefined();
    expect(index.enterprise('E2')?.name).toBe('二');
    expect(index.pointsOfHazard(E1, 'TF1').map((p) => p.tag)).toEqual(['P1', 'P2']);
    expect(index.pointsOfGateway('E2', 'GW1').map((p) => p.id)).toEqual([3]);
    expect(index.pointsOfEnterprise('E9')).toEqual([]);
    expect(index.regionChain('PARK1').map((r) => r.kind)).toEqual(['park', 'county', 'city', 'province']);
  });
});
