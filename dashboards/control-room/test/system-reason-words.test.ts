/**
 * The journal's exports and its view say the engine's reasons in the same words (issue #21). The
 * API keeps its own zh-CN/en tables (services/api/src/journal/system-reason-words.ts: it cannot
 * import the dashboard's messages); this reads that file as text and compares it with the
 * `systemReason` messages, so the two cannot drift apart.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SYSTEM_REASON_CODES } from '@hazardwatch/contracts';
import { en } from '../src/i18n/en.js';
import { zhCN } from '../src/i18n/zh-CN.js';

// Run from the repository root or from the dashboard's workspace (as i18n-keys.test.ts does).
const WORDS = [process.cwd(), join(process.cwd(), '../..')]
  .map((root) => join(root, 'services/api/src/journal/system-reason-words.ts'))
  .find((f) => existsSync(f));
const source = WORDS === undefined ? '' : readFileSync(WORDS, 'utf8');

/** The `text: { CODE: '…', … }` table of the API's words for one language (`const ZH` / `const EN`). */
function apiTexts(name: 'ZH' | 'EN'): Record<string, string> {
  const block =
    new RegExp(`const ${name}: ReasonWords = \\{\\s*text: \\{([\\s\\S]*?)\\n  \\},`).exec(source)?.[1] ?? '';
  return Object.fromEntries([...block.matchAll(/(\w+): '([^']*)'/g)].map((m) => [m[1]!, m[2]!]));
}

describe('system reasons: the API’s export words are the dashboard’s messages', () => {
  it.each([
    ['ZH', zhCN.systemReason],
    ['EN', en.systemReason],
  ] as const)('%s', (name, messages) => {
    const api = apiTexts(name);
    expect(Object.keys(api).sort()).toEqual([...SYSTEM_REASON_CODES].sort());
    for (const code of SYSTEM_REASON_CODES) expect(api[code], code).toBe(messages[code]);
  });
});
