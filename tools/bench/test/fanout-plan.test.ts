import { describe, expect, it } from 'vitest';
import { generateSite } from '@hazardwatch/simulators';
import { planFanoutClients } from '../src/fanout-bench.js';

describe('fanout benchmark: client plan', () => {
  const site = generateSite({ cities: 3, enterprises: 40, points: 4000, seed: 13 });
  const enterprises = new Map(
    (site['enterprises'] as Array<{ code: string; region: string }>).map((e) => [e.code, e.region]),
  );
  const regions = new Map(
    (site['regions'] as Array<{ code: string; kind: string }>).map((r) => [r.code, r.kind]),
  );

  it('gives every client a login whose scope covers its subscription, over every tier', () => {
    const plan = planFanoutClients(site, 500);
    expect(plan.clients).toHaveLength(500);
    expect(Object.values(plan.mix).reduce((a, b) => a + b, 0)).toBe(500);
    expect(Object.keys(plan.mix)).toEqual(['province', 'city', 'county', 'local', 'enterprise']);
    const users = new Map(plan.users.map((u) => [u.username, u]));
    for (const c of plan.clients) {
      const user = users.get(c.username)!;
      const [scope] = c.scopes;
      if (scope?.type === 'enterprise') {
        expect(user).toMatchObject({ role: 'operator', enterpriseCode: scope.code });
        expect(enterprises.has(scope.code)).toBe(true);
      } else {
        expect(scope?.type).toBe('region');
        expect(user).toMatchObject({ role: 'regulator', regionCode: (scope as { code: string }).code });
      }
    }
    // Park/town subscriptions only name places that hold an enterprise (none would be silent).
    const local = plan.clients
      .map((c) => c.scopes[0]!)
      .filter((s) => s.type === 'region' && ['park', 'town'].includes(regions.get(s.code) ?? ''));
    expect(local.length).toBeGreaterThan(0);
    const holding = new Set(enterprises.values());
    for (const s of local) expect(holding.has((s as { code: string }).code)).toBe(true);
  });
});
