import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { SearchIndexModule } from '../search-index/search-index.module';
import { ChatAccess } from './chat-access.service';
import { ChatMessageController } from './chat-message.controller';
import { ChatMessageRepository } from './chat-message.repository';
import { ChatMessageService } from './chat-message.service';
import { MessageMapper } from './message-mapper';
import { MessageStore } from './message-store.service';

@Module({
  imports: [AuditModule, SearchIndexModule],
  controllers: [ChatMessageController],
  providers: [ChatMessageRepository, ChatMessageService, MessageStore, ChatAccess, MessageMapper],
  exports: [MessageStore, ChatMessageRepository, ChatAccess, MessageMapper],
})
export class ChatMessageModule {}
