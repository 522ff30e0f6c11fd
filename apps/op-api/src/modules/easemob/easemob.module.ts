import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { ChatMessageModule } from '../chat-message/chat-message.module';
import { ChatsModule } from '../chats/chats.module';
import { EasemobCallbackController } from './easemob-callback.controller';
import { CallbackIds } from './callback-ids.service';
import { CallbackSpool } from './callback-spool.service';
import { EasemobCallbackService } from './easemob-callback.service';
import { MessageRouter } from './message-router.service';

@Module({
  imports: [AccessModule, ChatMessageModule, ChatsModule],
  controllers: [EasemobCallbackController],
  providers: [MessageRouter, EasemobCallbackService, CallbackIds, CallbackSpool],
  exports: [MessageRouter, CallbackSpool],
})
export class EasemobModule {}
