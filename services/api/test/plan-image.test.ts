import { describe, expect, it } from 'vitest';
import { inspectPlanImage, PLAN_MAX_PNG_SIDE } from '@hazardwatch/api';
import { pngImage, SVG_PLAN } from './support/images.js';

const svg = (text: string) => inspectPlanImage('image/svg+xml', Buffer.from(text, 'utf8'));
const root = (inner: string, attrs = 'xmlns="http://www.w3.org/2000/svg"') => `<svg ${attrs}>${inner}</svg>`;

describe('inspectPlanImage: PNG', () => {
  it('reads the size from IHDR', () => {
    expect(inspectPlanImage('image/png', pngImage(640, 480))).toEqual({ ok: true, width: 640, height: 480 });
  });

  const good = pngImage(4, 3);
  const patched = (offset: number, bytes: number[]) => {
    const b = Buffer.from(good);
    Buffer.from(bytes).copy(b, offset);
    return b;
  };
  const cases: Array<[string, Buffer, string]> = [
    ['empty', Buffer.alloc(0), 'signature'],
    ['an SVG sent as PNG', Buffer.from(SVG_PLAN), 'signature'],
    ['a wrong signature byte', patched(1, [0x51]), 'signature'],
    ['IHDR not first', patched(12, [0x49, 0x44, 0x41, 0x54]), 'IHDR chunk'],
    ['a corrupted width (CRC)', patched(16, [0, 0, 0, 9]), 'checksum'],
    ['a truncated file', good.subarray(0, good.length - 4), 'truncated'],
    ['zero width', pngImage(0, 3), 'outside'],
    ['a side above the limit', pngImage(PLAN_MAX_PNG_SIDE + 1, 1), 'outside'],
  ];
  it.each(cases)('refuses %s', (_name, bytes, problem) => {
    const check = inspectPlanImage('image/png', bytes);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.problem).toContain(problem);
  });
});

