import { describe, expect, it } from 'vitest';
import { validateSite } from '@hazardwatch/core';
import { baseSite } from './site-fixture.js';

/** The 包保责任人 of a hazard must be reachable: a plausible phone, an e-mail address if given. */
describe('site file: responsible persons', () => {
  const withPrincipal = (principal: Record<string, unknown>) => {
    const s = baseSite();
    const h = s.hazards[0] as { responsible: Record<string, unknown> };
    h.responsible = { ...h.responsible, principal };
    return validateSite(s);
  };

  it.each([
    ['13800000001'],
    ['+8613800000001'],
    ['19912345678'],
    ['0513-84123456'],
    ['010-12345678-801'],
    ['05138412345'],
  ])('accepts phone %s', (phone) => {
    expect(withPrincipal({ name: '王建国', phone }).ok).toBe(true);
  });

  it.each([['12800000001'], ['1380000000'], ['138000000012'], ['110'], ['+1 (923) 548-3751'], ['84123456']])(
    'refuses phone %s, naming where',
    (phone) => {
      const r = withPrincipal({ name: '王建国', phone });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.errors[0]!.message).toContain('/hazards/0/responsible/principal/phone');
        expect(r.errors[0]!.message).toContain('expected phone number for warning push: a mainland mobile');
      }
    },
  );

  it('accepts an optional e-mail address and refuses a malformed one', () => {
    expect(withPrincipal({ name: '王建国', phone: '13800000001', email: 'wang@example.cn' }).ok).toBe(true);
    const r = withPrincipal({ name: '王建国', phone: '13800000001', email: 'wang at example' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.message).toContain('/hazards/0/responsible/principal/email');
  });

  it('keeps the e-mail address in the normal form (routing reads it)', () => {
    const r = withPrincipal({ name: '王建国', phone: '13800000001', email: 'wang@example.cn' });
    if (!r.ok) throw new Error('invalid');
    expect(r.site.hazards[0]!.responsible.principal.email).toBe('wang@example.cn');
  });
});
