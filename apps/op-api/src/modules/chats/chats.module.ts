import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { ChatLifecycleService } from './chat-lifecycle.service';
import { ChatRepository } from './chat.repository';
import { ChatsController } from './chats.controller';

@Module({
  imports: [AccessModule],
  controllers: [ChatsController],
  providers: [ChatRepository, ChatLifecycleService],
  exports: [ChatRepository],
})
export class ChatsModule {}
