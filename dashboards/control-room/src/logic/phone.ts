/**
 * The phone page (issue #22, docs/mobile.md): `#/m` lists the caller's open 预警, `#/m/warnings/<id>`
 * is one of them with 签收 and 处置反馈. A phone is a touch screen (coarse pointer) that is narrow, or
 * low in landscape; on one, the start page and a 预警's own link (`#/warnings/<id>`, what every
 * notification carries: services/ingest notify/delivery-message.ts) open the phone page. Every
 * other hash is left alone, so the whole console stays reachable from the phone's menu.
 */

/** A touch screen narrower than a tablet, or a phone held landscape. */
export const PHONE_MEDIA =
  '(pointer: coarse) and (max-width: 767px), (pointer: coarse) and (max-height: 500px)';

export const PHONE_LIST_HASH = '#/m';

/** The phone page of one 预警. */
export const phoneWarningHash = (id: string): string => `#/m/warnings/${encodeURIComponent(id)}`;

/** The hash a phone goes to instead of `hash`, or null to stay. */
export function phoneRedirect(hash: string, phone: boolean): string | null {
  if (!phone) return null;
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p !== '');
  if (parts.length === 0) return PHONE_LIST_HASH;
  const [head, id] = parts;
  if (head === 'warnings' && id !== undefined) return phoneWarningHash(decodeURIComponent(id));
  return null;
}

/** Whether this browser is a phone (PHONE_MEDIA); false where there is no matchMedia. */
export function isPhone(win: Pick<Window, 'matchMedia'> | undefined = globalThis.window): boolean {
  return typeof win?.matchMedia === 'function' && win.matchMedia(PHONE_MEDIA).matches;
}

/**
 * The hash the shell shows now: on a phone, a start page or a 预警 link is replaced in place (no
 * history entry, so Back does not bounce) by its phone page.
 */
export function followPhone(
  loc: Pick<Location, 'hash'> = location,
  hist: Pick<History, 'replaceState'> = history,
  phone: boolean = isPhone(),
): string {
  const to = phoneRedirect(loc.hash, phone);
  if (to === null) return loc.hash;
  hist.replaceState(null, '', to);
  return to;
}
