import { Transform } from 'class-transformer';
import { IsDefined, IsIn, IsInt } from 'class-validator';
import { CHAT_STATUS_CODES, type ChatStatus } from './chat-status';
import type { ChatInfo } from './chat';
import { ChatIdField, IdField, legacyInteger, MAX_CUSTOMER_ID_LENGTH, MAX_OPERATOR_ID_LENGTH } from './chat-message-list.request';

// As in 2.37: the decorator nearest the property is checked first, so type checks sit lowest.

/** `chatCreate`: a customer's open chat, or a new one. */
export class ChatCreateRequest {
  @IdField('customerId', MAX_CUSTOMER_ID_LENGTH)
  customerId!: string;

  @IdField('operatorId', MAX_OPERATOR_ID_LENGTH, { optional: true })
  operatorId?: string;
}

export type ChatCreateResult = ChatInfo & { created: boolean };

/** `chatAssign`: assign or transfer a chat to an operator. */
export class ChatAssignRequest {
  @ChatIdField()
  chatId!: string;

  @IdField('operatorId', MAX_OPERATOR_ID_LENGTH)
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
