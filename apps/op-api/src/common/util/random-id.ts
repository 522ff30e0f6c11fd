import { createHash, randomBytes } from 'node:crypto';

/** 32 lowercase hex characters of randomness, the shape of the original's client ids. */
export function randomHex32(): string {
  return randomBytes(16).toString('hex');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
