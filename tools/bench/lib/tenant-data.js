// Generated tenant data shared by the benchmark scripts: a seeded random source, Chinese
// sentences, one §5 import record per message type, and latency statistics.

const { mersenne } = require('pure-rand');

const WORDS = [
  '你好',
  '请问',
  '订单',
  '什么时候',
  '发货',
  '谢谢',
  '客服',
  '地址',
  '修改',
  '优惠券',
  '快递',
  '已经',
  '收到',
  '质量',
  '问题',
  'OK',
  'hello',
  '价格',
  '可以',
  '帮我',
];

/** Uniform numbers in [0, 1) from a seed, so every run loads the same messages. */
function seededRandom(seed) {
  const generator = mersenne(seed);
  return () => (generator.unsafeNext() >>> 0) / 2 ** 32;
}

function sentence(random) {
  const n = 3 + Math.floor(random() * 8);
  return Array.from({ length: n }, () => WORDS[Math.floor(random() * WORDS.length)]).join('');
}

/**
 * The payload body of one message of each Easemob type, picked with realistic weights
 * (text dominates), plus the Qiniu key an image may carry. `i` makes names distinct.
 */
function messageBody(random, i) {
  const r = random();
  if (r < 0.7) return { body: { type: 'txt', msg: sentence(random) }, ext: {} };
  if (r < 0.8) {
    return {
      body: {
        type: 'img',
        url: `https://a1.easemob.com/kefu/chatfiles/${i}`,
        filename: `图片${i}.jpg`,
        secret: 'Zs3a8h',
        file_length: 20_000 + (i % 90_000),
      },
      ext: {},
      qiniuKey: i % 2 === 0 ? `chat/2026/${i}.jpg` : undefined,
    };
  }
  if (r < 0.85)
    return {
      body: {
        type: 'audio',
        url: `https://a1.easemob.com/kefu/chatfiles/a${i}`,
        filename: `${i}.amr`,
        secret: 'Qa1',
        length: 1 + (i % 59),
        file_length: 4_000 + (i % 9_000),
      },
      ext: {},
    };
  if (r < 0.88) {
    return {
      body: {
        type: 'video',
        url: `https://a1.easemob.com/kefu/chatfiles/v${i}`,
        filename: `${i}.mp4`,
        thumb: `https://a1.easemob.com/kefu/chatfiles/t${i}`,
        secret: 'Vb2',
        thumb_secret: 'Tc3',
        length: 3 + (i % 120),
        file_length: 1_000_000 + i,
      },
      ext: {},
    };
  }
  if (r < 0.91) return { body: { type: 'loc', addr: '上海市徐汇区漕溪北路88号', lat: 31.19 + (i % 100) / 1e4, lng: 121.44 }, ext: {} };
  if (r < 0.95)
    return {
      body: {
        type: 'file',
        url: `https://a1.easemob.com/kefu/chatfiles/f${i}`,
        filename: `发票${i}.pdf`,
        secret: 'Fd4',
        file_length: 50_000 + i,
      },
      ext: {},
    };
  if (r < 0.97) return { body: { type: 'cmd', action: 'TransferToKf' }, ext: { weichat: { ctrlType: 'TransferToKf' } } };
  return {
    body: { type: 'custom', customEvent: 'order', customExts: { orderId: `D${i}`, price: '99.00' } },
    ext: { weichat: { msgtype: { order: { title: '订单' } } } },
  };
}

/** Median, p50 and p99 of a list of milliseconds. */
function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { median: Number(at(0.5).toFixed(2)), p99: Number(at(0.99).toFixed(2)), n: sorted.length };
}

module.exports = { WORDS, seededRandom, sentence, messageBody, stats };
