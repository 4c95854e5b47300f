/**
 * Polls `probe` every 100 ms until `done` holds, and answers the value; after `timeoutMs` it
 * throws, naming what it waited for and the last value seen. For integration tests that wait on
 * a real database or broker (never on a mock).
 */
export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (v: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
