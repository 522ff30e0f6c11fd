import { Module } from '@nestjs/common';
import { ChatMessageController } from './chat-message.controller';
import { ChatMessageRepository } from './chat-message.repository';
import { ChatMessageService } from './chat-message.service';
import { MessageStore } from './message-store.service';

@Module({
  controllers: [ChatMessageController],
  providers: [ChatMessageRepository, ChatMessageService, MessageStore],
  exports: [MessageStore, ChatMessageRepository],
})
export class ChatMessageModule {}
