/** Standard input as the secret readers need it (process.stdin, or a stream in tests). */
export interface SecretSource extends NodeJS.ReadableStream {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/** Longest piped input read, bytes: far above any password the user rules accept (1024). */
const MAX_PIPED_BYTES = 64 * 1024;

/**
 * A secret piped in (`printf '%s\n' "$PW" | hazardwatch user create …`, a secrets manager):
 * its first line, without the line ending. Empty when nothing is sent.
 */
export async function readPipedSecret(input: SecretSource): Promise<string> {
  let text = '';
  input.setEncoding('utf8');
  for await (const chunk of input as AsyncIterable<string>) {
    text += chunk;
    const end = text.search(/\r?\n/);
    if (end >= 0) return text.slice(0, end);
    if (text.length > MAX_PIPED_BYTES) break;
  }
  return text;
}

/**
 * Prompts on `output` and reads a secret from a terminal without echoing it (raw mode: each key
 * arrives as typed, nothing is printed). Enter ends it; Backspace removes a character; Ctrl-C or
 * Ctrl-D on an empty line cancel (undefined).
 */
export function promptSecret(
  input: SecretSource,
  output: NodeJS.WritableStream,
  prompt: string,
): Promise<string | undefined> {
  output.write(prompt);
  input.setEncoding('utf8');
  input.setRawMode?.(true);
  input.resume();
  return new Promise((resolve) => {
    let secret = '';
    const finish = (value: string | undefined): void => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      resolve(value);
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(secret);
        if (ch === '\u0003' || (ch === '\u0004' && secret === '')) return finish(undefined);
        if (ch === '\u007f' || ch === '\b') secret = [...secret].slice(0, -1).join('');
        else if (ch >= ' ') secret += ch;
      }
    };
    input.on('data', onData);
  });
}
