import { Body, Controller } from '@nestjs/common';
import { FavoriteListRequest, MessageFavoriteRequest, type FavoriteListData, type MessageFavoriteData } from '@op/contracts';
import { OpEndpoint } from '../../common/decorators/op-endpoint.decorator';
import { CurrentContext, type OpContext } from '../access/op-context';
import type { Paged } from '../../common/interceptors/envelope';
import { FavoriteService } from './favorite.service';

@Controller()
export class FavoriteController {
  constructor(private readonly favorites: FavoriteService) {}

  @OpEndpoint('messageFavoriteAdd')
  messageFavoriteAdd(@CurrentContext() context: OpContext, @Body() body: MessageFavoriteRequest): Promise<MessageFavoriteData> {
    return this.favorites.add(context, body);
  }

  @OpEndpoint('messageFavoriteRemove')
  messageFavoriteRemove(@CurrentContext() context: OpContext, @Body() body: MessageFavoriteRequest): Promise<MessageFavoriteData> {
    return this.favorites.remove(context, body);
  }

  @OpEndpoint('favoriteList')
  favoriteList(@CurrentContext() context: OpContext, @Body() body: FavoriteListRequest): Promise<Paged<FavoriteListData>> {
    return this.favorites.list(context, body);
  }
}
