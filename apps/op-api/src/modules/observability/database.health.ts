import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';

export const READINESS_TIMEOUT_MS = 2_000;

/** Ready when the database answers `SELECT 1` within the timeout. */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key = 'database') {
    const indicator = this.health.check(key);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), READINESS_TIMEOUT_MS))),
      ]);
      return indicator.up();
    } catch {
      return indicator.down({ message: '数据库不可用' });
    } finally {
      clearTimeout(timer);
    }
  }
}
