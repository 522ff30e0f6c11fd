import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ChatMessageSearchRequest, ChatSearchRequest, type ChatMessageSearchData, type ChatSearchData } from '@op/contracts';
import { CurrentContext, type OpContext } from '../access/op-context';
import type { Paged } from '../../common/interceptors/envelope';
import { ChatSearchService } from './chat-search.service';

@Controller('op/v2')
export class ChatSearchController {
  constructor(private readonly search: ChatSearchService) {}

  /** Session search: filters, a keyword in message text, hits to jump to with 2.37's aroundMessageId. */
  @Post('chatSearch')
  @HttpCode(200)
  chatSearch(@CurrentContext() context: OpContext, @Body() body: ChatSearchRequest): Promise<Paged<ChatSearchData>> {
    return this.search.search(context, body);
  }

  /** Find in one chat: every message holding the keyword, in chat order, for next/previous hit. */
  @Post('chatMessageSearch')
  @HttpCode(200)
  chatMessageSearch(@CurrentContext() context: OpContext, @Body() body: ChatMessageSearchRequest): Promise<Paged<ChatMessageSearchData>> {
    return this.search.searchInChat(context, body);
  }
}
