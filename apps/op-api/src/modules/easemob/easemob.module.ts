import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { ChatMessageModule } from '../chat-message/chat-message.module';
import { ChatsModule } from '../chats/chats.module';
import { EasemobCallbackController } from './easemob-callback.controller';
import { EasemobCallbackService } from './easemob-callback.service';
import { MessageRouter } from './message-router.service';

@Module({
  imports: [AccessModule, ChatMessageModule, ChatsModule],
  controllers: [EasemobCallbackController],
  providers: [MessageRouter, EasemobCallbackService],
  exports: [MessageRouter],
})
export class EasemobModule {}
