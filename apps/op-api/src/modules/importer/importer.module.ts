import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { ChatMessageModule } from '../chat-message/chat-message.module';
import { EasemobModule } from '../easemob/easemob.module';
import { ImportService } from './import.service';
import { ReconcileService } from './reconcile.service';

@Module({
  imports: [AccessModule, ChatMessageModule, EasemobModule],
  providers: [ImportService, ReconcileService],
  exports: [ImportService, ReconcileService],
})
export class ImporterModule {}
