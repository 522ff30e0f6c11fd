import { ChatStatus } from '@op/contracts';

/** The chat of the original 2.37 example, with one message of every type. */
export const DEMO_CHAT_ID = 'u000103b6237d8f94447ab3bd6cbe9c89d70a';
export const DEMO_CUSTOMER = 'u0001fd9fb3524e52470899cba2d5ee84a801';
export const DEMO_AGENT_IM = '148992112329753020';
export const DEMO_USERNAME = 'demo';
export const DEMO_PASSWORD = 'demo-password';

const T0 = 1455878580000; // 2016-02-19 18:43:00 in Asia/Shanghai, the original's example time
const minute = 60_000;

type Body = Record<string, unknown>;

function record(chatId: string, status: ChatStatus, n: number, at: number, from: string, to: string, body: Body, extra: Body = {}) {
  return JSON.stringify({
    chatId,
    msg_id: String(164556432430072736n + BigInt(n)),
    timestamp: at,
    from,
    to,
    chat_type: 'chat',
    payload: { bodies: [body], ext: extra.ext ?? {} },
    chatStatus: status,
    qiniuKey: extra.qiniuKey ?? null,
  });
}

/** The demo history as §5 import lines, so the demo goes through the real import path. */
export function demoImportLines(): string[] {
  const c = DEMO_CHAT_ID;
  const s = ChatStatus.Chatting;
  const lines = [
    record(c, s, 0, T0, DEMO_CUSTOMER, DEMO_AGENT_IM, { type: 'txt', msg: '黑胡椒' }, { ext: { template: {} } }),
    record(c, s, 1, T0 + minute, DEMO_AGENT_IM, DEMO_CUSTOMER, { type: 'txt', msg: '您好，请问有什么可以帮您？\n我们的牛排都配黑胡椒汁。' }),
    record(c, s, 2, T0 + 2 * minute, DEMO_CUSTOMER, DEMO_AGENT_IM, {
      type: 'img',
      url: 'https://a1.easemob.com/easemob-demo/kefu/chatfiles/0c0f5f3a-d6e9-11e5-a9a4-97f0c4dd3a3e',
      filename: 'steak.jpg',
      secret: 'DA9fOtbpEeWo_pdq8TNfqx5mG0p9DnN6xDfXM4ZQu7_dbPnT',
      file_length: 128_412,
    }, { qiniuKey: 'chat/2016/steak.jpg' }),
    record(c, s, 3, T0 + 3 * minute, DEMO_CUSTOMER, DEMO_AGENT_IM, {
      type: 'audio',
      url: 'https://a1.easemob.com/easemob-demo/kefu/chatfiles/1f6f6a1a-d6e9-11e5-8b5e-1b9d5a0f2c11',
      filename: 'voice.amr',
      secret: 'H29qGtbpEeWLXhudWg8sEaEm',
      length: 6,
      file_length: 9_828,
    }),
    record(c, s, 4, T0 + 4 * minute, DEMO_AGENT_IM, DEMO_CUSTOMER, {
      type: 'video',
      url: 'https://a1.easemob.com/easemob-demo/kefu/chatfiles/2a0b1c7e-d6e9-11e5-9d2c-3f1e2a4b5c6d',
      filename: 'kitchen.mp4',
      secret: 'KgscftbpEeWdLD8eKktcbQ',
      thumb: 'https://a1.easemob.com/easemob-demo/kefu/chatfiles/2a0b1c7f-d6e9-11e5-9d2c-3f1e2a4b5c6d',
      thumb_secret: 'Kgscf9bpEeWdLD8eKktcbQ',
      length: 15,
      file_length: 1_048_576,
    }),
    record(c, s, 5, T0 + 5 * minute, DEMO_CUSTOMER, DEMO_AGENT_IM, { type: 'loc', addr: '上海市徐汇区漕溪北路 88 号', lat: '31.1890', lng: 121.4370 }),
    record(c, s, 6, T0 + 6 * minute, DEMO_AGENT_IM, DEMO_CUSTOMER, {
      type: 'file',
      url: 'https://a1.easemob.com/easemob-demo/kefu/chatfiles/3b1c2d8f-d6e9-11e5-8e3d-4a2f3b5c6d7e',
      filename: '菜单.pdf',
      secret: 'Oxwtj9bpEeWOPUovO1xtfg',
      file_length: 245_760,
    }),
    record(c, s, 7, T0 + 7 * minute, DEMO_AGENT_IM, DEMO_CUSTOMER, { type: 'cmd', action: 'typing_end' }),
    record(c, s, 8, T0 + 8 * minute, DEMO_AGENT_IM, DEMO_CUSTOMER, {
      type: 'custom',
      customEvent: 'order_card',
      customExts: { orderId: '20160219001', amount: '128.00' },
    }),
    // Same second as the one before: the page orders such messages by userMessageId.
    record(c, s, 9, T0 + 8 * minute, DEMO_CUSTOMER, DEMO_AGENT_IM, { type: 'txt', msg: '好的，谢谢 👍' }),
  ];
  const others: Array<[string, ChatStatus, string]> = [
    ['u00011a2b3c4d5e6f708192a3b4c5d6e7f8091', ChatStatus.Waiting, '在吗？想咨询一下订座'],
    ['u00012b3c4d5e6f708192a3b4c5d6e7f8091a2', ChatStatus.Ended, '我要申请退款，谢谢'],
    ['u00013c4d5e6f708192a3b4c5d6e7f8091a2b3', ChatStatus.UserDeleted, '这条会话已被用户删除'],
    ['u00014d5e6f708192a3b4c5d6e7f8091a2b3c4', ChatStatus.Suspended, '稍等，我去确认一下库存'],
  ];
  others.forEach(([chatId, status, text], i) => {
    const customer = `u0001${chatId.slice(5, 37)}`;
    lines.push(record(chatId, status, 100 + 2 * i, T0 + (10 + i) * minute, customer, DEMO_AGENT_IM, { type: 'txt', msg: text }));
    lines.push(record(chatId, status, 101 + 2 * i, T0 + (10 + i) * minute + 30_000, DEMO_AGENT_IM, customer, { type: 'txt', msg: '收到，马上为您处理。' }));
  });
  return lines;
}
