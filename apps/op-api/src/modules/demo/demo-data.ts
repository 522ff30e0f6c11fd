import { ChatStatus } from '@op/contracts';
import { importRecord, type ImportBody } from '@op/contracts/testing';

/** The chat of the original 2.37 example, with one message of every type. */
export const DEMO_CHAT_ID = 'u000103b6237d8f94447ab3bd6cbe9c89d70a';
export const DEMO_CUSTOMER = 'u0001fd9fb3524e52470899cba2d5ee84a801';
export const DEMO_AGENT_IM = '148992112329753020';
/** The demo's admin: reads every chat of the tenant and the audit log. */
export const DEMO_USERNAME = 'demo';
export const DEMO_PASSWORD = 'demo-password';
/** The demo's agent: reads the chats assigned to them only (and may take unassigned ones). */
export const DEMO_AGENT_USERNAME = 'agent';
export const DEMO_AGENT_PASSWORD = 'agent-password';
export const DEMO_AGENT_AGENT_IM = 'kefu-xiaoli';
/** The long chat: a few hundred messages, so paging and jumping to a hit can be tried. */
export const DEMO_LONG_CHAT_ID = 'u0001a7c3e9f1b2d4c6e8f0a1b3c5d7e9f1a2b3';
export const DEMO_LONG_CHAT_MESSAGES = 300;

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/** What a line may add to its record: `offset` shifts its time (ms). */
interface Extra {
  ext?: Record<string, unknown>;
  qiniuKey?: string;
  offset?: number;
}

/** A demo chat: who talks in it, its status, and to whom it is assigned (`null`: nobody). */
export interface DemoChat {
  chatId: string;
  customerId: string;
  status: ChatStatus;
  /** `admin` or `agent`: the operator it is assigned to. */
  assignee: 'admin' | 'agent' | null;
}

/** A mark or a favorite to put on the n-th message (0-based) of a chat. */
export interface DemoTouch {
  chatId: string;
  index: number;
  mark?: string;
  favoriteOf?: 'admin' | 'agent';
}

export interface DemoData {
  chats: DemoChat[];
  lines: string[];
  touches: DemoTouch[];
}

/** A customer id in the Easemob style of the example (`u0001` + 32 hex). */
function customerOf(chatId: string): string {
  return `u0001${chatId.slice(5, 37).padEnd(32, '0')}`;
}

type Line = [who: 'c' | 'a', body: ImportBody | string, extra?: Extra];

/**
 * The demo history as §5 import lines (so the demo goes through the real import path), dated
 * relative to `now`: every chat is recent, inside the keyword search's window. Several chats
 * are about 退款, 发货 and 投诉; one runs to {@link DEMO_LONG_CHAT_MESSAGES} messages; every
 * message type appears.
 */
