import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ChatMessageModule } from '../chat-message/chat-message.module';
import { ChatsModule } from '../chats/chats.module';
import { FavoriteController } from './favorite.controller';
import { FavoriteService } from './favorite.service';

@Module({ imports: [ChatMessageModule, ChatsModule, AuditModule], controllers: [FavoriteController], providers: [FavoriteService] })
export class FavoriteModule {}
