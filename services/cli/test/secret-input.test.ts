import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { promptSecret, readPipedSecret } from '../src/secret-input.js';

/** A terminal as the prompt sees it: raw mode switched on and off, keys arriving as typed. */
function terminal() {
  const input = Object.assign(new PassThrough(), {
    isTTY: true,
    modes: [] as boolean[],
    setRawMode(mode: boolean) {
      this.modes.push(mode);
      return this;
    },
  });
  const output = new PassThrough();
  let shown = '';
  output.setEncoding('utf8').on('data', (s: string) => (shown += s));
  return { input, output, shown: () => shown };
}

describe('promptSecret (terminal, no echo)', () => {
  it.each([
    ['typed and Enter', ['s3', 'cret-pass\r'], 's3cret-pass'],
    ['Backspace removes the last character', ['secrex\u007ft\n'], 'secret'],
    ['everything after Enter is not part of it', ['abc\r\nrest'], 'abc'],
  ])('%s', async (_name, keys, expected) => {
    const t = terminal();
    const read = promptSecret(t.input, t.output, 'Password: ');
    for (const k of keys) t.input.write(k);
    expect(await read).toBe(expected);
    // Raw mode (no echo) while typing, restored after; only the prompt and a new line shown.
    expect(t.input.modes).toEqual([true, false]);
    expect(t.shown()).toBe('Password: \n');
  });

  it.each([
    ['Ctrl-C', 'abc\u0003'],
    ['Ctrl-D on an empty line', '\u0004'],
  ])('%s cancels', async (_name, keys) => {
    const t = terminal();
    const read = promptSecret(t.input, t.output, 'Password: ');
    t.input.write(keys);
    expect(await read).toBeUndefined();
    expect(t.input.modes).toEqual([true, false]);
  });
});

describe('readPipedSecret', () => {
  it.each([
    ['a line', 'pw-line-1\nignored\n', 'pw-line-1'],
    ['a CRLF line', 'pw-line-2\r\n', 'pw-line-2'],
    ['no line ending', 'pw-line-3', 'pw-line-3'],
    ['nothing', '', ''],
  ])('reads the first line of %s', async (_name, sent, expected) => {
    const input = new PassThrough();
    input.end(sent);
    expect(await readPipedSecret(input)).toBe(expected);
  });
});
