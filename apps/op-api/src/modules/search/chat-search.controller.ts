import { Body, Controller } from '@nestjs/common';
import { ChatMessageSearchRequest, ChatSearchRequest, type ChatMessageSearchData, type ChatSearchData } from '@op/contracts';
import { OpEndpoint } from '../../common/decorators/op-endpoint.decorator';
import { CurrentContext, type OpContext } from '../access/op-context';
import type { Paged } from '../../common/interceptors/envelope';
import { ChatSearchService } from './chat-search.service';

@Controller()
export class ChatSearchController {
  constructor(private readonly search: ChatSearchService) {}

  /** Session search: filters, a keyword in message text, hits to jump to with 2.37's aroundMessageId. */
  @OpEndpoint('chatSearch')
  chatSearch(@CurrentContext() context: OpContext, @Body() body: ChatSearchRequest): Promise<Paged<ChatSearchData>> {
    return this.search.search(context, body);
  }

  /** Find in one chat: every message holding the keyword, in chat order, for next/previous hit. */
  @OpEndpoint('chatMessageSearch')
  chatMessageSearch(@CurrentContext() context: OpContext, @Body() body: ChatMessageSearchRequest): Promise<Paged<ChatMessageSearchData>> {
    return this.search.searchInChat(context, body);
  }
}