export function demoData(now: number): DemoData {
  const chats: DemoChat[] = [];
  const lines: string[] = [];
  const touches: DemoTouch[] = [];
  let n = 0;

  const chat = (
    chatId: string,
    status: ChatStatus,
    assignee: DemoChat['assignee'],
    start: number,
    script: Line[],
    step = minute,
    customerId = customerOf(chatId),
  ) => {
    const agentIm = assignee === 'agent' ? DEMO_AGENT_AGENT_IM : DEMO_AGENT_IM;
    chats.push({ chatId, customerId, status, assignee });
    script.forEach(([who, body, extra = {}], i) => {
      const [from, to] = who === 'c' ? [customerId, agentIm] : [agentIm, customerId];
      lines.push(
        JSON.stringify(
          importRecord({
            chatId,
            msgId: String(164556432430072736n + BigInt(n++)),
            timestamp: Math.min(now, start + i * step + (extra.offset ?? 0)),
            from,
            to,
            body,
            ext: extra.ext,
            chatStatus: status,
            qiniuKey: extra.qiniuKey ?? null,
          }),
        ),
      );
    });
  };
  const files = 'https://a1.easemob.com/easemob-demo/kefu/chatfiles';

  // The original example's chat: one message of each of the eight types, in the last two hours.
  chat(
    DEMO_CHAT_ID,
    ChatStatus.Chatting,
    'admin',
    now - 2 * hour,
    [
      ['c', '黑胡椒', { ext: { template: {} } }],
      ['a', '您好，请问有什么可以帮您？\n我们的牛排都配黑胡椒汁。'],
      [
        'c',
        {
          type: 'img',
          url: `${files}/0c0f5f3a-d6e9-11e5-a9a4-97f0c4dd3a3e`,
          filename: 'steak.jpg',
          secret: 'DA9fOtbpEeWo_pdq8TNfqx5mG0p9DnN6xDfXM4ZQu7_dbPnT',
          file_length: 128_412,
        },
        { qiniuKey: 'chat/2016/steak.jpg' },
      ],
      [
        'c',
        {
          type: 'audio',
          url: `${files}/1f6f6a1a-d6e9-11e5-8b5e-1b9d5a0f2c11`,
          filename: 'voice.amr',
          secret: 'H29qGtbpEeWLXhudWg8sEaEm',
          length: 6,
          file_length: 9_828,
        },
      ],
      [
        'a',
        {
          type: 'video',
          url: `${files}/2a0b1c7e-d6e9-11e5-9d2c-3f1e2a4b5c6d`,
          filename: 'kitchen.mp4',
          secret: 'KgscftbpEeWdLD8eKktcbQ',
          thumb: `${files}/2a0b1c7f-d6e9-11e5-9d2c-3f1e2a4b5c6d`,
          thumb_secret: 'Kgscf9bpEeWdLD8eKktcbQ',
          length: 15,
          file_length: 1_048_576,
        },
      ],
      ['c', { type: 'loc', addr: '上海市徐汇区漕溪北路 88 号', lat: '31.1890', lng: 121.437 }],
      [
        'a',
        {
          type: 'file',
          url: `${files}/3b1c2d8f-d6e9-11e5-8e3d-4a2f3b5c6d7e`,
          filename: '菜单.pdf',
          secret: 'Oxwtj9bpEeWOPUovO1xtfg',
          file_length: 245_760,
        },
      ],
      ['a', { type: 'cmd', action: 'typing_end' }],
      ['a', { type: 'custom', customEvent: 'order_card', customExts: { orderId: '20160219001', amount: '128.00' } }],
      // Same time as the one before: the page orders such messages by userMessageId.
      ['c', '好的，谢谢 👍', { offset: -minute }],
    ],
    minute,
    DEMO_CUSTOMER,
  );
  touches.push(
    { chatId: DEMO_CHAT_ID, index: 0, favoriteOf: 'admin' },
    { chatId: DEMO_CHAT_ID, index: 2, mark: '重要' },
    { chatId: DEMO_CHAT_ID, index: 2, mark: '菜品' },
  );

  // 退款 (refunds)
  const refund1 = 'u0001b1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7';
  chat(
    refund1,
    ChatStatus.Ended,
    'agent',
    now - 1 * day - 3 * hour,
    [
      ['c', '你好，我上周买的电饭煲一直没用就坏了，能退款吗？'],
      ['a', '您好，非常抱歉给您带来不便。请提供一下订单号，我帮您查询。'],
      ['c', '订单号 202611203381'],
      ['c', { type: 'img', url: `${files}/4c2d3e9a-0001-11e5-8e3d-4a2f3b5c6d7e`, filename: '故障照片.jpg', file_length: 88_120 }],
      ['a', '已查到，商品在 7 天无理由退货期内，可以为您办理退款。'],
      ['c', '退款多久能到账？'],
      ['a', '退款审核通过后 1–3 个工作日原路退回，请留意银行短信。'],
      ['c', '好的，谢谢'],
    ],
    2 * minute,
  );
  touches.push(
    { chatId: refund1, index: 4, mark: '退款' },
    { chatId: refund1, index: 4, favoriteOf: 'agent' },
    { chatId: refund1, index: 0, favoriteOf: 'admin' },
  );

  const refund2 = 'u0001c2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8';
  chat(
    refund2,
    ChatStatus.Suspended,
    'agent',
    now - 5 * hour,
    [
      ['c', '申请退款已经三天了，钱还没到账'],
      ['a', '您好，请稍等，我去财务确认一下退款进度。'],
      ['a', { type: 'cmd', action: 'transfer_to_finance' }],
      ['a', '已为您加急处理，今天之内会退回原支付账户。'],
    ],
    3 * minute,
  );
  touches.push({ chatId: refund2, index: 0, mark: '待回访' });

  const refund3 = 'u00012b3c4d5e6f708192a3b4c5d6e7f8091a2';
  chat(
    refund3,
    ChatStatus.Ended,
    null,
    now - 9 * day,
    [
      ['c', '我要申请退款，谢谢'],
      ['a', '收到，马上为您处理。'],
      ['a', { type: 'file', url: `${files}/5d3e4fab-0002-11e5-8e3d-4a2f3b5c6d7e`, filename: '退款申请表.xlsx', file_length: 19_456 }],
      ['c', '表格已经填好了，退款原因写的是尺码不合适'],
      ['a', '好的，退款已提交，请耐心等待。'],
    ],
    4 * minute,
  );

  // 发货 (shipping)
  const ship1 = 'u0001d3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9';
  chat(
    ship1,
    ChatStatus.Chatting,
    'agent',
    now - 40 * minute,
    [
      ['c', '请问什么时候发货？我昨天下的单'],
      ['a', '您好，您的订单预计今天下午发货，发货后会短信通知您。'],
      ['c', '能改一下收货地址吗？改成这个'],
      ['c', { type: 'loc', addr: '北京市朝阳区建国路 93 号', lat: 39.9087, lng: 116.4756 }],
      ['a', '已为您修改收货地址，发货时会按新地址寄出。'],
    ],
    3 * minute,
  );
  touches.push({ chatId: ship1, index: 3, mark: '改地址' });

  const ship2 = 'u0001e4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0';
  chat(
    ship2,
    ChatStatus.Ended,
    null,
    now - 3 * day,
    [
      ['c', '已经发货了吗？物流单号是多少'],
      ['a', '已发货，顺丰单号 SF1234567890，请注意查收。'],
      ['a', { type: 'file', url: `${files}/6e4f5abc-0003-11e5-8e3d-4a2f3b5c6d7e`, filename: '发货单.pdf', file_length: 52_224 }],
      ['c', '收到了，谢谢'],
    ],
    5 * minute,
  );

  const ship3 = 'u00011a2b3c4d5e6f708192a3b4c5d6e7f8091';
  chat(ship3, ChatStatus.Waiting, null, now - 10 * minute, [
    ['c', '在吗？下单两天了还没发货'],
    ['c', '麻烦帮我催一下发货'],
  ]);

  // 投诉 (complaints)
  const complaint1 = 'u0001f5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1';
  chat(
    complaint1,
    ChatStatus.Chatting,
    'admin',
    now - 26 * hour,
    [
      ['c', '我要投诉！快递员态度很差，还把包裹扔在门口'],
      [
        'c',
        { type: 'audio', url: `${files}/7f5a6bcd-0004-11e5-8e3d-4a2f3b5c6d7e`, filename: 'complaint.amr', length: 42, file_length: 61_440 },
      ],
      ['a', '非常抱歉给您带来不好的体验，您的投诉我们已经记录，会在 24 小时内给您回复。'],
      [
        'c',
        {
          type: 'video',
          url: `${files}/8a6b7cde-0005-11e5-8e3d-4a2f3b5c6d7e`,
          thumb: `${files}/8a6b7cdf-0005-11e5-8e3d-4a2f3b5c6d7e`,
          filename: 'door.mp4',
          length: 12,
          file_length: 2_310_144,
        },
      ],
      ['a', { type: 'custom', customEvent: 'ticket_card', customExts: { ticketId: 'TS-20261201-07' } }],
    ],
    4 * minute,
  );
  touches.push(
    { chatId: complaint1, index: 0, mark: '投诉升级' },
    { chatId: complaint1, index: 0, mark: '重要' },
    { chatId: complaint1, index: 2, favoriteOf: 'admin' },
  );

  const complaint2 = 'u00013c4d5e6f708192a3b4c5d6e7f8091a2b3';
  chat(
    complaint2,
    ChatStatus.UserDeleted,
    null,
    now - 14 * day,
    [
      ['c', '投诉：收到的商品和描述不符'],
      ['a', '抱歉，请发一张商品照片，我们核实后处理。'],
      ['c', '算了，不用了', { ext: { recalled: true } }],
    ],
    6 * minute,
  );

  // A long chat: a wholesale order talked through over a day, a few hundred messages.
  const products = ['保温杯', '电饭煲', '蓝牙耳机', '空气炸锅', '羽绒服', '运动鞋', '台灯', '床上四件套'];
  const long: Line[] = [];
  for (let i = 0; long.length < DEMO_LONG_CHAT_MESSAGES; i++) {
    const product = products[i % products.length];
    const k = i + 1;
    const turns: Line[] = [
      ['c', `第 ${k} 单：${product} 还有货吗？需要 ${10 + (k % 7) * 5} 件`],
      ['a', `您好，${product} 目前有货，${10 + (k % 7) * 5} 件可以今天安排发货。`],
    ];
    if (k % 9 === 0)
      turns.push(['c', `上一批的${product}有两件破损，这两件能退款吗？`], ['a', '可以的，破损的两件为您单独退款，其余照常发货。']);
    if (k % 13 === 0)
      turns.push([
        'c',
        {
          type: 'img',
          url: `${files}/9b7c8def-${String(k).padStart(4, '0')}-11e5-8e3d-4a2f3b5c6d7e`,
          filename: `${product}.jpg`,
          file_length: 64_000 + k,
        },
      ]);
    if (k % 17 === 0) turns.push(['c', '物流太慢了，我要投诉上次的快递'], ['a', '抱歉，这次为您换成顺丰发货。']);
    long.push(...turns);
  }
  chat(DEMO_LONG_CHAT_ID, ChatStatus.Ended, 'agent', now - 3 * day, long.slice(0, DEMO_LONG_CHAT_MESSAGES), 4 * minute);
  touches.push(
    { chatId: DEMO_LONG_CHAT_ID, index: 17, mark: '退款' },
    { chatId: DEMO_LONG_CHAT_ID, index: 150, favoriteOf: 'agent' },
    { chatId: DEMO_LONG_CHAT_ID, index: 150, mark: '待回访' },
  );

  return { chats, lines, touches };
}
