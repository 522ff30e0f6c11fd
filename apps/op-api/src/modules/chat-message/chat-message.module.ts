import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ChatsModule } from '../chats/chats.module';
import { SearchIndexModule } from '../search-index/search-index.module';
import { ChatAccess } from './chat-access.service';
import { ChatMessageController } from './chat-message.controller';
import { ChatMessageRepository } from './chat-message.repository';
import { ChatMessageService } from './chat-message.service';
import { MessageIds } from './message-ids';
import { MessageMapper } from './message-mapper';
import { MessageSequence } from './message-sequence';
import { MessageStore } from './message-store.service';

@Module({
  imports: [AuditModule, ChatsModule, SearchIndexModule],
  controllers: [ChatMessageController],
  providers: [ChatMessageRepository, ChatMessageService, MessageStore, MessageIds, ChatAccess, MessageMapper, MessageSequence],
  exports: [MessageStore, MessageIds, ChatMessageRepository, ChatAccess, MessageMapper, MessageSequence],
})
export class ChatMessageModule {}
