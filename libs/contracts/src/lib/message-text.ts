/**
 * How a message's sizes and places read to a person: the same in the admin panel and in the
 * API's printable (html) export, so that a transcript and the page it was printed from agree.
 */

/** 1536 → "1.5 KB"; bytes under 1 KB stay whole; no size (or a negative one) is "大小未知". */
export function humanFileSize(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '大小未知';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = value >= 100 ? value.toFixed(0) : value.toFixed(1).replace(/\.0$/, '');
  return `${text} ${units[unit]}`;
}

/** A location's latitude and longitude to six places (about 0.1 m), or null when either is missing. */
export function coordinatesText(lat: number | null, lng: number | null): string | null {
  return lat === null || lng === null ? null : `${lat.toFixed(6)}, ${lng.toFixed(6)}`;
}
