import { importRecord, type ImportBody, type ImportRecord } from '@op/contracts/testing';

/** §5 import records for specs, with defaults: a text message of a customer to kefu01 at T0. */
export const T0 = Date.UTC(2016, 1, 19, 10, 43, 0); // 2016-02-19 18:43:00 in Asia/Shanghai

let sequence = 0;

export interface RecordOptions {
  chatId: string;
  timestamp?: number;
  msgId?: string;
  from?: string;
  to?: string;
  body?: ImportBody;
  ext?: Record<string, unknown>;
  chatStatus?: number;
  qiniuKey?: string | null;
}

export function record(options: RecordOptions): ImportRecord {
  sequence++;
  return importRecord({
    chatId: options.chatId,
    msgId: options.msgId ?? `${Date.now()}${String(sequence).padStart(6, '0')}`,
    timestamp: options.timestamp ?? T0,
    from: options.from ?? 'u0001customer',
    to: options.to ?? 'kefu01',
    body: options.body ?? `message ${sequence}`,
    ext: options.ext,
    chatStatus: options.chatStatus,
    qiniuKey: options.qiniuKey,
  });
}
