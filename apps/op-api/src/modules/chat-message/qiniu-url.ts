import { createHmac } from 'node:crypto';

export const QINIU_THUMBNAIL = 'imageView2/1/w/200/h/200';

/** Percent-encodes an object key path segment by segment, keeping its `/` separators. */
export function encodeQiniuKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/**
 * Qiniu's private download URL of an object with a 200×200 thumbnail (docs/CONTRACT.md §3):
 * the token is `<AK>:<urlsafe-base64(HMAC-SHA1(SK, url-before-token))>`.
 */
export function qiniuPrivateUrl(domain: string, key: string, accessKey: string, secretKey: string, deadline: number): string {
  const base = `${domain}/${encodeQiniuKey(key)}?${QINIU_THUMBNAIL}&e=${deadline}`;
  const digest = createHmac('sha1', secretKey).update(base, 'utf8').digest('base64').replace(/\+/g, '-').replace(/\//g, '_');
  return `${base}&token=${accessKey}:${digest}`;
}
