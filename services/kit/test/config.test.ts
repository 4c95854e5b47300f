import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { deepFreeze, parseConfig, schemaProblems } from '@hazardwatch/kit';

const Schema = Type.Object(
  {
    mqtt: Type.Object(
      {
        url: Type.String(),
        keepaliveS: Type.Integer({ minimum: 1, default: 30 }),
      },
      { additionalProperties: false, default: {} },
    ),
    batch: Type.Object(
      { maxRows: Type.Integer({ minimum: 1, default: 500 }) },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

describe('parseConfig', () => {
  it('applies defaults and deep-freezes the value, leaving the input alone', () => {
    const input = { mqtt: { url: 'mqtt://b' } };
    const result = parseConfig(Schema, input);
    expect(result).toEqual({
      ok: true,
      value: { mqtt: { url: 'mqtt://b', keepaliveS: 30 }, batch: { maxRows: 500 } },
    });
    if (!result.ok) return;
    expect(Object.isFrozen(result.value)).toBe(true);
    expect(Object.isFrozen(result.value.mqtt)).toBe(true);
    expect(input).toEqual({ mqtt: { url: 'mqtt://b' } });
    expect(Object.isFrozen(input)).toBe(false);
  });

  it('names an unknown key and every bad value by its key', () => {
    const result = parseConfig(Schema, { mqtt: { url: 7, foo: 1 }, batch: { maxRows: 0 }, extra: true });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toContain('unknown key mqtt.foo');
    expect(result.errors).toContain('unknown key extra');
    expect(result.errors).toContain('mqtt.url: Expected string');
    expect(result.errors.some((e) => e.startsWith('batch.maxRows: '))).toBe(true);
    expect(new Set(result.errors).size).toBe(result.errors.length);
  });

  it('with a path names every problem by its full key', () => {
    const result = parseConfig(
      Schema,
      { mqtt: { url: 'x', foo: 1 }, batch: { maxRows: 0 } },
      { path: 'ingest' },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toContain('unknown key ingest.mqtt.foo');
    expect(result.errors.some((e) => e.startsWith('ingest.batch.maxRows: '))).toBe(true);
    expect(result.errors.every((e) => e.includes('ingest.'))).toBe(true);
  });

  it('names the root when the value itself is wrong', () => {
    expect(parseConfig(Schema, 'text')).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/^\(root\): /)],
    });
    expect(parseConfig(Schema, 'text', { path: 'api' })).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/^api: /)],
    });
  });
});

describe('schemaProblems', () => {
  it('reports without applying defaults', () => {
    const problems = schemaProblems(Schema, { mqtt: { url: 'x' } }, { path: 'edge' });
    expect(problems.map((p) => p.key)).toContain('edge.mqtt.keepaliveS');
    expect(problems.map((p) => p.key)).toContain('edge.batch');
    expect(schemaProblems(Schema, { mqtt: { url: 'x', keepaliveS: 1 }, batch: { maxRows: 1 } })).toEqual([]);
  });
});

describe('schemaProblems: structured findings for callers that word them', () => {
  const Doc = Type.Object(
    {
      name: Type.String(),
      sources: Type.Array(
        Type.Union([
          Type.Object({ kind: Type.Literal('a'), port: Type.Integer() }, { additionalProperties: false }),
          Type.Object({ kind: Type.Literal('b'), url: Type.String() }, { additionalProperties: false }),
        ]),
      ),
    },
    { additionalProperties: false },
  );

  it('tells unknown, missing and invalid apart, with pointer, dotted key and TypeBox detail', () => {
    const problems = schemaProblems(Doc, { sources: [], extra: 1, name: 5 }, { pointerPrefix: '/doc' });
    expect(problems).toContainEqual({
      key: 'extra',
      pointer: '/doc/extra',
      kind: 'unknown',
      detail: 'Unexpected property',
      message: 'unknown key extra',
    });
    expect(problems).toContainEqual(
      expect.objectContaining({
        key: 'name',
        pointer: '/doc/name',
        kind: 'invalid',
        detail: 'Expected string',
      }),
    );
    const missing = schemaProblems(Doc, { sources: [] });
    expect(missing).toContainEqual(
      expect.objectContaining({ key: 'name', pointer: '/name', kind: 'missing' }),
    );
  });

  it('reports a failed union at the closest branch when asked, else as one union problem', () => {
    const value = { name: 'n', sources: [{ kind: 'b', url: 'u', typo: 1 }] };
    const closest = schemaProblems(Doc, value, { path: 'edge', closestUnionBranch: true });
    expect(closest.map((p) => p.message)).toEqual(['unknown key edge.sources.0.typo']);
    expect(closest[0]!.pointer).toBe('/sources/0/typo');
    const plain = schemaProblems(Doc, value);
    expect(plain.map((p) => p.key)).toEqual(['sources.0']);
  });
});

describe('deepFreeze', () => {
  it('freezes nested objects and arrays and returns its argument', () => {
    const value = { a: { b: [{ c: 1 }] } };
    expect(deepFreeze(value)).toBe(value);
    expect(Object.isFrozen(value.a.b[0])).toBe(true);
    expect(deepFreeze(null)).toBeNull();
  });
});
