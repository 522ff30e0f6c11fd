import { createHash, createHmac } from 'node:crypto';
import { canonicalString, type CanonicalInput, type SignMethod } from '../lib/signing';

/** The sign of a canonical string: HMAC-SHA256 (64 hex) or the legacy MD5 (32 hex). */
export function signCanonical(canonical: string, secret: string, method: SignMethod): string {
  switch (method) {
    case 'hmac-sha256':
      return createHmac('sha256', secret).update(canonical, 'utf8').digest('hex');
    case 'md5':
      return createHash('md5')
        .update(canonical + secret, 'utf8')
        .digest('hex');
    default:
      // A method named otherwise (`HMAC-SHA256`, `sha256`) from untyped code: no sign at all would be sent.
      throw new TypeError(`unknown sign method ${JSON.stringify(method)}: use 'hmac-sha256' or 'md5'`);
  }
}

export function signRequest(input: CanonicalInput, secret: string, method: SignMethod): string {
  return signCanonical(canonicalString(input), secret, method);
}
