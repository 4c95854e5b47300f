import { AUTHORITY_ACTIONS, AUTHORITY_ROLES, type AuthorityTable } from './authority.js';

/**
 * The authority table as the Markdown table of docs/authority.md: one row per action (key,
 * summary, one verdict per role). A test compares the document with this rendering of the
 * defaults, so the document cannot drift from the data.
 */
export function authorityTableMarkdown(table: AuthorityTable): string {
  const escape = (text: string) => text.replaceAll('|', '\\|');
  const lines = [
    `| action | what | ${AUTHORITY_ROLES.join(' | ')} |`,
    `|---|---|${AUTHORITY_ROLES.map(() => '---').join('|')}|`,
    ...AUTHORITY_ACTIONS.map((action) => {
      const entry = table[action];
      const verdicts = AUTHORITY_ROLES.map((role) => entry.verdicts[role]);
      return `| \`${action}\` | ${escape(entry.summary)} | ${verdicts.join(' | ')} |`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}
