import { createHash } from 'node:crypto';
import { normalizeSearchText } from '@op/contracts';
import { dayNumber } from '../../database/message-days';
import type { IndexedMessage, SearchQuery } from './search-engine';

/**
 * The words an inverted index (SQLite FTS5, Sphinx/Manticore) is given for a message, so that
 * its plain term and phrase queries give exactly the contracts' substring semantics
 * (`normalizeSearchText`) for any keyword, with no tokenizer of the engine's own in the way.
 *
 * Each code point of the normalised text becomes four base-36 characters (U+10FFFF fits);
 * a message yields, in field `b`, one word per pair of adjacent code points and, in field
 * `u`, one word per code point, each word led by the tenant's six-character key, so that the
 * postings of one tenant never mix with another's (a small tenant's query never walks a big
 * one's). A keyword of one code point is one word of `u`; of two, one word of `b`; of more,
 * the phrase of its overlapping pairs in `b`, which matches exactly where the keyword occurs.
 * Field `k` holds the message's keys: its tenant (`t` + the whole id, never ambiguous) and its
 * chat (`c` + a 50-bit hash, filtered exactly by the chat id wherever results are read).
 */
export interface MessageTokens {
  b: string;
  u: string;
  k: string;
}

export interface KeywordTokens {
  /** `u` for a one-character keyword, `b` otherwise. */
  field: 'b' | 'u';
  /** One word, or the words of a phrase. */
  words: string[];
}

const CODE_WIDTH = 4;
const KEY_WIDTH = 6;

function hashBits(text: string, bytes: number): bigint {
  return BigInt(
    `0x${createHash('sha256')
      .update(text, 'utf8')
      .digest('hex')
      .slice(0, bytes * 2)}`,
  );
}

/** Six base-36 characters hashed from `text`, remembered in `cache` (cleared past `max` entries). */
function shortKey(cache: Map<string, string>, max: number, text: string): string {
  let key = cache.get(text);
  if (key === undefined) {
    key = (hashBits(text, 4) % 36n ** BigInt(KEY_WIDTH)).toString(36).padStart(KEY_WIDTH, '0');
    if (cache.size > max) cache.clear();
    cache.set(text, key);
  }
  return key;
}

const tenantKeys = new Map<string, string>();

/** Six base-36 characters standing for the tenant in every word of its messages. */
export const tenantKey = (tenantId: string): string => shortKey(tenantKeys, 10_000, tenantId);

/** The word of field `k` every message of the tenant carries. */
export function tenantWord(tenantId: string): string {
  // Tenant ids are 32 hex characters; anything else is hashed to stay a plain word.
  return /^[0-9a-f]{1,40}$/.test(tenantId) ? `t${tenantId}` : `t${hashBits(tenantId, 16).toString(36)}`;
}

/** The word of field `k` every message of the chat carries. */
export function chatWord(chatId: string): string {
  return `c${(hashBits(chatId, 7) >> 6n).toString(36)}`;
}

/** A 63-bit number for an attribute filter (Sphinx); equal ids give equal numbers. */
export function attributeHash(text: string): string {
  return (hashBits(text, 8) >> 1n).toString();
}

const codeWord = (codePoint: number) => codePoint.toString(36).padStart(CODE_WIDTH, '0');
const codesOf = (normal: string) => Array.from(normal, (char) => codeWord(char.codePointAt(0)!));

/** One word per pair of adjacent code points, each led by `key`. */
function pairWords(key: string, codes: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i + 1 < codes.length; i++) words.push(key + codes[i] + codes[i + 1]);
  return words;
}

/** The words of a message whose normalised text is `normal`. */
export function messageTokens(tenantId: string, chatId: string, normal: string): MessageTokens {
  const key = tenantKey(tenantId);
  const codes = codesOf(normal);
  return {
    b: pairWords(key, codes).join(' '),
    u: codes.map((code) => key + code).join(' '),
    k: `${tenantWord(tenantId)} ${chatWord(chatId)}`,
  };
}

/** The words a keyword whose normalised form is `normal` (not empty) is looked up by. */
export function keywordTokens(tenantId: string, normal: string): KeywordTokens {
  const key = tenantKey(tenantId);
  const codes = codesOf(normal);
  return codes.length === 1 ? { field: 'u', words: [key + codes[0]] } : { field: 'b', words: pairWords(key, codes) };
}

/**
 * Day words (Mroonga's `dw`): the same pairs, each led by a six-character key of the message's
 * tenant and UTC day instead of the tenant alone, then the last code point alone. They let a
 * search read one day of one tenant's postings (how many chats hold a keyword on the newest
 * days) where the whole-history index would read every day's. A one-character keyword is a
 * prefix (a pair starting with it, or the last code point); two characters, one word; more,
 * the phrase of its pairs. The key is a hash: a (tenant, day) sharing another's key only adds
 * candidates, which the tenant and time conditions of every query remove.
 */
const dayKeys = new Map<string, string>();

export const dayKey = (tenantId: string, day: number): string => shortKey(dayKeys, 100_000, `${tenantId}:${day}`);

/** The day words of a message whose normalised text is `normal`. */
export function dayWords(tenantId: string, createTimeMs: number, normal: string): string {
  const key = dayKey(tenantId, dayNumber(createTimeMs));
  const codes = codesOf(normal);
  return codes.length === 0 ? '' : [...pairWords(key, codes), key + codes[codes.length - 1]].join(' ');
}

/** How a keyword is looked up in the day words of one day: a prefix, or a word or phrase. */
export function dayKeywordWords(tenantId: string, day: number, normal: string): { prefix: boolean; words: string[] } {
  const key = dayKey(tenantId, day);
  const codes = codesOf(normal);
  return codes.length === 1 ? { prefix: true, words: [key + codes[0]] } : { prefix: false, words: pairWords(key, codes) };
}

/**
 * A query that must find `message` through its own text (its first three characters): how
 * `search:verify` checks that an index holds a message. Null for a message with no text.
 */
export function selfQuery(message: IndexedMessage): SearchQuery | null {
  const normal = Array.from(normalizeSearchText(message.msg)).slice(0, 3).join('');
  return normal === '' ? null : { tenantId: message.tenantId, normal, fromMs: null, toMs: null };
}
