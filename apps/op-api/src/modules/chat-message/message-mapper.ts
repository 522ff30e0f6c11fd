import { Inject, Injectable } from '@nestjs/common';
import { isMessageType, parseExact, type ChatMessage } from '@op/contracts';
import type { AppConfig, QiniuConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { TimeFormatter } from '../../common/util/time-format';
import type { MessageRow } from './chat-message.repository';
import { qiniuPrivateUrl } from './qiniu-url';

const numberOrNull = (value: number | string | null): number | null => (value === null ? null : Number(value));

function parseExt(raw: string | null): Record<string, unknown> {
  if (raw === null || raw === '') return {};
  try {
    const value = parseExact(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A stored message as 2.37 writes it; every endpoint that returns a message uses this. */
@Injectable()
export class MessageMapper {
  private readonly time: TimeFormatter;
  private readonly qiniu: QiniuConfig | null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.time = new TimeFormatter(config.timezone);
    this.qiniu = config.qiniu;
  }

  /** The `e=` deadline of Qiniu URLs signed now; one per response. */
  urlDeadline(): number {
    return this.qiniu ? Math.floor(Date.now() / 1000) + this.qiniu.urlTtlSeconds : 0;
  }

  toMessage(row: MessageRow, deadline: number): ChatMessage {
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
