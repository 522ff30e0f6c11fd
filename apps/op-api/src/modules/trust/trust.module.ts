import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { AuditModule } from '../audit/audit.module';
import { ChatMessageModule } from '../chat-message/chat-message.module';
import { ChatsModule } from '../chats/chats.module';
import { EasemobModule } from '../easemob/easemob.module';
import { SearchIndexModule } from '../search-index/search-index.module';
import { ChatExportService } from './chat-export.service';
import { ChatPurger } from './chat-purge.service';
import { CustomerEraseService } from './customer-erase.service';
import { RetentionScheduler, RetentionService } from './retention.service';
import { TrustController } from './trust.controller';

/** Transcript export, customer erasure and retention (docs/CONTRACT.md §7); `opctl` uses RetentionService. */
@Module({
  imports: [AccessModule, AuditModule, ChatMessageModule, ChatsModule, EasemobModule, SearchIndexModule],
  controllers: [TrustController],
  providers: [ChatPurger, CustomerEraseService, ChatExportService, RetentionService],
  exports: [RetentionService],
})
export class TrustModule {}

/** The API's scheduled retention runs (OP_RETENTION_SCHEDULE); not part of `opctl`. */
@Module({
  imports: [TrustModule],
  providers: [RetentionScheduler],
})
export class RetentionScheduleModule {}
