import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AccessModule } from '../access/access.module';
import { DatabaseHealthIndicator, RedisHealthIndicator } from './database.health';
import { MetricsServer } from './metrics-access';
import { MetricsService } from './metrics.service';
import { ObservabilityController } from './observability.controller';
import { OpenApiService } from './openapi.service';

@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), AccessModule],
  controllers: [ObservabilityController],
  providers: [MetricsService, DatabaseHealthIndicator, RedisHealthIndicator, OpenApiService, MetricsServer],
  exports: [MetricsService],
})
export class ObservabilityModule {}
