import { crc32 } from 'node:zlib';
import type { FloorPlanContentType } from '@hazardwatch/store';

/** Largest floor plan accepted, bytes (5 MiB). */
export const PLAN_MAX_BYTES = 5 * 1024 * 1024;
/**
 * Largest PNG side accepted, pixels: a 5 MiB PNG can still decode to gigabytes of pixels, which
 * would stall every control-room screen showing it.
 */
export const PLAN_MAX_PNG_SIDE = 16_384;

export type PlanImageCheck =
  | { readonly ok: true; readonly width: number | null; readonly height: number | null }
  | { readonly ok: false; readonly problem: string };

const refuse = (problem: string): PlanImageCheck => ({ ok: false, problem });

/** Checks an uploaded floor plan and reads its intrinsic size. */
export function inspectPlanImage(contentType: FloorPlanContentType, bytes: Buffer): PlanImageCheck {
  return contentType === 'image/png' ? inspectPng(bytes) : inspectSvg(bytes);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** The IEND chunk: length 0, type, CRC. */
const PNG_END = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

/**
 * PNG (ISO/IEC 15948 §5.2, §11.2.2): the signature, then IHDR as the first chunk (length 13,
 * width and height as 4-byte big-endian integers, CRC over type and data), and IEND last — a
 * truncated upload fails here rather than on the screens.
 */
function inspectPng(bytes: Buffer): PlanImageCheck {
  if (bytes.length < 8 + 25 + PNG_END.length || !bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    return refuse('not a PNG file (signature)');
  }
  if (bytes.readUInt32BE(8) !== 13 || bytes.toString('latin1', 12, 16) !== 'IHDR') {
    return refuse('PNG does not start with an IHDR chunk');
  }
  if (crc32(bytes.subarray(12, 29)) !== bytes.readUInt32BE(29)) return refuse('PNG IHDR checksum is wrong');
  if (!bytes.subarray(bytes.length - PNG_END.length).equals(PNG_END)) {
    return refuse('PNG is truncated (no IEND chunk at the end)');
  }
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  if (width === 0 || height === 0 || width > PLAN_MAX_PNG_SIDE || height > PLAN_MAX_PNG_SIDE) {
    return refuse(`PNG size ${width}×${height} is outside 1…${PLAN_MAX_PNG_SIDE} pixels per side`);
  }
  return { ok: true, width, height };
}

/** Elements that run script, embed other documents or change attributes (e.g. an href) over time. */
const FORBIDDEN_ELEMENTS = [
  'script',
  'foreignObject',
  'iframe',
  'frame',
  'embed',
  'object',
  'applet',
  'meta',
  'link',
  'base',
  'handler',
  'listener',
  'set',
  'animate',
  'animateMotion',
  'animateTransform',
  'discard',
];
const FORBIDDEN_ELEMENT = new RegExp(`<\\s*(?:[\\w-]+:)?(${FORBIDDEN_ELEMENTS.join('|')})\\b`, 'i');

const XML_DECLARATION = /^<\?xml\s[^?]*\?>/;
/** After the declaration: only whitespace and comments before the root, which must be `<svg`. */
const ROOT = /^(?:\s|<!--[\s\S]*?-->)*<svg[\s/>]/;

const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Character references decoded, as an XML parser would before a browser sees the values. */
function decodeReferences(text: string): string {
  return text.replace(/&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|(lt|gt|amp|quot|apos));/gi, (_, dec, hex, name) => {
    if (typeof name === 'string') return NAMED_ENTITIES[name.toLowerCase()] ?? '';
    const code = typeof dec === 'string' ? Number(dec) : Number.parseInt(String(hex), 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

/**
 * SVG: a deliberately strict text check rather than a sanitiser, because a floor plan needs no
 * script, no events and nothing from elsewhere. Refused: anything but a UTF-8 document whose
 * root is `<svg`; DOCTYPE and entity declarations (XXE, entity expansion); processing
 * instructions other than the XML declaration (`xml-stylesheet`); the elements above; `on…=`
 * event attributes; any `href` that is not a same-document `#fragment`; `url(…)` that is not
 * `#fragment`, nor a string of image-set(), image(), src() or cross-fade() that is not one (CSS
 * fetches those strings as URLs); `@import`; `javascript:`; backslashes (CSS escapes could hide
 * the rest). Checks run on the text and on the text with character references decoded; false
 * positives (the word "onset = 1" in a label) are accepted as the price of simplicity. The route serves SVG with a
 * CSP that blocks script and loads anyway; this keeps the file safe where that header is absent
 * (a dashboard that inlines the SVG into its own page).
 */
function inspectSvg(bytes: Buffer): PlanImageCheck {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return refuse('SVG is not UTF-8 text');
  }
  if (text.includes('\0')) return refuse('SVG must not contain NUL characters');
  const declaration = XML_DECLARATION.exec(text)?.[0];
  const encoding =
    declaration === undefined ? undefined : /encoding\s*=\s*["']([^"']*)["']/.exec(declaration)?.[1];
  // A browser would decode the file as declared; only the decoding checked here is allowed.
  if (encoding !== undefined && encoding.toLowerCase() !== 'utf-8')
    return refuse('SVG must be encoded as UTF-8');
  const body = text.replace(XML_DECLARATION, '');
  if (/<!DOCTYPE|<!ENTITY/i.test(body))
    return refuse('SVG must not contain a DOCTYPE or entity declarations');
  if (body.includes('<?')) return refuse('SVG must not contain processing instructions');
  if (!ROOT.test(body)) return refuse('root element is not <svg>');

  for (const view of [body, decodeReferences(body)]) {
    const element = FORBIDDEN_ELEMENT.exec(view);
    if (element) return refuse(`SVG must not contain <${element[1]}> elements`);
    if (/[\s"'/]on[a-z0-9_.:-]*\s*=/i.test(view))
      return refuse('SVG must not contain event handler attributes (on…=)');
    for (const m of view.matchAll(/href\s*=\s*(["']?)/gi)) {
      const quote = m[1];
      const start = (m.index ?? 0) + m[0].length;
      if (quote === '' || view[start] !== '#')
        return refuse('SVG may only reference its own elements (href="#…")');
    }
    for (const m of view.matchAll(/url\s*\(\s*(["']?)\s*/gi)) {
      if (view[(m.index ?? 0) + m[0].length] !== '#')
        return refuse('SVG may only reference its own elements (url(#…))');
    }
    const load = externalCssStringLoad(view);
    if (load !== undefined) return refuse(`SVG may only reference its own elements (${load}("#…"))`);
    if (/@import/i.test(view)) return refuse('SVG must not import style sheets');
    if (/j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t\s*:/i.test(view))
      return refuse('SVG must not contain javascript: URLs');
    if (view.includes('\\')) return refuse('SVG must not contain backslashes (escapes)');
  }
  return { ok: true, ...svgSize(body) };
}

/**
 * CSS functions that fetch a URL given as a plain string, not only as url(): image-set() (CSS
 * Images 4 §2.2, also -webkit-prefixed), image() (§2.3), src() (CSS Values 5 §4.5); cross-fade()
 * takes those. Matched anywhere (style elements and style attributes alike), any case.
 */
const CSS_STRING_LOADS = /(image-set|image|src|cross-fade)\s*\(/gi;

/**
 * The first such function with a quoted string in its arguments (up to the matching parenthesis)
 * that is not a same-document `#fragment`, or undefined. Any string counts, even a type() or
 * one inside a comment: refusing a harmless one is the price of not parsing CSS.
 */
function externalCssStringLoad(view: string): string | undefined {
  for (const m of view.matchAll(CSS_STRING_LOADS)) {
    let depth = 1;
    for (let i = (m.index ?? 0) + m[0].length; i < view.length && depth > 0; i++) {
      const c = view[i];
      if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (c === '"' || c === "'") {
        if (view[i + 1] !== '#') return m[1]!.toLowerCase();
        const end = view.indexOf(c, i + 1);
        i = end < 0 ? view.length : end;
      }
    }
  }
  return undefined;
}

const LENGTH = /^\s*(\d+(?:\.\d+)?|\.\d+)(?:e[+-]?\d+)?\s*(?:px)?\s*$/i;

/** Intrinsic size from the root's width/height (unitless or px), else from its viewBox; null when neither. */
function svgSize(body: string): { width: number | null; height: number | null } {
  const tag = /<svg\b([^>]*)>/.exec(body)?.[1] ?? '';
  const attr = (name: string): string | undefined =>
    new RegExp(`(?:^|\\s)${name}\\s*=\\s*(["'])(.*?)\\1`, 's').exec(tag)?.[2];
  const length = (value: string | undefined): number | null => {
    if (value === undefined || !LENGTH.test(value)) return null;
    const n = Number.parseFloat(value);
    return Number.isFinite(n) && n > 0 ? n : null;
  };
  const box = (attr('viewBox') ?? '')
    .trim()
    .split(/[\s,]+/)
    .map(Number);
  const [boxWidth, boxHeight] =
    box.length === 4 && box.every(Number.isFinite) && box[2]! > 0 && box[3]! > 0
      ? [box[2]!, box[3]!]
      : [null, null];
  return {
    width: length(attr('width')) ?? boxWidth,
    height: length(attr('height')) ?? boxHeight,
  };
}
