import { Inject, Injectable } from '@nestjs/common';
import {
  DEFAULT_PAGE_NUM,
  DEFAULT_PAGE_SIZE,
  chatStatusLabel,
  isMessageType,
  pageInfo,
  type ChatMessage,
  type ChatMessageListData,
  type ChatMessageListRequest,
} from '@op/contracts';
import type { AppConfig, QiniuConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { OpError } from '../../common/errors/op-error';
import { Paged } from '../../common/interceptors/envelope';
import { TimeFormatter } from '../../common/util/time-format';
import type { OpContext } from '../../common/decorators/op-context.decorator';
import { ChatMessageRepository, type MessageRow } from './chat-message.repository';
import { qiniuPrivateUrl } from './qiniu-url';

const numberOrNull = (value: number | string | null): number | null => (value === null ? null : Number(value));

function parseExt(raw: string | null): Record<string, unknown> {
  if (raw === null || raw === '') return {};
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** 2.37: one page of a chat's messages, in the contract's field order. */
@Injectable()
export class ChatMessageService {
  private readonly time: TimeFormatter;
  private readonly qiniu: QiniuConfig | null;

  constructor(
    private readonly messages: ChatMessageRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.time = new TimeFormatter(config.timezone);
    this.qiniu = config.qiniu;
  }

  async list(context: OpContext, request: ChatMessageListRequest): Promise<Paged<ChatMessageListData>> {
    const pageNum = request.pageNum ?? DEFAULT_PAGE_NUM;
    const pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
    const chat = await this.messages.findChat(context.tenantId, request.chatId);
    // Another tenant's chat is "not found" too: its existence does not leak.
    if (!chat) throw OpError.notFound(`chatId ${request.chatId} 对应的会话不存在`);

    const offset = (pageNum - 1) * pageSize;
    const rows = offset < chat.messageCount
      ? await this.messages.page(context.tenantId, request.chatId, { offset, limit: pageSize, total: chat.messageCount })
      : [];
    const ids = rows.map((row) => row.id);
    const [marks, favorites] = await Promise.all([
      request.needMark ? this.messages.marks(context.tenantId, request.chatId, ids) : null,
      request.needFavorite && context.operator ? this.messages.favorites(context.tenantId, context.operator.id, ids) : null,
    ]);
    const deadline = this.qiniu ? Math.floor(Date.now() / 1000) + this.qiniu.urlTtlSeconds : 0;
    const msg = rows.map((row) => {
      const message = this.toMessage(row, deadline);
      if (request.needFavorite) message.favorite = favorites?.has(row.id) ?? false;
      if (request.needMark) message.mark = marks?.get(row.id) ?? [];
      return message;
    });
    return new Paged(
      { status: chatStatusLabel(chat.status), msg, chatId: request.chatId },
      pageInfo(chat.messageCount, pageNum, pageSize, msg.length),
    );
  }

  private toMessage(row: MessageRow, deadline: number): ChatMessage {
    return {
      userMessageId: row.id,
      hxMsgId: row.hx_msg_id,
      form: row.from_user,
      to: row.to_user,
      type: isMessageType(row.type) ? row.type : 'custom',
      msg: row.msg,
      url: row.url,
      filename: row.filename,
      thumb: row.thumb,
      secret: row.secret,
      thumb_secret: row.thumb_secret,
      length: numberOrNull(row.length),
      file_length: numberOrNull(row.file_length),
      addr: row.addr,
      lat: numberOrNull(row.lat),
      lng: numberOrNull(row.lng),
      createTime: this.time.formatMs(Number(row.create_time)),
      getUrl:
        this.qiniu && row.qiniu_key
          ? qiniuPrivateUrl(this.qiniu.domain, row.qiniu_key, this.qiniu.accessKey, this.qiniu.secretKey, deadline)
          : null,
      ext: parseExt(row.ext),
    };
  }
}
