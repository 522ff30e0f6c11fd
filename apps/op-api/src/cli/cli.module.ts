import { Module, type DynamicModule } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { AccessModule } from '../modules/access/access.module';
import { ChatMessageModule } from '../modules/chat-message/chat-message.module';
import { ChatsModule } from '../modules/chats/chats.module';
import { DemoSeedService } from '../modules/demo/demo-seed.service';
import { ImporterModule } from '../modules/importer/importer.module';
import { TrustModule } from '../modules/trust/trust.module';

/** The services `opctl` drives, without the HTTP layer. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig, dataSource: DataSource): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forDataSource(dataSource),
        AccessModule,
        ChatMessageModule,
        ChatsModule,
        ImporterModule,
        TrustModule,
      ],
      providers: [DemoSeedService],
    };
  }
}
