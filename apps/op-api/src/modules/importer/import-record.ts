import { isChatStatus, MAX_CHAT_ID_LENGTH, type ChatStatus } from '@op/contracts';
import { mapEasemobMessage, QINIU_KEY_MAX, RecordError } from '../chat-message/easemob-message';
import type { IngestRecord } from '../chat-message/message-store.service';

/** Parses one line of a §5 import file; throws {@link RecordError} naming the bad field. */
export function parseImportLine(line: string): IngestRecord {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    throw new RecordError('不是有效的 JSON');
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new RecordError('每行必须是一个 JSON 对象');
  const fields = record as Record<string, unknown>;
  const chatId = fields.chatId;
  if (chatId === undefined || chatId === null || chatId === '') throw new RecordError('chatId 不能为空');
  if (typeof chatId !== 'string') throw new RecordError('chatId 必须是字符串');
  if (chatId.length > MAX_CHAT_ID_LENGTH) throw new RecordError(`chatId 不能超过 ${MAX_CHAT_ID_LENGTH} 个字符`);
  let chatStatus: ChatStatus | null = null;
  if (fields.chatStatus !== undefined && fields.chatStatus !== null) {
    if (!isChatStatus(fields.chatStatus)) throw new RecordError('chatStatus 只能是 1、3、5、6 或 30');
    chatStatus = fields.chatStatus;
  }
  const qiniuKey = fields.qiniuKey;
  if (qiniuKey !== undefined && qiniuKey !== null && (typeof qiniuKey !== 'string' || qiniuKey.length > QINIU_KEY_MAX)) {
    throw new RecordError(`qiniuKey 必须是不超过 ${QINIU_KEY_MAX} 个字符的字符串`);
  }
  return { ...mapEasemobMessage(fields), chatId, chatStatus, qiniuKey: typeof qiniuKey === 'string' && qiniuKey !== '' ? qiniuKey : null };
}
