import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { ChatMessageModule } from '../chat-message/chat-message.module';
import { EasemobModule } from '../easemob/easemob.module';
import { EasemobGapsController } from './easemob-gaps.controller';
import { EasemobGapsService } from './easemob-gaps.service';
import { ImportService } from './import.service';
import { ReconcileService } from './reconcile.service';

@Module({
  imports: [AccessModule, ChatMessageModule, EasemobModule],
  controllers: [EasemobGapsController],
  providers: [ImportService, ReconcileService, EasemobGapsService],
  exports: [ImportService, ReconcileService],
})
export class ImporterModule {}
