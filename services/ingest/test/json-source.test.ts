import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { elementSpan, memberSpan } from '../src/json-source.js';

describe('json-source: spans of values in JSON text', () => {
  it('finds every element of readings, whatever the values hold (strings with brackets, quotes, escapes)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { minLength: 1, maxLength: 8 }),
        fc.jsonValue(),
        fc.boolean(),
        (readings, other, pretty) => {
          const text = JSON.stringify({ other, readings }, null, pretty ? 2 : undefined);
          const array = memberSpan(text, 0, 'readings');
          expect(array).toBeDefined();
          readings.forEach((reading, i) => {
            const span = elementSpan(text, array![0], i)!;
            expect(JSON.parse(text.slice(span[0], span[1]))).toEqual(reading);
          });
          expect(elementSpan(text, array![0], readings.length)).toBeUndefined();
        },
      ),
      { seed: 1616, numRuns: 300 },
    );
  });

  it('returns undefined instead of throwing on what is not an object or array there', () => {
    expect(memberSpan('[1]', 0, 'x')).toBeUndefined();
    expect(elementSpan('{"a":1}', 0, 0)).toBeUndefined();
    expect(memberSpan('{"a":1}', 0, 'b')).toBeUndefined();
  });
});
