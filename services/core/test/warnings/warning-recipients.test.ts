import { describe, expect, it } from 'vitest';
import {
  nextEscalationLevel,
  regulatorRecipients,
  regulatorTierOf,
  responsiblePersons,
} from '@hazardwatch/core';
import { makeDesk, ok, who } from './desk-helpers.js';
import { T0, warningSite } from './warning-site.js';

const site = warningSite();

describe('recipients from the site model (REFERENCE §8 items 2 and 20)', () => {
  it('routes a hazard warning to its three responsible persons (包保责任制)', () => {
    const persons = responsiblePersons(site, { enterprise: 'E1', hazard: 'TF1' });
    expect(persons).toEqual([
      { role: 'principal', name: '张主', contact: '13800000001', userId: 'u-张主' },
      { role: 'technical', name: '李技', contact: '13800000002' },
      { role: 'operational', name: '王操', contact: '13800000003' },
    ]);
  });

  it('routes an enterprise warning to the persons of every hazard, each person once per role', () => {
    const persons = responsiblePersons(site, { enterprise: 'E1', hazard: null });
    expect(persons.map((p) => `${p.role}:${p.name}`)).toEqual([
      'principal:张主',
      'technical:李技',
      'operational:王操',
      'technical:赵技',
      'operational:钱操',
    ]);
  });

  it.each([
    ['park', 'county'],
    ['county', 'county'],
    ['city', 'city'],
    ['province', 'province'],
    ['town', null],
  ] as const)('region kind %s is regulator tier %s', (kind, tier) => {
    expect(regulatorTierOf(kind)).toBe(tier);
  });

  it.each([
    // enterprise, tier, regions (innermost first)
    ['E1', 'county', ['PARK1', '320623']],
    ['E1', 'city', ['320600']],
    ['E1', 'province', ['320000']],
    ['E2', 'county', ['320623']], // the town is not a regulator
    ['E3', 'county', []], // directly under a city
    ['E3', 'city', ['320500']],
  ] as const)('%s at tier %s → %j', (enterprise, tier, codes) => {
    expect(regulatorRecipients(site, enterprise, [tier]).map((r) => r.regionCode)).toEqual(codes);
  });

  it.each([
    ['E1', 'enterprise', 'county'],
    ['E1', 'county', 'city'],
    ['E1', 'city', 'province'],
    ['E1', 'province', null],
    ['E3', 'enterprise', 'city'],
    ['E9', 'enterprise', null],
  ] as const)('%s escalates from %s to %s', (enterprise, level, next) => {
    expect(nextEscalationLevel(site, enterprise, level)).toBe(next);
  });

  it('opening pushes to the three persons and the grassroots regulators (county/park)', () => {
    const r = ok(makeDesk().open({ enterprise: 'E1', hazard: 'TF1' }, 'orange', ['a1'], T0));
    expect(r.notifications).toHaveLength(1);
    const n = r.notifications[0]!;
    expect(n.kind).toBe('opened');
    expect(who(n)).toEqual([
      'principal:张主',
      'technical:李技',
      'operational:王操',
      'regulator:PARK1',
      'regulator:320623',
    ]);
    expect(n.recipients.find((x) => x.regionCode === 'PARK1')).toMatchObject({
      tier: 'county',
      name: '洋口化工园区',
    });
  });

  it('initial tiers are configurable per colour', () => {
    const desk = makeDesk({ policy: { initialTiers: { red: ['county', 'city', 'province'] } } });
    const r = ok(desk.open({ enterprise: 'E2', hazard: 'R1' }, 'red', [], T0));
    expect(who(r.notifications[0]!).filter((x) => x.startsWith('regulator'))).toEqual([
      'regulator:320623',
      'regulator:320600',
      'regulator:320000',
    ]);
  });
});
