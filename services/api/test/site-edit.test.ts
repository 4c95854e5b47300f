import { describe, expect, it } from 'vitest';
import { applySiteEdit, emptySiteDocument, mergePatch } from '@hazardwatch/api';

describe('mergePatch (RFC 7396 appendix A)', () => {
  // The examples of RFC 7396 Appendix A.
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j + %j = %j', (target, patch, result) => {
    const before = JSON.stringify(target);
    expect(mergePatch(target, patch)).toEqual(result);
    expect(JSON.stringify(target)).toBe(before);
  });
});

describe('applySiteEdit', () => {
  const doc = {
    version: 1,
    regions: [{ code: 'R1', name: 'r', kind: 'county' }],
    enterprises: [],
    hazards: [],
    gateways: [{ code: 'GW01', enterprise: 'E1', name: 'g' }],
    points: [
      { tag: 'PT-1', enterprise: 'E1', gateway: 'GW01', limits: { h: 1, hh: 2 } },
      { tag: 'PT-1', enterprise: 'E2', gateway: 'GW01', limits: { h: 5 } },
    ],
  };

  it('creates, and refuses a second entity with the same key', () => {
    const created = applySiteEdit(doc, {
      op: 'create',
      entity: 'gateway',
      value: { code: 'GW02', enterprise: 'E1', name: 'n' },
    });
    expect(created.ok && (created.document['gateways'] as unknown[]).length).toBe(2);
    expect(created.ok && created.before).toBeNull();
    expect(
      applySiteEdit(doc, { op: 'create', entity: 'gateway', value: { code: 'GW01', enterprise: 'E1' } }),
    ).toEqual({ ok: false, reason: 'exists' });
  });

  it('patches only the entity with the full key (enterprise and tag), leaving the input untouched', () => {
    const before = JSON.stringify(doc);
    const r = applySiteEdit(doc, {
      op: 'update',
      entity: 'point',
      key: { enterprise: 'E1', tag: 'PT-1' },
      patch: { limits: { h: null, hh: 3 }, enabled: false },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.before).toEqual(doc.points[0]);
    expect(r.after).toEqual({
      tag: 'PT-1',
      enterprise: 'E1',
      gateway: 'GW01',
      limits: { hh: 3 },
      enabled: false,
    });
    expect((r.document['points'] as unknown[])[1]).toEqual(doc.points[1]);
    expect(JSON.stringify(doc)).toBe(before);
  });

  it('refuses to change identifying fields', () => {
    expect(
      applySiteEdit(doc, {
        op: 'update',
        entity: 'point',
        key: { enterprise: 'E1', tag: 'PT-1' },
        patch: { tag: 'X' },
      }),
    ).toEqual({ ok: false, reason: 'key_changed', field: 'tag' });
    expect(
      applySiteEdit(doc, { op: 'update', entity: 'region', key: { code: 'R1' }, patch: { code: null } }),
    ).toEqual({ ok: false, reason: 'key_changed', field: 'code' });
  });

  it('deletes, and answers not_found for an unknown key', () => {
    const r = applySiteEdit(doc, { op: 'delete', entity: 'region', key: { code: 'R1' } });
    expect(r.ok && r.document['regions']).toEqual([]);
    expect(r.ok && r.after).toBeNull();
    expect(
      applySiteEdit(doc, { op: 'delete', entity: 'point', key: { enterprise: 'E3', tag: 'PT-1' } }),
    ).toEqual({
      ok: false,
      reason: 'not_found',
    });
  });

  it('starts from an empty document when no site is stored yet', () => {
    const r = applySiteEdit(undefined, {
      op: 'create',
      entity: 'region',
      value: { code: '320000', name: '江苏省', kind: 'province' },
    });
    expect(r.ok && r.document).toEqual({
      ...emptySiteDocument(),
      regions: [{ code: '320000', name: '江苏省', kind: 'province' }],
    });
  });
});
