import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** 32 lowercase hex characters of randomness, the shape of the original's client ids. */
export function randomHex32(): string {
  return randomBytes(16).toString('hex');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * Names one holder among every process on the database (`host:pid:random`): the owner of a
 * lease, the writer of a heartbeat. Random too, as one process may hold several.
 */
export function holderId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}