describe('inspectPlanImage: SVG', () => {
  it('accepts a plain floor plan with same-document references, and reads width/height', () => {
    expect(svg(SVG_PLAN)).toEqual({ ok: true, width: 800, height: 600 });
  });

  const sizes: Array<[string, string, number | null, number | null]> = [
    ['viewBox only', 'viewBox="0 0 1600.5 1200"', 1600.5, 1200],
    ['viewBox with commas', "viewBox='0,0,300,200'", 300, 200],
    ['px units', 'width="120px" height="80px" viewBox="0 0 1 1"', 120, 80],
    ['percent falls back to viewBox', 'width="100%" height="100%" viewBox="0 0 30 40"', 30, 40],
    ['nothing', '', null, null],
    ['a zero viewBox', 'viewBox="0 0 0 10"', null, null],
  ];
  it.each(sizes)('size from %s', (_name, attrs, width, height) => {
    expect(svg(root('', `xmlns="http://www.w3.org/2000/svg" ${attrs}`))).toEqual({ ok: true, width, height });
  });

  const refused: Array<[string, string, string]> = [
    ['another root', '<html><svg/></html>', 'root element'],
    ['text before the root', 'hello <svg/>', 'root element'],
    ['a DOCTYPE', '<!DOCTYPE svg [<!ENTITY x "y">]><svg/>', 'DOCTYPE'],
    ['a stylesheet PI', '<?xml-stylesheet href="http://evil/x.css"?><svg/>', 'processing instructions'],
    ['a declared encoding other than UTF-8', '<?xml version="1.0" encoding="UTF-16"?><svg/>', 'UTF-8'],
    ['a script element', root('<script>alert(1)</script>'), '<script>'],
    ['a namespaced script element', root('<x:script xmlns:x="http://www.w3.org/2000/svg"/>'), '<script>'],
    ['a SCRIPT element in capitals', root('<SCRIPT>alert(1)</SCRIPT>'), 'SCRIPT'],
    ['a script hidden by a character reference', root('<text>&#60;script</text>'), 'script'],
    ['foreignObject', root('<foreignObject><div/></foreignObject>'), 'foreignObject'],
    ['an animation setting an href', root('<a><set attributeName="href" to="#x"/></a>'), 'set'],
    ['an onload handler', '<svg onload="alert(1)"/>', 'event handler'],
    ['an onclick handler after a quote', root('<rect x="1"onclick="alert(1)"/>'), 'event handler'],
    ['a handler with spaces around =', root('<rect onmouseover = "x()"/>'), 'event handler'],
    ['an external image', root('<image href="https://evil.example/x.png"/>'), 'own elements'],
    ['an external xlink:href', root('<use xlink:href="other.svg#a"/>'), 'own elements'],
    ['a data: href', root('<image href="data:image/svg+xml;base64,PHN2Zz4="/>'), 'own elements'],
    ['an unquoted href', root('<a href=x/>'), 'own elements'],
    ['a javascript: link', root('<a href="javascript:alert(1)"><text>x</text></a>'), 'own elements'],
    ['an external url() in style', root('<style>rect{fill:url(http://evil/x)}</style>'), 'url(#'],
    ['an external url() in an attribute', root('<rect style="fill:url( \'//evil/x\' )"/>'), 'url(#'],
    ['an @import', root('<style>@import "x.css";</style>'), 'import'],
    ['a CSS escape', root('<style>rect{fill:\\75 rl(http://evil)}</style>'), 'backslash'],
    ['javascript: elsewhere', root('<text>java script :x</text>'), 'javascript:'],
    ['a NUL character', root('<text>\0</text>'), 'NUL'],
  ];
  it.each(refused)('refuses %s', (_name, text, problem) => {
    const check = svg(text);
    expect(check.ok, JSON.stringify(check)).toBe(false);
    expect(!check.ok && check.problem).toContain(problem);
  });

  // Issue 17 item 9: CSS functions whose string argument is a URL (CSS Images 4 image-set() and
  // image(), CSS Values 5 src()) fetched from elsewhere where url() was the only one checked.
  const cssLoads: Array<[string, string]> = [
    [
      'image-set() in a style element (the audit case)',
      root('<style>rect{fill:image-set("http://evil/x.png" 1x)}</style>'),
    ],
    ['image-set() in a style attribute', root('<rect style="fill:image-set(\'//evil/x.png\' 1x)"/>')],
    [
      '-webkit-image-set()',
      root('<style>rect{background:-webkit-image-set("http://evil/x.png" 1x)}</style>'),
    ],
    ['IMAGE-SET() in capitals', root('<style>rect{fill:IMAGE-SET("http://evil/x.png" 1X)}</style>')],
    [
      'image-set() with a relative reference',
      root('<style>rect{fill:image-set("x.png" 1x, "y.png" 2x)}</style>'),
    ],
    [
      'image-set() with a second, external candidate',
      root('<style>rect{fill:image-set("#g" 1x, "http://evil/y.png" 2x)}</style>'),
    ],
    [
      'image-set() with a type()',
      root('<style>rect{fill:image-set("http://evil/x.avif" type("image/avif"))}</style>'),
    ],
    [
      'image-set() after a comment',
      root('<style>rect{fill:image-set(/* x */"http://evil/x.png" 1x)}</style>'),
    ],
    [
      'image-set() with quotes as references',
      root('<rect style="fill:image-set(&quot;http://evil/x.png&quot; 1x)"/>'),
    ],
    ['image() with a URL string', root('<style>rect{fill:image("http://evil/x.png")}</style>')],
    [
      'src() with a URL string',
      root('<style>@font-face{font-family:f;src:src("http://evil/f.woff")}</style>'),
    ],
    [
      'cross-fade() of image-set()',
      root('<style>rect{fill:cross-fade(image-set("http://evil/a.png" 1x) 50%, #fff)}</style>'),
    ],
  ];
  it.each(cssLoads)('refuses an external reference in CSS: %s', (_name, text) => {
    const check = svg(text);
    expect(check.ok, JSON.stringify(check)).toBe(false);
    expect(!check.ok && check.problem).toContain('own elements');
  });

  it('accepts CSS that references only its own elements or names fonts', () => {
    const ok = root(
      '<style>text{font-family:"Noto Sans SC", sans-serif} rect{fill:image-set("#g" 1x)} .a{fill:url(#g)}</style><text>image (plan)</text>',
    );
    expect(svg(ok)).toMatchObject({ ok: true });
  });

  it('refuses bytes that are not UTF-8', () => {
    const check = inspectPlanImage('image/svg+xml', Buffer.from([0x3c, 0x73, 0x76, 0x67, 0xff, 0x2f, 0x3e]));
    expect(check).toEqual({ ok: false, problem: 'SVG is not UTF-8 text' });
  });
});
