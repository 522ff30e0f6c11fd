import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { ChatLifecycleService } from './chat-lifecycle.service';
import { ChatRepository } from './chat.repository';
import { ChatsController } from './chats.controller';
import { CustomerService } from './customer.service';
import { CustomersController } from './customers.controller';

@Module({
  imports: [AccessModule],
  controllers: [ChatsController, CustomersController],
  providers: [ChatRepository, ChatLifecycleService, CustomerService],
  exports: [ChatRepository],
})
export class ChatsModule {}
