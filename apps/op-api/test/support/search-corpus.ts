/** The generated corpus of the search differential spec. */
import { mersenne } from 'pure-rand';

/** Repeatable uniform numbers in [0, 1) for a seed. */
function seededRandom(seed: number): () => number {
  const generator = mersenne(seed);
  return () => (generator.unsafeNext() >>> 0) / 2 ** 32;
}

const FRAGMENTS = [
  // Chinese words of 1, 2, 3 and 5 characters.
  '退',
  '款',
  '单',
  '的',
  '退款',
  '发货',
  '投诉',
  '订单',
  '你好',
  '申请退',
  '发票号',
  '七天无理由',
  '请尽快处理',
  // Latin in any case, digits, mixed.
  'iPhone',
  'IPHONE',
  'iphone15',
  'Refund',
  'REFUND',
  'ok',
  'OK',
  'Straße',
  'ΟΔΟΣ',
  'οδος',
  '15',
  '100',
  '2026',
  'iPhone15退款',
  // Punctuation, spaces and other whitespace.
  '，',
  '。',
  '？',
  '?',
  '!',
  '！',
  ' ',
  '  ',
  '：',
  '、',
  '\n',
  '\t',
  '-',
  '*',
  '|',
  '~',
  '@',
  '(',
  ')',
  '[',
  ']',
  // Full-width and compatibility forms, combining marks.
  'ｉＰｈｏｎｅ',
  '１５',
  'ＯＫ',
  '（',
  '）',
  '㈱',
  'ﬁ',
  'ﬀ',
  'é',
  'e\u0301',
  'Å',
  'A\u030a',
  // Emoji and other astral characters.
  '😀',
  '👍🏻',
  '𠀀',
  '🇨🇳',
  '𝒜',
  // What SQL, FTS and search syntaxes treat specially.
  '%',
  '_',
  "'",
  '"',
  '\\',
  '%_',
  '"quoted"',
  "it's",
  'a\\b',
  '*退款*',
  'AND',
  'OR',
  'NOT',
  'NEAR',
  '@k',
  '^',
  '$',
  '=',
];

const FIXED_KEYWORDS = [
  '工单号',
  '%',
  '_',
  '\\',
  '"',
  "'",
  '😀',
  '👍',
  '🏻',
  '𠀀',
  '🇨',
  'é',
  'e',
  'fi',
  '株',
  '(株)',
  '，',
  ',',
  'ok',
  'ＯＫ',
  'σ',
  'ς',
  '!',
  '*',
  '|',
  '退款',
  '退',
  '款退',
  '申请退款',
  '七天无理由',
  'iphone15退款',
  'ＩＰＨＯＮＥ',
  'refund',
  'straße',
  'STRASSE',
  'AND',
  'NOT 退款',
  '不存在的词',
  '龘',
  'zzzz',
  'a b',
  '-',
  '"quoted"',
  'k',
  'A\u030a',
  'å',
];

export interface Corpus {
  chats: Array<{ chatId: string; status: number; messages: Array<{ msgId: string; hours: number; text: string | null }> }>;
  keywords: string[];
}

/** A seeded corpus of chats of hostile text and keywords drawn from it (and some that match nothing). */
export function generateCorpus(seed: number): Corpus {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const text = () => Array.from({ length: 1 + Math.floor(random() * 8) }, () => pick(FRAGMENTS)).join('');
  const chats: Corpus['chats'] = [];
  let n = 0;
  for (let c = 0; c < 60; c++) {
    // `big` is longer than a common keyword's store probe (500 newest messages) reads.
    const size = c === 0 ? 700 : 1 + Math.floor(random() * 12);
    chats.push({
      chatId: c === 0 ? 'big' : `chat-${String(c).padStart(2, '0')}-${pick(['a', 'B', 'ç', '退'])}`,
      status: pick([1, 3, 5, 5, 6, 30]),
      messages: Array.from({ length: size }, () => ({
        msgId: `d${seed}-${n++}`,
        // The last six chats are 40 days older: a history longer than the newest days a
        // common-keyword probe reads, so the whole-history index answers too.
        hours: Math.floor(random() * 96) - (c >= 54 ? 40 * 24 : 0),
        text: random() < 0.1 ? null : text(),
      })),
    });
  }
  // 工单号: in a dozen short chats, and in `big` only in its oldest text message, out of reach
  // of the newest messages a common keyword's probe reads (the index answers for `big`).
  for (const chat of chats.slice(1, 13)) {
    const message = chat.messages.find((m) => m.text !== null);
    if (message) message.text += '工单号';
  }
  const oldest = chats[0].messages.filter((m) => m.text !== null).sort((a, b) => a.hours - b.hours)[0];
  oldest.text += '工单号';
  const texts = chats.flatMap((chat) => chat.messages.map((m) => m.text).filter((t): t is string => t !== null));
  const variants = [
    (s: string) => s,
    (s: string) => s.toUpperCase(),
    (s: string) => s.toLowerCase(),
    (s: string) => s.replace(/[!-~]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)),
  ];
  const keywords = new Set(FIXED_KEYWORDS);
  while (keywords.size < FIXED_KEYWORDS.length + 90) {
    const chars = Array.from(pick(texts));
    const length = 1 + Math.floor(random() * 6);
    const start = Math.floor(random() * Math.max(1, chars.length - length + 1));
    const keyword = pick(variants)(chars.slice(start, start + length).join('')).trim();
    if (keyword !== '' && keyword.length <= 64) keywords.add(random() < 0.1 ? `${keyword}${pick(FRAGMENTS)}`.trim() : keyword);
  }
  return { chats, keywords: [...keywords] };
}
