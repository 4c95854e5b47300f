/**
 * Saves a downloaded file under a name: the export calls carry the bearer token, so the browser
 * cannot follow a plain link; the answer is fetched and handed to the browser as a blob URL.
 */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked after the browser has started the download (it reads the blob asynchronously).
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** `yyyyMMdd-HHmm` in China time (UTC+8, the duty centres' clock), for file names. */
export function fileStamp(ms: number): string {
  const iso = new Date(ms + 8 * 3_600_000).toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 16).replace(':', '')}`;
}
