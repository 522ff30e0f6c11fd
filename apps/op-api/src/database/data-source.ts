import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config';
import { ApiClientEntity } from '../modules/access/api-client.entity';
import { OperatorTokenEntity } from '../modules/access/operator-token.entity';
import { OperatorEntity } from '../modules/access/operator.entity';
import { TenantEntity } from '../modules/access/tenant.entity';
import { ChatEntity } from '../modules/chat-message/chat.entity';
import { MIGRATIONS } from './migrations';

export const ENTITIES = [TenantEntity, ApiClientEntity, OperatorEntity, OperatorTokenEntity, ChatEntity];

export function dataSourceOptions(database: DatabaseConfig): DataSourceOptions {
  const common = { entities: ENTITIES, migrations: MIGRATIONS, synchronize: false, logging: false } as const;
  if (database.type === 'sqlite') {
    return {
      ...common,
      type: 'better-sqlite3',
      database: database.path,
      enableWAL: database.path !== ':memory:',
      timeout: 10_000,
    };
  }
  return {
    ...common,
    type: 'mysql',
    host: database.host,
    port: database.port,
    username: database.username,
    password: database.password,
    database: database.database,
    charset: 'utf8mb4',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: true,
    connectTimeout: 5_000,
    poolSize: database.poolSize,
    extra: { connectionLimit: database.poolSize, waitForConnections: true, queueLimit: 1_000, enableKeepAlive: true },
  };
}

/** Creates the MySQL database when missing, so a fresh server needs no manual step. */
async function ensureMysqlDatabase(database: Extract<DatabaseConfig, { type: 'mysql' }>): Promise<void> {
  const mysql = await import('mysql2/promise');
  const connection = await mysql.createConnection({
    host: database.host,
    port: database.port,
    user: database.username,
    password: database.password,
    connectTimeout: 5_000,
  });
  try {
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS \`${database.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
    );
  } finally {
    await connection.end();
  }
}

/** Opens the configured database; the caller decides whether to run migrations. */
export async function openDataSource(database: DatabaseConfig): Promise<DataSource> {
  if (database.type === 'sqlite' && database.path !== ':memory:') mkdirSync(dirname(database.path), { recursive: true });
  if (database.type === 'mysql') await ensureMysqlDatabase(database);
  return new DataSource(dataSourceOptions(database)).initialize();
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((migration) => migration.name);
}

export function isMysql(dataSource: DataSource): boolean {
  return dataSource.options.type === 'mysql' || dataSource.options.type === 'mariadb';
}
