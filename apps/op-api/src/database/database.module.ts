import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config';
import { migrate, openDataSource, type Entities } from './data-source';

/**
 * Provides the TypeORM data source. The API opens it and applies pending migrations at
 * start (docs/CONTRACT.md §4); the CLI hands in one it opened itself.
 */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  static forRoot(database: DatabaseConfig, entities: Entities): DynamicModule {
    return DatabaseModule.provide({
      provide: DataSource,
      useFactory: async () => {
        const dataSource = await openDataSource(database, entities);
        await migrate(dataSource);
        return dataSource;
      },
    });
  }

  static forDataSource(dataSource: DataSource): DynamicModule {
    return DatabaseModule.provide({ provide: DataSource, useValue: dataSource });
  }

  private static provide(provider: DynamicModule['providers'] extends (infer P)[] | undefined ? P : never): DynamicModule {
    return { module: DatabaseModule, providers: [provider], exports: [DataSource] };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
