import { describe, expect, it } from 'vitest';
import { parsePath, PathSyntaxError, readPath } from '../src/sources/mqtt-bridge-path.js';

describe('parsePath', () => {
  it.each<[string, unknown[]]>([
    ['', []],
    ['$', []],
    ['temperature', [{ kind: 'key', key: 'temperature' }]],
    ['a.b.c', ['a', 'b', 'c'].map((key) => ({ kind: 'key', key }))],
    [
      'a.b[0].c',
      [
        { kind: 'key', key: 'a' },
        { kind: 'key', key: 'b' },
        { kind: 'index', index: 0 },
        { kind: 'key', key: 'c' },
      ],
    ],
    ['$.v', [{ kind: 'key', key: 'v' }]],
    ['$[2]', [{ kind: 'index', index: 2 }]],
    [
      '[12][3]',
      [
        { kind: 'index', index: 12 },
        { kind: 'index', index: 3 },
      ],
    ],
    ["['flow.rate']", [{ kind: 'key', key: 'flow.rate' }]],
    [
      'sensors["PT 101"].value',
      [
        { kind: 'key', key: 'sensors' },
        { kind: 'key', key: 'PT 101' },
        { kind: 'key', key: 'value' },
      ],
    ],
    ["['it\\'s']", [{ kind: 'key', key: "it's" }]],
    [
      'temp-1.µS_cm',
      [
        { kind: 'key', key: 'temp-1' },
        { kind: 'key', key: 'µS_cm' },
      ],
    ],
  ])('%j', (path, expected) => {
    expect(parsePath(path)).toEqual(expected);
  });

  it.each<[string, number]>([
    ['a..b', 2],
    ['a.', 2],
    ['.a', 0],
    ['a[', 2],
    ['a[x]', 2],
    ['a[1', 3],
    ['a[-1]', 2],
    ["a['b]", 2],
    ['$a', 1],
    ['a b', 1],
    ['a]', 1],
  ])('rejects %j at position %d', (path, position) => {
    let error: unknown;
    try {
      parsePath(path);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PathSyntaxError);
    expect((error as PathSyntaxError).position).toBe(position);
  });
});

describe('readPath', () => {
  const doc = { a: { b: [{ c: 1 }, { c: 2 }] }, 'flow.rate': 3, zero: 0, nil: null, list: [10, 20] };

  it.each<[string, unknown]>([
    ['a.b[1].c', 2],
    ["['flow.rate']", 3],
    ['zero', 0],
    ['nil', null],
    ['list[1]', 20],
    ['list[2]', undefined],
    ['a.x.c', undefined],
    ['a.b.c', undefined], // a key step on an array
    ['zero[0]', undefined], // an index step on a number
    ['list.length', undefined], // arrays have no members
    ['constructor', undefined], // own members only
    ['__proto__', undefined],
  ])('%s → %j', (path, expected) => {
    expect(readPath(doc, parsePath(path))).toEqual(expected);
  });

  it('the empty path is the whole document (a bare number payload)', () => {
    expect(readPath(23.5, parsePath(''))).toBe(23.5);
  });
});
