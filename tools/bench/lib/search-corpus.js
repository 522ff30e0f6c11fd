// The search benchmark's tenants: short Chinese chat messages whose characters follow a Zipf
// law over ~4,000 CJK characters (so character pairs are as varied as in real text), with
// punctuation, Latin, digits and emoji mixed in, and keywords planted at known rates: for
// each length (1, 2, 3, 5 characters, and a Latin word searched in another case) one rare
// keyword (1 message in 100,000) and one common one (1 in 20). Keyword characters never occur
// otherwise, so their counts are exactly the planted ones.
const { join } = require('node:path');
const { root } = require('../../scripts/ensure-built');
const { seededRandom } = require('./tenant-data');

const KEYWORDS = [
  { name: '1 char, rare', planted: '鑫', search: '鑫', rate: 1 / 100_000 },
  { name: '1 char, common', planted: '赔', search: '赔', rate: 1 / 20 },
  { name: '2 chars, rare', planted: '鹦鹉', search: '鹦鹉', rate: 1 / 100_000 },
  { name: '2 chars, common', planted: '退款', search: '退款', rate: 1 / 20 },
  { name: '3 chars, rare', planted: '琵琶行', search: '琵琶行', rate: 1 / 100_000 },
  { name: '3 chars, common', planted: '发票号', search: '发票号', rate: 1 / 20 },
  { name: '5 chars, rare', planted: '葡萄酒酿造', search: '葡萄酒酿造', rate: 1 / 100_000 },
  { name: '5 chars, common', planted: '七天无理由', search: '七天无理由', rate: 1 / 20 },
  { name: 'Latin, rare, other case', planted: 'Zephyr', search: 'ZEPHYR', rate: 1 / 100_000 },
  { name: 'Latin, common, other case', planted: 'iPhone', search: 'IPHONE', rate: 1 / 20 },
  { name: 'matches nothing', planted: null, search: '龘龘', rate: 0 },
];

/** A message generator for one tenant; `seed` makes it repeatable. */
function corpus(seed) {
  const random = seededRandom(seed);
  const banned = new Set(KEYWORDS.flatMap((k) => [...(k.planted ?? ''), ...k.search]).filter((c) => /\p{Script=Han}/u.test(c)));
  const chars = [];
  for (let cp = 0x4e00; cp <= 0x9fa5 && chars.length < 4000; cp += 1 + Math.floor(random() * 4)) {
    const c = String.fromCodePoint(cp);
    if (!banned.has(c)) chars.push(c);
  }
  for (let i = chars.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  const cumulative = [];
  let sum = 0;
  for (let i = 0; i < chars.length; i++) cumulative.push((sum += 1 / (i + 1)));
  const pick = () => {
    const r = random() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return chars[lo];
  };
  const extras = ['，', '。', '？', '！', 'OK', 'ok', '123', '4567', '😀', '👍', ' ', '、', '：'];
  return {
    random,
    /** The text of one message, with planted keywords. */
    text() {
      const n = 5 + Math.floor(random() * 30);
      let out = '';
      for (let i = 0; i < n; i++) out += random() < 0.08 ? extras[Math.floor(random() * extras.length)] : pick();
      for (const keyword of KEYWORDS) {
        if (keyword.planted !== null && random() < keyword.rate) {
          const at = Math.floor(random() * (out.length + 1));
          out = out.slice(0, at) + keyword.planted + out.slice(at);
        }
      }
      return out;
    },
  };
}

/**
 * §5 import records of one tenant: `messages` messages in sessions of 10–70 messages that each
 * last about an hour, starting evenly over the `days` before now; 85 % text, the rest images.
 */
function* tenantRecords({ seed, messages, days, prefix }) {
  // The built contracts library: the benches build it (ensureBuilt) before they generate records.
  const { importRecord } = require(join(root, 'libs/contracts/dist/testing/index.js'));
  const { DAY_MS } = require(join(root, 'libs/contracts/dist/index.js'));
  const c = corpus(seed);
  const span = days * DAY_MS;
  const start = Date.now() - span;
  let written = 0;
  for (let chat = 0; written < messages; chat++) {
    const size = Math.min(messages - written, 10 + Math.floor(c.random() * 61));
    const opened = start + Math.floor((written / messages) * span);
    for (let i = 0; i < size; i++) {
      const n = written++;
      const fromCustomer = i % 2 === 0;
      const body =
        c.random() < 0.85
          ? { type: 'txt', msg: c.text() }
          : { type: 'img', url: `https://a1.easemob.com/f/${prefix}${n}`, filename: `${n}.jpg`, secret: 's', file_length: 1024 };
      yield JSON.stringify(
        importRecord({
          chatId: `${prefix}${chat}`,
          msgId: `${prefix}m${n}`,
          timestamp: opened + i * 60_000,
          from: fromCustomer ? `u0001${prefix}${chat}` : 'kefu01',
          to: fromCustomer ? 'kefu01' : `u0001${prefix}${chat}`,
          body,
          chatStatus: [1, 3, 5, 5, 5, 5, 6, 30][chat % 8],
        }),
      );
    }
  }
}

module.exports = { KEYWORDS, corpus, tenantRecords };
