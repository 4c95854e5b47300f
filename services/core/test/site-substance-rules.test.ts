import { describe, expect, it } from 'vitest';
import { validateSite, type SiteIssue } from '@hazardwatch/core';
import { baseSite, type MutableSite } from './site-fixture.js';

/** Replace the tank farm's inventory (and declared level) in the base site. */
function withInventory(inventory: Record<string, unknown>[], declaredLevel = 4): MutableSite {
  const s = baseSite();
  s.hazards[0]!['inventory'] = inventory;
  s.hazards[0]!['declaredLevel'] = declaredLevel;
  return s;
}

function findings(site: MutableSite): { errors: readonly SiteIssue[]; defects: readonly SiteIssue[] } {
  const r = validateSite(site);
  return { errors: r.ok ? [] : r.errors, defects: r.defects };
}

const rules = (list: readonly SiteIssue[]): string[] => list.map((i) => i.rule);

describe('site validation: GB 18218-2018 substances (issue #19 item 7)', () => {
  it('600 t n-hexane with a W5.4 category is a major hazard through its Table 1 Q', () => {
    // S = 600/500 = 1.2, R = 1 (one person) · 1 (W5.4) · 1.2 ⇒ 四级.
    const { errors, defects } = findings(
      withInventory([{ substance: '正己烷', category: 'W5.4', designMaxTonnes: 600 }]),
    );
    expect(errors).toEqual([]);
    expect(rules(defects)).not.toContain('HAZARD_BELOW_THRESHOLD');
    expect(defects).toEqual([]);
  });

  it('20 t formaldehyde is a major hazard (Table 1 No. 8, Q = 5 t)', () => {
    const { errors, defects } = findings(
      withInventory([{ cas: '50-00-0', category: 'J5', designMaxTonnes: 20 }]),
    );
    expect(errors).toEqual([]);
    expect(defects).toEqual([]);
  });

  it('a name and a CAS of different substances is an error naming the hazard', () => {
    const { errors } = findings(
      withInventory([{ substance: '液氯', cas: '7664-41-7', designMaxTonnes: 10 }]),
    );
    expect(rules(errors)).toEqual(['HAZARD_NAME_CAS_CONFLICT']);
    expect(errors[0]?.path).toBe('/hazards/0/inventory/0');
    expect(errors[0]?.message).toContain('E1/TF1');
  });

  it('a CAS shared by Table 1 variants, without the variant named, is an error', () => {
    const { errors } = findings(withInventory([{ cas: '9004-70-0', category: 'W1.1', designMaxTonnes: 10 }]));
    expect(rules(errors)).toEqual(['HAZARD_SUBSTANCE_AMBIGUOUS']);
  });

  it('a kg figure in the tonne field is a warning (reported with the defects), not an error', () => {
    // 10 t of chlorine typed as 10,000 would pass unnoticed (2,000·Q); 100 t typed as 100,000 does not.
    const { errors, defects } = findings(withInventory([{ substance: 'Cl2', designMaxTonnes: 100_000 }], 1));
    expect(errors).toEqual([]);
    expect(rules(defects)).toEqual(['HAZARD_QUANTITY_IMPLAUSIBLE']);
    expect(defects[0]?.path).toBe('/hazards/0/inventory/0/designMaxTonnes');
    expect(defects[0]?.message).toContain('20000·Q');
  });

  it('a substance entered once as toxic and once as flammable is an error telling the larger β', () => {
    const { errors } = findings(
      withInventory([
        { substance: 'Cl2', designMaxTonnes: 10 },
        { substance: '丙烯腈', category: 'J4', designMaxTonnes: 20 },
        { substance: '丙烯腈', category: 'W5.1', designMaxTonnes: 20 },
      ]),
    );
    expect(rules(errors)).toEqual(['HAZARD_SUBSTANCE_ENTERED_TWICE']);
    expect(errors[0]?.path).toBe('/hazards/0/inventory/2');
    expect(errors[0]?.message).toContain('β = 2');
  });
});
