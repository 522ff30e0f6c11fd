import { isChatStatus, MAX_CHAT_ID_LENGTH, type ChatStatus } from '@op/contracts';
import { idText, mapEasemobMessage, QINIU_KEY_MAX, RecordError, trimmedId } from '../chat-message/easemob-message';
import type { IngestRecord } from '../chat-message/message-store.service';
import type { RoutedMessage } from '../easemob/message-router.service';
import { parseKeepingExt } from '../../common/util/exact-json';

/**
 * One import line: a §5 record names its session (`chatId`); a record of Easemob's own
 * history export has none and is routed to its session like a live callback.
 */
export type ImportLine = { kind: 'session'; record: IngestRecord } | { kind: 'routed'; message: RoutedMessage };

/**
 * The earliest message time an import file may give, 1973-03-03 (10^11 ms): an earlier one is
 * a time in seconds (10^11 s is the year 5138), which would be stored as January 1970. Easemob's
 * own callbacks are not held to it: they are never in seconds, and one refused would be lost.
 */
export const MIN_IMPORT_TIME_MS = 1e11;

function mapImported(fields: Record<string, unknown>, options: { archived?: boolean } = {}): ReturnType<typeof mapEasemobMessage> {
  const message = mapEasemobMessage(fields, options);
  if (message.createTimeMs < MIN_IMPORT_TIME_MS) throw new RecordError('timestamp 必须是毫秒时间戳：该值早于 1973 年，像是以秒为单位');
  return message;
}

/** Parses one line of an import file; throws {@link RecordError} naming the bad field. */
export function parseImportLine(line: string): ImportLine {
  let record: unknown;
  try {
    record = parseKeepingExt(line);
  } catch {
    throw new RecordError('不是有效的 JSON');
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new RecordError('每行必须是一个 JSON 对象');
  const fields = record as Record<string, unknown>;
  const qiniuKey = fields.qiniuKey;
  if (qiniuKey !== undefined && qiniuKey !== null && (typeof qiniuKey !== 'string' || qiniuKey.length > QINIU_KEY_MAX)) {
    throw new RecordError(`qiniuKey 必须是不超过 ${QINIU_KEY_MAX} 个字符的字符串`);
  }
  const key = typeof qiniuKey === 'string' && qiniuKey !== '' ? qiniuKey : null;

  const chatId = fields.chatId;
  if (chatId === undefined) {
    const chatType = fields.chat_type ?? 'chat';
    if (chatType !== 'chat' && chatType !== 'groupchat')
      throw new RecordError(`chat_type 不支持：${JSON.stringify(chatType).slice(0, 16)}`);
    const message = mapImported(fields);
    if (message.form === null || message.to === null) throw new RecordError('from 和 to 不能为空');
    const groupId = chatType === 'groupchat' ? idText(fields.group_id ?? fields.to, 'group_id', true) : null;
    return { kind: 'routed', message: { ...message, qiniuKey: key, groupId } };
  }
  if (chatId === null || chatId === '') throw new RecordError('chatId 不能为空');
  if (typeof chatId !== 'string') throw new RecordError('chatId 必须是字符串');
  if (chatId.length > MAX_CHAT_ID_LENGTH) throw new RecordError(`chatId 不能超过 ${MAX_CHAT_ID_LENGTH} 个字符`);
  trimmedId(chatId, 'chatId');
  let chatStatus: ChatStatus | null = null;
  if (fields.chatStatus !== undefined && fields.chatStatus !== null) {
    if (!isChatStatus(fields.chatStatus)) throw new RecordError('chatStatus 只能是 1、3、5、6 或 30');
    chatStatus = fields.chatStatus;
  }
  const groupId = fields.chat_type === 'groupchat' ? idText(fields.group_id ?? fields.to, 'group_id', false) : null;
  // A §5 record comes from an archive: its ext.recalled is that archive's recall flag.
  return { kind: 'session', record: { ...mapImported(fields, { archived: true }), chatId, chatStatus, qiniuKey: key, groupId } };
}
