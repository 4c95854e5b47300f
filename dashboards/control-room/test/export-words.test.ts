/**
 * The journal's and the console's exports name colours, alarm states and conditions in the same
 * words as the screens (issue #21). The API keeps its own zh-CN/en tables
 * (services/api/src/journal/export-columns.ts: it cannot import the dashboard's messages); this
 * reads that file as text and compares each table with the dashboard's `colour`, `state` and
 * `condition` messages, so a word changed on one side only fails here (as system-reason-words does
 * for the engine's reasons).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from '../src/i18n/en.js';
import { zhCN } from '../src/i18n/zh-CN.js';

// Run from the repository root or from the dashboard's workspace (as i18n-keys.test.ts does).
const COLUMNS = [process.cwd(), join(process.cwd(), '../..')]
  .map((root) => join(root, 'services/api/src/journal/export-columns.ts'))
  .find((f) => existsSync(f));
const source = COLUMNS === undefined ? '' : readFileSync(COLUMNS, 'utf8');

/** One language's `const ZH: Words = { … };` block of the API's export words. */
function wordsBlock(name: 'ZH' | 'EN'): string {
  return new RegExp(`const ${name}: Words = \\{([\\s\\S]*?)\\n\\};`).exec(source)?.[1] ?? '';
}

/** A `table: { KEY: '…', … }` inside a block, one line or several. */
function table(block: string, key: 'colour' | 'state' | 'condition'): Record<string, string> {
  const body = new RegExp(`\\n  ${key}: \\{([\\s\\S]*?)\\}`).exec(block)?.[1] ?? '';
  return Object.fromEntries([...body.matchAll(/(\w+): '([^']*)'/g)].map((m) => [m[1]!, m[2]!]));
}

describe('exports: the API’s colour, state and condition words are the dashboard’s messages', () => {
  it.each([
    ['ZH', zhCN],
    ['EN', en],
  ] as const)('%s', (name, messages) => {
    const block = wordsBlock(name);
    expect(block, `const ${name}: Words in ${COLUMNS ?? 'export-columns.ts (not found)'}`).not.toBe('');
    const colour = table(block, 'colour');
    const state = table(block, 'state');
    const condition = table(block, 'condition');
    expect(Object.keys(colour).sort()).toEqual(['blue', 'orange', 'red', 'yellow']);
    for (const [k, v] of Object.entries(colour)) expect(v, `colour.${k}`).toBe(messages.colour[k as 'red']);
    expect(Object.keys(state).sort()).toEqual(Object.keys(messages.state).sort());
    for (const [k, v] of Object.entries(state)) expect(v, `state.${k}`).toBe(messages.state[k as 'UNACK']);
    expect(Object.keys(condition).sort()).toEqual(Object.keys(messages.condition).sort());
    for (const [k, v] of Object.entries(condition))
      expect(v, `condition.${k}`).toBe(messages.condition[k as 'HH']);
  });
});
