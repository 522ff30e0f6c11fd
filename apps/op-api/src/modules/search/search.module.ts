import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ChatSearchController } from './chat-search.controller';
import { ChatSearchService } from './chat-search.service';
import { LikeScanSearchIndex, MESSAGE_SEARCH_INDEX } from './message-search-index';

@Module({
  imports: [AuditModule],
  controllers: [ChatSearchController],
  providers: [ChatSearchService, { provide: MESSAGE_SEARCH_INDEX, useClass: LikeScanSearchIndex }],
})
export class SearchModule {}
