import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NormalisedSiteSchema,
  SiteFileSchema,
  parseSiteDocument,
  siteFileJsonSchema,
  validateSite,
} from '@hazardwatch/core';
import { baseSite } from './site-fixture.js';

const exampleText = readFileSync(new URL('../examples/site.example.yaml', import.meta.url), 'utf8');

describe('examples/site.example.yaml', () => {
  const result = parseSiteDocument(exampleText, 'yaml', { now: 1_700_000_000_000 });

  it('validates with no errors and no defects', () => {
    expect(result.ok ? [] : result.errors).toEqual([]);
    expect(result.defects).toEqual([]);
  });

  it('compiles to the normalised schema', () => {
    if (!result.ok) throw new Error('example invalid');
    const { site } = result;
    expect(Value.Check(NormalisedSiteSchema, site)).toBe(true);
    expect(site.enterprises.map((e) => e.risk?.colour)).toEqual(['yellow', 'blue']);
    expect(site.hazards.map((h) => [h.code, h.assessment?.s, h.assessment?.r, h.assessment?.level])).toEqual([
      ['CL-TF01', 20, 120, 1],
      ['HYD-U01', 1, 1.1, 4],
    ]);
    expect(site.hazards[0]!.assessment?.computedAt).toBe(1_700_000_000_000);
    const o2 = site.points.find((p) => p.tag === 'AT-1103')!;
    expect(o2.limits).toEqual({ ll: null, l: 19.5, h: 23.5, hh: null });
    expect(o2.limitsDefaulted).toEqual(['l', 'h']);
    const openPath = site.points.find((p) => p.tag === 'AT-2110')!;
    expect([openPath.limits.h, openPath.limits.hh]).toEqual([1, 2]);
    expect(site.points.find((p) => p.tag === 'LT-1101')!.hhIndependent).toBe(true);
  });
});

describe('parseSiteDocument', () => {
  it('reports YAML syntax errors with their line, without throwing', () => {
    const r = parseSiteDocument('version: 1\nregions: [\n', 'yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]!.rule).toBe('PARSE_ERROR');
    expect(r.errors[0]!.line).toBeGreaterThan(0);
  });

  it('rejects duplicate YAML keys', () => {
    const r = parseSiteDocument('version: 1\nversion: 1\n', 'yaml');
    expect(!r.ok && r.errors[0]!.rule).toBe('PARSE_ERROR');
  });

  it('locates structural errors in the YAML source', () => {
    const text = exampleText.replace(
      '    kind: pressure\n    unit: MPa\n    range: { min: 0, max: 2.5 }',
      '    kind: pressure\n    unit: MPa\n    range: { min: 0, max: 2.5 }\n    rnage: 1',
    );
    const r = parseSiteDocument(text, 'yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const e = r.errors[0]!;
    expect(e).toMatchObject({ rule: 'SCHEMA_UNKNOWN_KEY', tag: 'PT-1101' });
    expect(e.message).toContain('"rnage"');
    expect(text.split('\n')[e.line! - 1]).toContain('rnage');
  });

  it('parses JSON and reports JSON syntax errors', () => {
    expect(parseSiteDocument(JSON.stringify(baseSite()), 'json').ok).toBe(true);
    const bad = parseSiteDocument('{"version": 1,', 'json');
    expect(!bad.ok && bad.errors[0]!.rule).toBe('PARSE_ERROR');
  });

  it('YAML 1.2: "no" and "on" stay strings (no Norway problem)', () => {
    const s = baseSite();
    s.points[0]!['tag'] = 'no';
    const yaml = JSON.stringify(s).replace('"tag":"no"', '"tag":no');
    const r = parseSiteDocument(yaml, 'yaml');
    expect(r.ok && r.site.points[0]!.tag).toBe('no');
  });
});

describe('structural validation', () => {
  it('names unknown keys with their JSON path and the point', () => {
    const s = baseSite();
    s.points[0]!['onDelay'] = 5;
    const r = validateSite(s);
    expect(r.ok ? [] : r.errors).toEqual([
      expect.objectContaining({
        rule: 'SCHEMA_UNKNOWN_KEY',
        path: '/points/0/onDelay',
        enterprise: 'E1',
        tag: 'P1',
        message: expect.stringContaining('unknown key "onDelay"') as unknown,
      }),
    ]);
  });

  it('names missing keys and lists allowed values', () => {
    const s = baseSite();
    delete s.points[0]!['gateway'];
    s.hazards[0]!['type'] = 'tank';
    const r = validateSite(s);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.rule, e.path])).toEqual([
      ['SCHEMA_INVALID_VALUE', '/hazards/0/type'],
      ['SCHEMA_MISSING_KEY', '/points/0/gateway'],
    ]);
    expect(r.errors[0]!.message).toContain('"tank_farm" | "warehouse" | "production_unit"');
  });

  it('rejects non-finite numbers and codes with topic separators', () => {
    const s = baseSite();
    s.points[0]!['range'] = { min: 0, max: Number.POSITIVE_INFINITY };
    s.points[0]!['tag'] = 'TI/101';
    s.gateways[0]!['code'] = 'GW+1';
    const r = validateSite(s);
    expect(r.ok ? [] : r.errors.map((e) => e.path).sort()).toEqual([
      '/gateways/0/code',
      '/points/0/range/max',
      '/points/0/tag',
    ]);
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withObjectString: true }), (input) => {
        const r = validateSite(input);
        expect(r.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on a valid site with random junk merged into a point', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(
            'limits',
            'range',
            'kind',
            'unit',
            'gas',
            'deadbands',
            'rateOfChange',
            'independentOf',
          ),
          fc.anything(),
        ),
        (junk) => {
          const s = baseSite();
          Object.assign(s.points[0]!, junk);
          expect(() => validateSite(s)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('siteFileJsonSchema', () => {
  it('is plain JSON Schema, rejects unknown keys, and names the file format', () => {
    const schema = siteFileJsonSchema();
    expect(schema['type']).toBe('object');
    expect(schema['additionalProperties']).toBe(false);
    expect(schema['required']).toEqual(
      expect.arrayContaining(['version', 'regions', 'enterprises', 'gateways', 'points']),
    );
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    // A copy: editing it cannot change the validator.
    schema['title'] = 'changed';
    expect(SiteFileSchema.title).toBe('HazardWatch site file');
  });
});
