import { describe, expect, it } from 'vitest';
import { HazardWatchError, defineErrors, renderTemplate } from '@hazardwatch/kit';

describe('defineErrors', () => {
  const reg = defineErrors('HW_TEST', {
    HW_TEST_DOWN: { template: 'broker {url} unreachable', retryable: true, status: 503 },
    HW_TEST_BAD: { template: 'bad payload on {topic}', retryable: false, status: 400 },
    HW_TEST_BUG: { template: 'invariant {what} broken', retryable: false },
  });

  it('keeps the prefix, the specs and every code', () => {
    expect(reg.prefix).toBe('HW_TEST');
    expect(reg.codes).toEqual(['HW_TEST_DOWN', 'HW_TEST_BAD', 'HW_TEST_BUG']);
    expect(Object.isFrozen(reg.specs)).toBe(true);
  });

  it('refuses, at definition, a code outside the prefix or a prefix outside HW_<PACKAGE>', () => {
    expect(() =>
      // The type refuses it too: keys must read `${prefix}_…`.
      // @ts-expect-error STORE_DOWN is not an HW_STORE_ code
      defineErrors('HW_STORE', { STORE_DOWN: { template: 'x', retryable: true } }),
    ).toThrow(/STORE_DOWN must read HW_STORE_<WHAT>/);
    // A sibling prefix that merely starts the same is not the prefix.
    expect(() =>
      // @ts-expect-error HW_COREX_A is not an HW_CORE_ code
      defineErrors('HW_CORE', { HW_COREX_A: { template: 'x', retryable: false } }),
    ).toThrow(TypeError);
    expect(() => defineErrors('HW_CORE', { HW_CORE_lower: { template: 'x', retryable: false } })).toThrow(
      TypeError,
    );
    expect(() => defineErrors('STORE', {} as never)).toThrow(/HW_<PACKAGE>/);
  });

  it('builds coded errors carrying data, retryability, status and cause', () => {
    const cause = new Error('ECONNREFUSED');
    const err = reg.create('HW_TEST_DOWN', { url: 'mqtt://x', attempt: 3 }, { cause });
    expect(err).toBeInstanceOf(HazardWatchError);
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('HW_TEST_DOWN');
    expect(err.message).toBe('broker mqtt://x unreachable');
    expect(err.data).toEqual({ url: 'mqtt://x', attempt: 3 });
    expect(Object.isFrozen(err.data)).toBe(true);
    expect(err.retryable).toBe(true);
    expect(err.status).toBe(503);
    expect(err.cause).toBe(cause);
    const bug = reg.create('HW_TEST_BUG', { what: 'order' });
    expect([bug.retryable, bug.status]).toEqual([false, undefined]);
    expect(reg.create('HW_TEST_BAD', { topic: 't' }).status).toBe(400);
  });

  it('is() matches by code, never by message', () => {
    const err = reg.create('HW_TEST_BAD', { topic: 't' });
    const other = defineErrors('HW_OTHER', { HW_OTHER_BAD: { template: 'x', retryable: false } });
    expect(reg.is(err)).toBe(true);
    expect(reg.is(err, 'HW_TEST_BAD')).toBe(true);
    expect(reg.is(err, 'HW_TEST_DOWN')).toBe(false);
    expect(other.is(err)).toBe(false);
    expect(reg.is(new Error('HW_TEST_BAD'))).toBe(false);
  });

  it('create() refuses a code it does not hold', () => {
    expect(() => reg.create('HW_TEST_NOPE' as never, {})).toThrow(/unknown error code HW_TEST_NOPE/);
  });
});

describe('renderTemplate', () => {
  it('fills placeholders, leaves a missing one visible and serialises objects', () => {
    expect(renderTemplate('{a} {b} {c} {d} {e}', { a: 1, c: { x: 1 }, d: null, e: 'text' })).toBe(
      '1 {b} {"x":1} null text',
    );
  });

  it('renders lists readably, element by element', () => {
    expect(renderTemplate('{l}', { l: ['a: bad', 'b: worse'] })).toBe('a: bad; b: worse');
    expect(renderTemplate('{l}', { l: [1, { x: 1 }] })).toBe('1; {"x":1}');
    expect(renderTemplate('[{l}]', { l: [] })).toBe('[]');
  });

  it('survives a value that cannot be serialised', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(renderTemplate('{v}', { v: loop })).toBe('[unserialisable]');
  });
});
