import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { FavoriteListRequest, MessageFavoriteRequest, type FavoriteListData, type MessageFavoriteData } from '@op/contracts';
import { CurrentContext, type OpContext } from '../access/op-context';
import type { Paged } from '../../common/interceptors/envelope';
import { FavoriteService } from './favorite.service';

@Controller('op/v2')
export class FavoriteController {
  constructor(private readonly favorites: FavoriteService) {}

  @Post('messageFavoriteAdd')
  @HttpCode(200)
  messageFavoriteAdd(@CurrentContext() context: OpContext, @Body() body: MessageFavoriteRequest): Promise<MessageFavoriteData> {
    return this.favorites.add(context, body);
  }

  @Post('messageFavoriteRemove')
  @HttpCode(200)
  messageFavoriteRemove(@CurrentContext() context: OpContext, @Body() body: MessageFavoriteRequest): Promise<MessageFavoriteData> {
    return this.favorites.remove(context, body);
  }

  @Post('favoriteList')
  @HttpCode(200)
  favoriteList(@CurrentContext() context: OpContext, @Body() body: FavoriteListRequest): Promise<Paged<FavoriteListData>> {
    return this.favorites.list(context, body);
  }
}
