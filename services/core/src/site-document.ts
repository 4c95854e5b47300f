/**
 * Load a site file from text (YAML 1.2 or JSON) and validate it. Never throws on bad input:
 * syntax errors come back as PARSE_ERROR issues with line and column.
 */
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import { issue, type SiteIssue } from './site-issues.js';
import { validateSite, type SiteValidationResult, type ValidateSiteOptions } from './site-validate.js';

export type SiteDocumentFormat = 'yaml' | 'json';

const parseFailure = (errors: SiteIssue[]): SiteValidationResult =>
  Object.freeze({ ok: false, errors: Object.freeze(errors), defects: Object.freeze([]) });

/** JSON-pointer path → yaml `getIn` path (array indices as numbers). */
const segments = (path: string): (string | number)[] =>
  path === ''
    ? []
    : path
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s));

/** Attach the source line/column of the nearest existing node to each issue. */
function locate(doc: Document, lines: LineCounter, issues: readonly SiteIssue[]): SiteIssue[] {
  return issues.map((found) => {
    const path = segments(found.path);
    for (let n = path.length; n >= 0; n--) {
      const node: unknown = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range !== undefined && node.range !== null) {
        const pos = lines.linePos(node.range[0]);
        return Object.freeze({ ...found, line: pos.line, column: pos.col });
      }
    }
    return found;
  });
}

export function parseSiteDocument(
  text: string,
  format: SiteDocumentFormat,
  options: ValidateSiteOptions = {},
): SiteValidationResult {
  if (format === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      return parseFailure([issue('PARSE_ERROR', '', { type: 'document' }, `invalid JSON: ${detail}`)]);
    }
    return validateSite(value, options);
  }

  const lines = new LineCounter();
  // YAML 1.2 core schema: `yes`/`no`/`on` stay strings and no timestamps appear; duplicate keys
  // are errors rather than last-one-wins.
  const doc = parseDocument(text, {
    lineCounter: lines,
    uniqueKeys: true,
    prettyErrors: true,
    version: '1.2',
  });
  if (doc.errors.length > 0) {
    return parseFailure(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const found = issue(
          'PARSE_ERROR',
          '',
          { type: 'document' },
          `invalid YAML: ${e.message.split('\n')[0] ?? e.code}`,
        );
        return Object.freeze(pos === undefined ? found : { ...found, line: pos.line, column: pos.col });
      }),
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return parseFailure([issue('PARSE_ERROR', '', { type: 'document' }, `invalid YAML: ${detail}`)]);
  }
  const result = validateSite(value, options);
  if (result.ok)
    return Object.freeze({ ...result, defects: Object.freeze(locate(doc, lines, result.defects)) });
  return Object.freeze({
    ok: false,
    errors: Object.freeze(locate(doc, lines, result.errors)),
    defects: Object.freeze(locate(doc, lines, result.defects)),
  });
}
