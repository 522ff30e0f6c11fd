import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ChatMessageModule } from '../chat-message/chat-message.module';
import { ChatSearchController } from './chat-search.controller';
import { ChatSearchService } from './chat-search.service';
import { SearchIndexModule } from '../search-index/search-index.module';

@Module({
  imports: [AuditModule, ChatMessageModule, SearchIndexModule],
  controllers: [ChatSearchController],
  providers: [ChatSearchService],
})
export class SearchModule {}
