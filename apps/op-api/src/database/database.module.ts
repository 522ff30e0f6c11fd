import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DatabaseConfig, ReplicaConfig } from '../config/app-config';
import { DatabaseConnection } from './database-connection';
import { openReplica, type Entities } from './data-source';
import { ReadReplicas } from './read-replicas';

const NO_REPLICAS: ReplicaConfig = { databases: [], maxLagMs: 0 };

/**
 * Provides the TypeORM data source and the read replicas. The API opens the data source and
 * applies pending migrations at start (docs/CONTRACT.md §4); the CLI hands in one it opened
 * itself, and reads the primary only.
 */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly replicas: ReadReplicas,
    private readonly connection: DatabaseConnection,
  ) {}

  static forRoot(database: DatabaseConfig, entities: Entities, replicas: ReplicaConfig = NO_REPLICAS): DynamicModule {
    const connection = new DatabaseConnection(database, entities);
    return DatabaseModule.provide({ provide: DataSource, useFactory: () => connection.open() }, connection, replicas, entities);
  }

  static forDataSource(dataSource: DataSource): DynamicModule {
    return DatabaseModule.provide({ provide: DataSource, useValue: dataSource }, DatabaseConnection.ready(), NO_REPLICAS, []);
  }

  private static provide(
    provider: DynamicModule['providers'] extends (infer P)[] | undefined ? P : never,
    connection: DatabaseConnection,
    replicas: ReplicaConfig,
    entities: Entities,
  ): DynamicModule {
    const readReplicas = {
      provide: ReadReplicas,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => {
        const set = new ReadReplicas(dataSource, replicas, (database) => openReplica(database, entities));
        set.start();
        return set;
      },
    };
    return {
      module: DatabaseModule,
      providers: [provider, readReplicas, { provide: DatabaseConnection, useValue: connection }],
      exports: [DataSource, ReadReplicas, DatabaseConnection],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.connection.close();
    await this.replicas.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
