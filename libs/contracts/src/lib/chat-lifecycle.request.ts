import { Transform } from 'class-transformer';
import { IsDefined, IsIn, IsInt, IsOptional, IsString, Length } from 'class-validator';
import { CHAT_STATUS_CODES, type ChatStatus } from './chat-status';
import type { ChatInfo } from './chat';
import { ChatIdField, legacyInteger, TrimmedIdField } from './chat-message-list.request';

// As in 2.37: the decorator nearest the property is checked first, so type checks sit lowest.

/** `chatCreate`: a customer's open chat, or a new one. */
export class ChatCreateRequest {
  @TrimmedIdField('customerId')
  @Length(1, 128, { message: 'customerId 长度必须在 1 到 128 个字符之间' })
  @IsString({ message: 'customerId 必须是字符串' })
  @IsDefined({ message: 'customerId 不能为空' })
  customerId!: string;

  @IsOptional()
  @Length(1, 32, { message: 'operatorId 长度必须在 1 到 32 个字符之间' })
  @IsString({ message: 'operatorId 必须是字符串' })
  operatorId?: string;
}

export type ChatCreateResult = ChatInfo & { created: boolean };

/** `chatAssign`: assign or transfer a chat to an operator. */
export class ChatAssignRequest {
  @ChatIdField()
  chatId!: string;

  @Length(1, 32, { message: 'operatorId 长度必须在 1 到 32 个字符之间' })
  @IsString({ message: 'operatorId 必须是字符串' })
  @IsDefined({ message: 'operatorId 不能为空' })
  operatorId!: string;
}

/** `chatStatusUpdate`: a legal status move only. */
export class ChatStatusUpdateRequest {
  @ChatIdField()
  chatId!: string;

  @IsIn(CHAT_STATUS_CODES, { message: 'status 只能是 1、3、5、6 或 30' })
  @IsInt({ message: 'status 必须是整数' })
  @IsDefined({ message: 'status 不能为空' })
  @Transform(legacyInteger)
  status!: ChatStatus;
}

/** `chatDetail`. */
export class ChatDetailRequest {
  @ChatIdField()
  chatId!: string;
}
