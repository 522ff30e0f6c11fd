/** Builders of §5 import records for specs. */
export const T0 = Date.UTC(2016, 1, 19, 10, 43, 0); // 2016-02-19 18:43:00 in Asia/Shanghai

let sequence = 0;

export interface RecordOptions {
  chatId: string;
  timestamp?: number;
  msgId?: string;
  from?: string;
  to?: string;
  body?: Record<string, unknown>;
  ext?: Record<string, unknown>;
  chatStatus?: number;
  qiniuKey?: string | null;
}

export function record(options: RecordOptions): Record<string, unknown> {
  sequence++;
  return {
    chatId: options.chatId,
    msg_id: options.msgId ?? `${Date.now()}${String(sequence).padStart(6, '0')}`,
    timestamp: options.timestamp ?? T0,
    from: options.from ?? 'u0001customer',
    to: options.to ?? 'kefu01',
    chat_type: 'chat',
    payload: { bodies: [options.body ?? { type: 'txt', msg: `message ${sequence}` }], ext: options.ext ?? {} },
    ...(options.chatStatus === undefined ? {} : { chatStatus: options.chatStatus }),
    ...(options.qiniuKey === undefined ? {} : { qiniuKey: options.qiniuKey }),
  };
}
